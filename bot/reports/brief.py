"""The leads' daily brief: what happened on the last working day, before the morning huddle.

Platform-neutral: `compose_brief` returns a frozen `Brief` that a handler renders (Block Kit,
an Adaptive Card) with the sentences of bot.reports.brief_words, which also writes it as plain
Markdown (the demo's files).

Definitions:
- The brief on `today` covers *the day*: the previous working day (weekends and England's bank
  holidays skipped, so Monday's brief covers Friday and the brief of Tue 29 Dec 2026 covers
  Thu 24 Dec).
- Check-ins: the partners prompted on the day (bot.reports.engagement's roster: live, not away) and how
  many answered it, in all and by sector; the organisations none of whose partners answered.
- Money: the spend position (bot.spend.ledger) at the end of the day against the end of the working day
  before it; the forecast is today's (the outturn at the recent run rate).
- Capacity changes: each (organisation, service) with a report dated the day whose level differs
  from its latest report before the day; up means more pressure.
- Risks: every risk with a RiskEvent from the start of the day to the start of today (local
  time), so consecutive briefs cover every hour once: new (raised) or changed (the other actions).
- Partner voice: the blockers and comments of the day's check-ins from community organisations
  (bot.reports.voice), quoted and attributed to the organisation; an amended check-in shows only
  its newest version. Free text is redacted at storage and again there, so no NHS number reaches
  a brief.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlmodel import Session, col, select

from bot.checkin.audiences import COMMUNITY, sector_of
from bot.checkin.levels import newest_levels
from bot.common.calendar import local_instant, previous_working_day
from bot.common.labels import service_label
from bot.common.redact import redact
from bot.reports.engagement import SECTORS, roster
from bot.reports.money import MoneyPanel
from bot.reports.organisations import Organisations, name_of, organisations_by_id
from bot.reports.voice import Voice, at_most, partner_voice
from bot.spend.ledger import spend_position
from models.tables import Programme, Risk, RiskEvent, row_id

VOICE_MOST = 40  # partner voice items in one brief; the rest are counted


@dataclass(frozen=True)
class SectorCount:
    sector: str  # "statutory" or "community"
    answered: int
    expected: int


@dataclass(frozen=True)
class CheckinsDay:
    day: date
    answered: int
    expected: int
    by_sector: tuple[SectorCount, ...]  # statutory, then community
    not_heard_from: tuple[str, ...]  # organisations with partners prompted and none answered


@dataclass(frozen=True)
class MoneyChange(MoneyPanel):
    """The money at the end of the day the brief covers, against the end of the working day
    before it; the allocation and the forecast are today's."""

    day: date
    before: date  # the working day before `day`
    actual_before: Decimal
    committed_before: Decimal

    @property
    def actual_change(self) -> Decimal:
        return self.actual - self.actual_before

    @property
    def committed_change(self) -> Decimal:
        return self.committed - self.committed_before


@dataclass(frozen=True)
class CapacityChange:
    organisation: str
    service: str
    label: str
    level_from: int
    level_to: int

    @property
    def worse(self) -> bool:
        return self.level_to > self.level_from


@dataclass(frozen=True)
class RiskChange:
    risk_id: int
    title: str
    severity: str
    status: str
    owner: str | None
    new: bool  # raised in the window; otherwise changed
    actions: tuple[str, ...]  # the events' actions, oldest first, repeats dropped


@dataclass(frozen=True)
class Brief:
    programme_slug: str
    programme_name: str
    today: date
    day: date  # the working day the brief covers
    checkins: CheckinsDay
    money: MoneyChange
    capacity: tuple[CapacityChange, ...]  # worse first
    risks: tuple[RiskChange, ...]  # new first
    voice: tuple[Voice, ...]
    voice_left_out: int = 0

    @property
    def title(self) -> str:
        return f"Daily brief: {self.programme_name}"


def compose_brief(session: Session, programme: Programme, today: date) -> Brief:
    """The brief for the leads on `today` (a local date), covering the previous working day."""
    assert programme.id is not None
    day = previous_working_day(today)
    organisations = organisations_by_id(session, programme)
    voice, left_out = at_most(partner_voice(session, programme, day, day, organisations), VOICE_MOST)
    return Brief(
        programme_slug=programme.slug,
        programme_name=programme.name,
        today=today,
        day=day,
        checkins=_checkins(session, programme, day),
        money=_money(session, programme, day, today),
        capacity=capacity_changes(session, programme.id, day, organisations),
        risks=risk_changes(
            session,
            programme,
            local_instant(day, time(0), programme.timezone),
            local_instant(today, time(0), programme.timezone),
            organisations,
        ),
        voice=voice,
        voice_left_out=left_out,
    )


# -- the parts --------------------------------------------------------------------------------


def _checkins(session: Session, programme: Programme, day: date) -> CheckinsDay:
    people = roster(session, programme, day)
    prompted = people.prompted_today()
    kinds = {o.id: o for o in people.organisations}
    counts: dict[str, list[int]] = {sector: [0, 0] for sector in SECTORS}
    heard: dict[int, bool] = {}
    for m in prompted:
        organisation = kinds.get(m.member.organisation_id)
        sector = sector_of(organisation.kind) if organisation else COMMUNITY
        answered = day in m.answered
        counts[sector][0] += answered
        counts[sector][1] += 1
        heard[m.member.organisation_id] = heard.get(m.member.organisation_id, False) or answered
    silent = sorted((kinds[o].name for o, yes in heard.items() if not yes and o in kinds), key=str.lower)
    return CheckinsDay(
        day=day,
        answered=sum(a for a, _ in counts.values()),
        expected=sum(e for _, e in counts.values()),
        by_sector=tuple(SectorCount(s, counts[s][0], counts[s][1]) for s in SECTORS),
        not_heard_from=tuple(silent),
    )


def _money(session: Session, programme: Programme, day: date, today: date) -> MoneyChange:
    before = previous_working_day(day)
    then = spend_position(session, programme, day)
    earlier = spend_position(session, programme, before)
    now = spend_position(session, programme, today)
    return MoneyChange.of(
        now,
        actual=then.actual,
        committed=then.committed,
        day=day,
        before=before,
        actual_before=earlier.actual,
        committed_before=earlier.committed,
    )


def capacity_changes(
    session: Session, programme_id: int, day: date, organisations: Organisations
) -> tuple[CapacityChange, ...]:
    that_day = newest_levels(session, programme_id, day, day)
    earlier = newest_levels(session, programme_id, day - timedelta(days=1))
    changes = []
    for (organisation_id, service), (level, _) in that_day.items():
        previous = earlier.get((organisation_id, service))
        organisation = organisations.get(organisation_id)
        if previous is None or previous[0] == level or organisation is None:
            continue
        changes.append(CapacityChange(organisation.name, service, service_label(service), previous[0], level))
    changes.sort(key=lambda c: (not c.worse, -c.level_to, c.organisation.lower(), c.service))
    return tuple(changes)


def risk_changes(
    session: Session, programme: Programme, start: datetime, end: datetime, organisations: Organisations
) -> tuple[RiskChange, ...]:
    """Every risk with an event in [start, end): one query."""
    rows = session.exec(
        select(RiskEvent, Risk)
        .join(Risk, col(Risk.id) == col(RiskEvent.risk_id))
        .where(Risk.programme_id == programme.id, col(RiskEvent.at) >= start, col(RiskEvent.at) < end)
        .order_by(col(RiskEvent.at), col(RiskEvent.id))
    ).all()
    actions: dict[int, list[str]] = defaultdict(list)
    risks: dict[int, Risk] = {}
    for event, risk in rows:
        risks[row_id(risk)] = risk
        if event.action not in actions[row_id(risk)]:
            actions[row_id(risk)].append(event.action)
    out = [
        RiskChange(
            risk_id=risk_id,
            title=redact(risk.title).text,
            severity=risk.severity,
            status=risk.status,
            owner=name_of(organisations, risk.owner_organisation_id),
            new="raised" in actions[risk_id],
            actions=tuple(actions[risk_id]),
        )
        for risk_id, risk in risks.items()
    ]
    rank = {"critical": 0, "high": 1, "medium": 2, "low": 3}
    out.sort(key=lambda r: (not r.new, rank.get(r.severity, 4), r.risk_id))
    return tuple(out)
