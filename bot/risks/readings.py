"""What the risk rules read from the database: a fixed handful of queries whatever the size of
the programme or the length of the winter. Each returns plain values for the rules
(bot.risks.capacity_rules, silence_rules, spend_rules), which decide without the database.

A service's *level* on a day is its organisation's latest capacity report for that service
dated on or before the day (by local date, then reported_at, then id: an amended check-in's
newer row of the same day wins): bot.checkin.levels.newest_levels reads it.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from bot.checkin.blockers import same_words, unanswered_of
from bot.checkin.levels import newest_levels
from bot.common.calendar import add_working_days
from bot.risks.blocker_rules import Unanswered
from bot.risks.terms import Pair, Report, RuleSettings
from models.tables import Blocker, CapacityReport, CheckIn, Member, Organisation, Scheme, row_id
from models.vocabulary import Role

RUN_LOOKBACK_DAYS = 42  # calendar days the capacity rule reads first to find when a run began


def first_needed(today: date, settings: RuleSettings) -> date:
    """The first day the rules need reports from: a service not heard from since before it is
    silent, and every comparison the rules make is with a day after it."""
    n, w, d = (
        settings.silent_after_working_days,
        settings.worsening_over_working_days,
        settings.discharges_rising_over_working_days,
    )
    return add_working_days(today, -(max(n, w, n + d + 1) + 1))


def live_organisations(session: Session, programme_id: int) -> dict[int, Organisation]:
    """The programme's organisations not archived, by id."""
    rows = session.exec(
        select(Organisation).where(Organisation.programme_id == programme_id, col(Organisation.archived_at).is_(None))
    )
    return {row_id(organisation): organisation for organisation in rows}


def levels_as_of(
    session: Session, programme_id: int, day: date, first: date | None = None, organisations: set[int] | None = None
) -> dict[Pair, Report]:
    """Each (organisation, service)'s latest report dated on or before `day` (and on or after
    `first`, when given; of those organisations, when given): one query."""
    found = newest_levels(session, programme_id, day, first, organisations)
    return {pair: Report(pair[0], pair[1], on, level, {}) for pair, (level, on) in found.items()}


def earlier_levels(session: Session, programme_id: int, day: date, first: date, pairs: set[Pair]) -> dict[Pair, Report]:
    """Each pair's level as of `day`, read from `first`; a pair not heard from since before
    `first` (back after a silence) at its last level before it."""
    if not pairs:
        return {}
    earlier = levels_as_of(session, programme_id, day, first)
    before_first = pairs - earlier.keys()
    if before_first:
        older = levels_as_of(session, programme_id, day, organisations={o for o, _ in before_first})
        earlier |= {pair: report for pair, report in older.items() if pair in before_first}
    return earlier


def last_reported(session: Session, programme_id: int, pairs: set[Pair]) -> dict[Pair, date]:
    """The day of each pair's newest report, for the few not heard from in the window."""
    if not pairs:
        return {}
    rows = session.execute(
        sa_select(col(CapacityReport.organisation_id), col(CapacityReport.service), func.max(CapacityReport.local_date))
        .where(
            col(CapacityReport.programme_id) == programme_id,
            col(CapacityReport.organisation_id).in_({o for o, _ in pairs}),
        )
        .group_by(col(CapacityReport.organisation_id), col(CapacityReport.service))
    ).all()
    return {(o, s): day for o, s, day in rows if (o, s) in pairs}


def daily_reports(
    session: Session,
    programme_id: int,
    first: date | None,
    last: date,
    pairs: set[Pair] | None = None,
    *,
    measures: bool = True,
) -> dict[Pair, dict[date, Report]]:
    """The newest report of each (organisation, service) on each day from first (None: the
    beginning) to last: one query, read as plain rows."""
    columns = [
        col(CapacityReport.organisation_id),
        col(CapacityReport.service),
        col(CapacityReport.local_date),
        col(CapacityReport.level),
    ] + ([col(CapacityReport.measures)] if measures else [])
    query = (
        sa_select(*columns)
        .where(col(CapacityReport.programme_id) == programme_id, col(CapacityReport.local_date) <= last)
        .order_by(col(CapacityReport.reported_at), col(CapacityReport.id))
    )
    if first is not None:
        query = query.where(col(CapacityReport.local_date) >= first)
    if pairs is not None:
        query = query.where(
            col(CapacityReport.organisation_id).in_({o for o, _ in pairs}),
            col(CapacityReport.service).in_({s for _, s in pairs}),
        )
    out: dict[Pair, dict[date, Report]] = defaultdict(dict)
    for row in session.execute(query):
        pair = (row[0], row[1])
        if pairs is not None and pair not in pairs:
            continue
        out[pair][row[2]] = Report(row[0], row[1], row[2], row[3], dict(row[4] or {}) if measures else {})
    return out


def run_starts(session: Session, programme_id: int, at_alert: dict[Pair, Report]) -> dict[Pair, date]:
    """The first day of each service's unbroken run at its latest level. Read from the last
    RUN_LOOKBACK_DAYS first; only a run that reaches back past them reads that service's whole
    history, so the scan's cost follows the recent weeks, not the length of the winter."""
    if not at_alert:
        return {}
    newest = max(r.local_date for r in at_alert.values())
    recent = daily_reports(
        session, programme_id, newest - timedelta(days=RUN_LOOKBACK_DAYS), newest, set(at_alert), measures=False
    )
    starts: dict[Pair, date] = {}
    longer: set[Pair] = set()
    for pair, report in at_alert.items():
        since, broken = run_start(recent.get(pair, {}), report)
        if broken:
            starts[pair] = since
        else:
            longer.add(pair)
    if longer:
        whole = daily_reports(session, programme_id, None, newest, longer, measures=False)
        starts |= {pair: run_start(whole.get(pair, {}), at_alert[pair])[0] for pair in longer}
    return starts


def run_start(days: dict[date, Report], latest: Report) -> tuple[date, bool]:
    """The first day of the unbroken run of reports at the latest level (days without a report
    do not break it), and whether a day at another level was found before it (False: the run
    may go back further than `days` reach)."""
    since = latest.local_date
    for day in sorted((d for d in days if d <= latest.local_date), reverse=True):
        if days[day].level != latest.level:
            return since, True
        since = day
    return since, False


def live_partners(session: Session, programme_id: int) -> list[Member]:
    """The programme's partners not archived, by id."""
    return list(
        session.exec(
            select(Member)
            .where(
                Member.programme_id == programme_id,
                Member.role == Role.PARTNER.value,
                col(Member.archived_at).is_(None),
            )
            .order_by(col(Member.id))
        ).all()
    )


def last_checkins(session: Session, programme_id: int, today: date) -> dict[int, date]:
    """Each member's last check-in day up to today."""
    rows = session.exec(
        select(CheckIn.member_id, func.max(CheckIn.local_date))
        .where(CheckIn.programme_id == programme_id, col(CheckIn.local_date) <= today)
        .group_by(col(CheckIn.member_id))
    ).all()
    return dict(rows)


def scheme_owners(session: Session, programme_id: int) -> dict[str, tuple[int, str]]:
    """Each live scheme's owner organisation and unit, by scheme key."""
    rows = session.exec(
        select(Scheme.key, Scheme.owner_organisation_id, Scheme.unit).where(
            Scheme.programme_id == programme_id, col(Scheme.archived_at).is_(None)
        )
    ).all()
    return {key: (owner_id, unit) for key, owner_id, unit in rows}


def unanswered_blockers(session: Session, programme_id: int) -> list[Unanswered]:
    """The live blockers nobody but their raiser has answered, the same words from several
    organisations as one (on the oldest), oldest first."""
    groups: dict[str, list[tuple[Blocker, str]]] = {}
    for blocker, organisation in unanswered_of(session, programme_id):
        groups.setdefault(same_words(blocker.text), []).append((blocker, organisation))
    return [
        Unanswered(
            row_id(rows[0][0]), tuple(dict.fromkeys(name for _, name in rows)), rows[0][0].text, rows[0][0].raised_on
        )
        for rows in groups.values()
    ]
