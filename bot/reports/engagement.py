"""Who answers the daily check-in: response rates per organisation and sector, and who has gone quiet.

Platform-neutral: plain frozen dataclasses that a handler renders. A fixed handful of queries
whatever the size of the programme or the length of the winter (the programme's start, its
organisations, its partners, and the days each partner answered); the rest is arithmetic on
England's working-day calendar (bot.common.calendar). The rates need every day each partner answered;
who is quiet and today's count need only each partner's last check-in (`roster(history=False)`,
the status screen's): one aggregate the database works out, not a row per answer of the winter.

Definitions (the README repeats them for users):
- The engagement window starts on the day of the first check-in prompt sent (none sent yet:
  the earliest `available_on` of the live tranches, or the local date the programme was
  created; bot.common.definitions). Members carry no joining date, so every member's prompted
  days start there too.
- A member's *prompted day* is a working day from the start to yesterday, never after the
  deadline, on which the member was prompted: a partner (the roles in bot.checkin.prompts.PROMPTED_ROLES,
  by their role now: roles carry no history), not archived yet (an archived member counts on the
  days before the local date of `archived_at`), and not away. Today counts as well once the member
  has answered today, so answering never lowers a rate and an unanswered morning does not either.
- Away: `Member.away_until` is the day prompts resume, and no start of the absence is stored.
  The simplification: a member with `away_until` set is taken to have been away on the days after
  their last check-in dated before `away_until`, up to the day before `away_until` (never answered
  before it: every day before it). A member away now is therefore not counted from their last
  answer until today; once they are back, those days stay uncounted until `back` clears
  `away_until` (then they count as prompted and unanswered, since the absence is forgotten).
- *Answered*: at least one CheckIn row that day. An amendment is a new row on the same day, so a
  day is counted once however often it was amended. A check-in on a day that was not a prompted
  day (a weekend, a bank holiday, a lead answering) is not counted at all.
- Rate = answered / prompted x 100, a Decimal percent to one decimal place (ROUND_HALF_UP),
  None when nothing was asked (no prompted day in the window).
- *Last week* is exactly the last LAST_WEEK_WORKING_DAYS (5) working days before today
  (bot.common.definitions.last_working_days); today is not in it; *since the start* runs from the start (or `since`, when later).
- Sector (bot.checkin.audiences.sector_of): "statutory" for the kinds in
  models.vocabulary.STATUTORY_KINDS, "community" otherwise. An answer counts for the
  organisation the member is in now.
- *Quiet*: a live partner, not away today, whose prompted days since their last check-in (never
  answered: since the start), up to yesterday, number `after_working_days` or more.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Self

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.checkin.audiences import COMMUNITY, STATUTORY, sector_of
from bot.checkin.prompts import PROMPTED_ROLES
from bot.checkin.window import asked_from
from bot.common.calendar import count_working_days, local_date, working_days
from bot.common.definitions import last_working_days
from models.tables import CheckIn, Member, Organisation, Programme, row_id

LAST_WEEK_WORKING_DAYS = 5
SECTORS = (STATUTORY, COMMUNITY)
_TENTH = Decimal("0.1")


@dataclass(frozen=True)
class Tally:
    """Days answered of days prompted; `rate` is a percent to 0.1, None when nothing was asked."""

    answered: int
    prompted: int

    @property
    def rate(self) -> Decimal | None:
        return percent(self.answered, self.prompted)

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.answered + other.answered, self.prompted + other.prompted)


NOTHING = Tally(0, 0)


@dataclass(frozen=True)
class OrganisationRow:
    """An organisation as a report's row names it; subclasses add what the row says of it."""

    organisation_id: int
    name: str
    kind: str  # models.vocabulary.OrganisationKind value
    sector: str  # "statutory" or "community"

    @classmethod
    def of(cls, organisation: Organisation, **more: Any) -> Self:
        return cls(
            organisation_id=row_id(organisation),
            name=organisation.name,
            kind=organisation.kind,
            sector=sector_of(organisation.kind),
            **more,
        )


@dataclass(frozen=True)
class OrganisationEngagement(OrganisationRow):
    partners: int  # live partners now
    last_week: Tally
    since_start: Tally


@dataclass(frozen=True)
class SectorEngagement:
    sector: str  # "statutory" or "community"
    organisations: int  # organisations in the rows of this sector
    last_week: Tally
    since_start: Tally


@dataclass(frozen=True)
class Engagement:
    programme_id: int
    programme_name: str
    today: date
    start: date  # the engagement window's start: the first prompt sent (bot.checkin.window)
    since: date  # the first day of the "since the start" window: max(start, since asked)
    last_week_from: date  # the first of the last 5 working days before today
    organisations: tuple[OrganisationEngagement, ...]  # statutory first, then by name
    sectors: tuple[SectorEngagement, ...]  # statutory, then community
    overall: SectorEngagement  # sector "all"


@dataclass(frozen=True)
class Quiet:
    member_id: int
    name: str
    platform: str
    platform_user_id: str
    organisation_id: int
    organisation: str
    last_check_in: date | None  # None: never answered
    working_days_silent: int  # prompted days since the last check-in (or the start), to yesterday


def percent(part: int, whole: int) -> Decimal | None:
    if whole <= 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(_TENTH, rounding=ROUND_HALF_UP)


# -- the roster: who was asked on which day, from four queries ------------------------------


@dataclass(frozen=True)
class _MemberDays:
    member: Member
    prompted: frozenset[date]  # prompted days from the start to today (today only once answered); empty without history
    answered: frozenset[date]  # prompted days with a check-in; empty without history
    last_check_in: date | None  # any check-in on or before today
    away_today: bool
    answered_today: bool
    silent: int  # prompted days after the last check-in (or from the start), up to yesterday


@dataclass(frozen=True)
class Roster:
    """What the leads' view needs about a programme's partners on one day; built once and
    shared by the rates, the quiet list and today's count."""

    programme: Programme
    today: date
    start: date
    organisations: tuple[Organisation, ...]  # every organisation, archived too, by id
    members: tuple[_MemberDays, ...]  # every partner, archived too, by id

    def prompted_today(self) -> list[_MemberDays]:
        """Partners prompted today: live, not away, and today a working day before the deadline."""
        if self.today not in _calendar(self.start, self.today, self.programme.deadline):
            return []
        return [m for m in self.members if m.member.archived_at is None and not m.away_today]


def roster(session: Session, programme: Programme, today: date, history: bool = True) -> Roster:
    """Four queries: the start, the organisations, the partners, their check-in days (with
    `history`, every day each answered; without, each one's last day and today)."""
    assert programme.id is not None
    start = asked_from(session, programme)
    organisations = tuple(
        session.exec(
            select(Organisation).where(Organisation.programme_id == programme.id).order_by(col(Organisation.id))
        )
    )
    roles = [role.value for role in PROMPTED_ROLES]
    members = list(
        session.exec(
            select(Member)
            .where(Member.programme_id == programme.id, col(Member.role).in_(roles))
            .order_by(col(Member.id))
        )
    )
    answered = (
        _answered(session, programme.id, members, today)
        if history
        else _last_days(session, programme.id, members, today)
    )
    calendar = _calendar(start, today, programme.deadline) if history else frozenset()
    days = tuple(
        _member_days(m, answered.get(row_id(m), set()), calendar, start, today, programme, history) for m in members
    )
    return Roster(programme=programme, today=today, start=start, organisations=organisations, members=days)


def _answered(session: Session, programme_id: int, members: list[Member], today: date) -> dict[int, set[date]]:
    """Every day each partner answered, up to today."""
    answered: dict[int, set[date]] = defaultdict(set)
    for member_id, day in session.exec(
        select(col(CheckIn.member_id), col(CheckIn.local_date)).where(
            CheckIn.programme_id == programme_id, col(CheckIn.local_date) <= today
        )
    ):  # no DISTINCT: the sets drop amendments' repeated days for less than the database's sort
        answered[member_id].add(day)
    return answered


def _last_days(session: Session, programme_id: int, members: list[Member], today: date) -> dict[int, set[date]]:
    """The days that decide who is quiet and today's count: each partner's last check-in up to
    today and, for one with `away_until` set, their last before it (when the absence began)."""
    found: dict[int, set[date]] = defaultdict(set)
    for member_id, day in session.exec(
        select(CheckIn.member_id, func.max(CheckIn.local_date))
        .where(CheckIn.programme_id == programme_id, col(CheckIn.local_date) <= today)
        .group_by(col(CheckIn.member_id))
    ):
        found[member_id].add(day)
    back = {m.id: m.away_until for m in members if m.away_until is not None and m.away_until <= today}
    if back:
        for member_id, day in session.exec(
            select(col(CheckIn.member_id), col(CheckIn.local_date)).where(
                col(CheckIn.member_id).in_(back), col(CheckIn.local_date) <= today
            )
        ):
            if day < back[member_id]:
                found[member_id].add(day)
    return found


def _calendar(start: date, today: date, deadline: date) -> frozenset[date]:
    """The working days anyone could have been prompted on: start to today, not after the deadline."""
    return frozenset(working_days(start, min(today, deadline)))


def _member_days(
    member: Member,
    answered: set[date],
    calendar: frozenset[date],
    start: date,
    today: date,
    programme: Programme,
    history: bool,
) -> _MemberDays:
    """`answered` holds every day answered (with history) or at least the last day and the last
    before `away_until` (without): what decides the absence, quiet and today is the same."""
    last = max(answered, default=None)
    gone = local_date(member.archived_at, programme.timezone) if member.archived_at is not None else None
    away: tuple[date, date] | None = None
    if member.away_until is not None:
        before = [d for d in answered if d < member.away_until]
        away = (max(before) + timedelta(days=1) if before else date.min, member.away_until)
    silent = _prompted_between(
        max(start, last + timedelta(days=1)) if last else start,
        min(today - timedelta(days=1), programme.deadline),
        gone,
        away,
    )
    prompted: frozenset[date] = frozenset()
    if history:
        days = {d for d in calendar if (gone is None or d < gone) and not (away and away[0] <= d < away[1])}
        if today not in answered:
            days.discard(today)
        prompted = frozenset(days)
    return _MemberDays(
        member=member,
        prompted=prompted,
        answered=prompted & answered,
        last_check_in=last,
        away_today=away is not None and away[0] <= today < away[1],
        answered_today=today in answered,
        silent=silent,
    )


def _prompted_between(first: date, last: date, gone: date | None, away: tuple[date, date] | None) -> int:
    """Prompted working days from first to last: before the member was archived, not away."""
    if gone is not None:
        last = min(last, gone - timedelta(days=1))
    n = count_working_days(first, last)
    if away is not None:
        n -= count_working_days(max(first, away[0]), min(last, away[1] - timedelta(days=1)))
    return n


# -- response rates ------------------------------------------------------------------------


def response_rates(session: Session, programme: Programme, today: date, since: date | None = None) -> Engagement:
    """Response rates per organisation and per sector, over the last week and since the start."""
    return engagement_from(roster(session, programme, today), since)


def engagement_from(r: Roster, since: date | None = None) -> Engagement:
    first = max(r.start, since) if since is not None else r.start
    week_from, week_to = last_working_days(r.today, LAST_WEEK_WORKING_DAYS)
    by_org: dict[int, list[_MemberDays]] = defaultdict(list)
    for m in r.members:
        by_org[m.member.organisation_id].append(m)
    rows = []
    for organisation in r.organisations:
        members = by_org.get(row_id(organisation), [])
        if organisation.archived_at is not None and not any(m.prompted for m in members):
            continue
        rows.append(
            OrganisationEngagement.of(
                organisation,
                partners=sum(1 for m in members if m.member.archived_at is None),
                last_week=_tally(members, week_from, week_to),
                since_start=_tally(members, first),
            )
        )
    rows.sort(key=lambda row: (SECTORS.index(row.sector), row.name.lower(), row.organisation_id))
    sectors = tuple(_sector(sector, [row for row in rows if row.sector == sector]) for sector in SECTORS)
    return Engagement(
        programme_id=row_id(r.programme),
        programme_name=r.programme.name,
        today=r.today,
        start=r.start,
        since=first,
        last_week_from=week_from,
        organisations=tuple(rows),
        sectors=sectors,
        overall=_sector("all", rows),
    )


def _tally(members: list[_MemberDays], first: date, last: date = date.max) -> Tally:
    return Tally(
        answered=sum(sum(1 for d in m.answered if first <= d <= last) for m in members),
        prompted=sum(sum(1 for d in m.prompted if first <= d <= last) for m in members),
    )


def _sector(sector: str, rows: list[OrganisationEngagement]) -> SectorEngagement:
    return SectorEngagement(
        sector=sector,
        organisations=len(rows),
        last_week=sum((row.last_week for row in rows), NOTHING),
        since_start=sum((row.since_start for row in rows), NOTHING),
    )


# -- who has gone quiet --------------------------------------------------------------------


def quiet_members(session: Session, programme: Programme, today: date, after_working_days: int) -> list[Quiet]:
    """Live partners, not away today, with no check-in for `after_working_days` prompted days or
    more; the longest silence first."""
    return quiet_from(roster(session, programme, today), after_working_days)


def quiet_from(r: Roster, after_working_days: int) -> list[Quiet]:
    names = {o.id: o.name for o in r.organisations}
    quiet = []
    for m in r.members:
        if m.member.archived_at is not None or m.away_today:
            continue
        silent = m.silent
        if silent >= after_working_days:
            quiet.append(
                Quiet(
                    member_id=row_id(m.member),
                    name=m.member.name,
                    platform=m.member.platform,
                    platform_user_id=m.member.platform_user_id,
                    organisation_id=m.member.organisation_id,
                    organisation=names.get(m.member.organisation_id, ""),
                    last_check_in=m.last_check_in,
                    working_days_silent=silent,
                )
            )
    quiet.sort(key=lambda q: (-q.working_days_silent, q.organisation.lower(), q.name.lower(), q.member_id))
    return quiet
