"""The digest's capacity by service, as the whole programme channel may see it: each service's
worst level of the week, its latest, its days under pressure, the organisations at the worst by
name; confidential organisations (bot.people.confidential) counted apart, in aggregate only."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from bot.checkin.levels import newest_levels
from bot.common.calendar import working_days
from bot.common.labels import service_label
from bot.common.wording import join_words, plural
from bot.people.confidential import CHANNEL, Aggregate, Confidentiality, aggregate, aggregate_sentence
from bot.reports.organisations import Organisations, name_of
from models.tables import CapacityReport, Programme, row_id

PRESSED = 3  # a level at or above this counts as a day under pressure


@dataclass(frozen=True)
class ServiceWeek:
    service: str
    label: str
    organisations: int  # organisations running the service
    worst: int | None  # the worst level reported in the week; None: no report in the week
    latest: int | None  # the worst of each organisation's newest level; None: never reported
    days_pressed: int  # working days of the week with a report at level PRESSED or more
    worst_at: tuple[str, ...] = ()  # the organisations that reported the week's worst level, by name
    confidential: Aggregate | None = None  # the confidential organisations running it, counted apart


def capacity_weeks(
    session: Session, programme: Programme, start: date, today: date, organisations: Organisations
) -> tuple[ServiceWeek, ...]:
    """Per service, the week as the channel may see it (see bot.reports.digest's module)."""
    secret = Confidentiality.of(programme)

    def hidden(organisation_id: int, service: str) -> bool:
        owner = organisations.get(organisation_id)
        return owner is not None and secret.level(owner.key, service) and not CHANNEL.sees(organisation_id)

    services: list[str] = []
    running: dict[str, int] = {}
    for organisation in sorted(organisations.values(), key=row_id):
        if organisation.archived_at is not None:
            continue
        for service in organisation.services or []:
            if service not in services:
                services.append(service)
            if not hidden(row_id(organisation), service):
                running[service] = running.get(service, 0) + 1
    rows = session.exec(
        select(
            col(CapacityReport.service),
            col(CapacityReport.local_date),
            col(CapacityReport.level),
            col(CapacityReport.organisation_id),
        ).where(
            CapacityReport.programme_id == programme.id,
            col(CapacityReport.local_date) >= start,
            col(CapacityReport.local_date) <= today,
        )
    ).all()
    latest = newest_levels(session, row_id(programme), today)
    days = set(working_days(start, today))
    worst: dict[str, int] = {}
    worst_at: dict[str, set[int]] = {}
    pressed: dict[str, set[date]] = {}
    for service, day, level, organisation_id in rows:
        if service not in services:
            services.append(service)
        if hidden(organisation_id, service):
            continue
        if level > worst.get(service, 0):
            worst[service], worst_at[service] = level, set()
        if level == worst[service]:
            worst_at[service].add(organisation_id)
        if level >= PRESSED and day in days:
            pressed.setdefault(service, set()).add(day)
    newest, counted = _newest(latest, organisations, hidden)
    return tuple(
        ServiceWeek(
            service=s,
            label=service_label(s),
            organisations=running.get(s, 0),
            worst=worst.get(s),
            latest=newest.get(s),
            days_pressed=len(pressed.get(s, ())),
            worst_at=tuple(sorted(n for o in worst_at.get(s, ()) if (n := name_of(organisations, o)))),
            confidential=aggregate(s, counted[s]) if s in counted else None,
        )
        for s in services
    )


def _newest(
    latest: Mapping[tuple[int, str], tuple[int, date]],
    organisations: Organisations,
    hidden: Callable[[int, str], bool],
) -> tuple[dict[str, int], dict[str, list[int | None]]]:
    """Per service, the worst of the shown organisations' newest levels, and the newest level of
    each hidden organisation running it (None: never reported), to be counted in aggregate."""
    newest: dict[str, int] = {}
    counted: dict[str, list[int | None]] = {}
    for organisation in organisations.values():
        if organisation.archived_at is not None:
            continue
        for service in organisation.services or []:
            if hidden(row_id(organisation), service):
                found = latest.get((row_id(organisation), service))
                counted.setdefault(service, []).append(found[0] if found else None)
    for (organisation_id, service), (level, _) in latest.items():
        owner = organisations.get(organisation_id)
        if owner is None or owner.archived_at is not None or hidden(organisation_id, service):
            continue
        newest[service] = max(newest.get(service, 0), level)
    return newest, counted


def _shown_sentence(s: ServiceWeek) -> str:
    if s.worst is None and s.latest is None:
        return f"{s.label}: no report yet"
    week = f"worst this week {s.worst}" if s.worst is not None else "no report this week"
    if s.worst_at:
        week += f" ({join_words(list(s.worst_at))})"
    latest = f"latest {s.latest}" if s.latest is not None else "never reported"
    pressed = f"{plural(s.days_pressed, 'working day')} at level {PRESSED} or more"
    return f"{s.label}: {week}, {latest}; {pressed}"


def service_sentence(s: ServiceWeek) -> str:
    """A service's week; its confidential organisations only in aggregate, after the others."""
    if s.confidential is None:
        return _shown_sentence(s)
    if s.organisations == 0:
        return aggregate_sentence(s.confidential)
    in_confidence = aggregate_sentence(s.confidential).split(": ", 1)[1]
    return f"{_shown_sentence(s)}; in confidence, {in_confidence}"
