"""The lead's one screen: money, capacity, risks, who has gone quiet, and today's check-ins.

Platform-neutral: `status_screen` returns a frozen `StatusScreen` that a handler renders (Block Kit,
an Adaptive Card, the App Home tab). The number of queries is fixed whatever the number of
organisations, members, schemes, days or reports: spend (bot.spend.ledger), the roster of partners and
their check-in days (bot.reports.engagement), two window queries for the capacity grid (the recent days,
then earlier days for the cells not found there), and the open risks (bot.risks.listing).

Definitions:
- Money: bot.spend.ledger.spend_position on today's local date; the forecast shown is the outturn at the
  recent run rate (the last 10 working days).
- Capacity grid: a row per live organisation that runs services, a cell per service it runs (in
  the order of the programme file): the latest CapacityReport for that organisation and service
  dated on or before today (by local date, then id), its level and date. A cell is *stale* when
  its report is `silent_after_working_days` working days old or more (programme file thresholds,
  default 3), counted from the day after the report to yesterday (bot.common.calendar.silent_working_days),
  as a silent scheme is counted; a cell never reported is stale too.
- Risks: open (not closed) risks from bot.risks.listing.open_risks: a count per severity (critical first)
  and the first TOP_RISKS, critical and oldest first.
- Confidential (bot.people.confidential): each cell says whether its level is confidential; the
  screen holds every level and every risk, and `for_audience` takes out what a viewer may not see
  by name (other organisations' confidential levels, risks naming them), counted per service instead.
- Quiet: bot.reports.engagement's quiet partners, after `silent_after_working_days` prompted days.
- Today: partners prompted today (a working day, not after the deadline, live, not away) and how
  many of them have answered.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from bot.checkin.levels import Pair, Standing, newest_levels
from bot.common.calendar import is_working_day, local_date, silent_working_days
from bot.common.capacity import level_wording
from bot.common.labels import service_label
from bot.people.confidential import Aggregate, Audience, Confidentiality, aggregate
from bot.reports.engagement import OrganisationRow, Quiet, Roster, quiet_from, roster
from bot.reports.money import MoneyPanel
from bot.risks.listing import RiskView, open_risks, visible_risks
from bot.spend.flags import spend_thresholds
from bot.spend.ledger import spend_position
from models.tables import Organisation, Programme, row_id
from models.vocabulary import Severity

TOP_RISKS = 5
RECENT_DAYS = 14  # capacity: the newest reports are looked for in these calendar days first


@dataclass(frozen=True)
class CapacityCell:
    service: str  # models.vocabulary.Service value
    label: str
    level: int | None  # None: never reported
    wording: str | None  # the OPEL-style wording of the level
    reported_on: date | None
    working_days_old: int | None  # working days from the day after the report to yesterday
    stale: bool
    confidential: bool = False  # shown by name only to the leads and the organisation's members


@dataclass(frozen=True)
class CapacityRow(OrganisationRow):
    cells: tuple[CapacityCell, ...]

    @property
    def worst(self) -> int | None:
        levels = [c.level for c in self.cells if c.level is not None]
        return max(levels) if levels else None


@dataclass(frozen=True)
class CapacityGrid:
    services: tuple[str, ...]  # every service in the rows, first seen first: the grid's columns
    rows: tuple[CapacityRow, ...]
    stale_after_working_days: int
    confidential: tuple[Aggregate, ...] = ()  # the levels taken out for a viewer, counted per service

    def cell(self, organisation_id: int, service: str) -> CapacityCell | None:
        for row in self.rows:
            if row.organisation_id == organisation_id:
                return next((c for c in row.cells if c.service == service), None)
        return None


@dataclass(frozen=True)
class RiskPanel:
    by_severity: tuple[tuple[Severity, int], ...]  # critical, high, medium, low (zeros included)
    total: int
    top: tuple[RiskView, ...]  # the first TOP_RISKS, critical and oldest first
    every: tuple[RiskView, ...] = ()  # all of them, for for_audience to count again


@dataclass(frozen=True)
class TodayCheckins:
    local_date: date
    working_day: bool  # False: nobody is prompted today (weekend, bank holiday, after the deadline)
    expected: int  # partners prompted today
    answered: int  # of those, who have answered today


@dataclass(frozen=True)
class StatusScreen:
    programme_id: int
    programme_slug: str
    programme_name: str
    now: datetime
    today: date
    money: MoneyPanel
    capacity: CapacityGrid
    risks: RiskPanel
    quiet: tuple[Quiet, ...]
    quiet_after_working_days: int
    checkins_today: TodayCheckins


def silent_after(programme: Programme) -> int:
    return spend_thresholds(programme).silent_after_working_days


def status_screen(session: Session, programme: Programme, now: datetime) -> StatusScreen:
    """The lead's one screen at `now` (the programme's local date decides 'today')."""
    assert programme.id is not None
    today = local_date(now, programme.timezone)
    after = silent_after(programme)
    people = roster(session, programme, today, history=False)
    return StatusScreen(
        programme_id=programme.id,
        programme_slug=programme.slug,
        programme_name=programme.name,
        now=now,
        today=today,
        money=MoneyPanel.of(spend_position(session, programme, today)),
        capacity=capacity_grid(session, programme, today, after, people.organisations),
        risks=_risks(open_risks(session, programme.id, now)),
        quiet=tuple(quiet_from(people, after)),
        quiet_after_working_days=after,
        checkins_today=_today(people),
    )


def capacity_grid(
    session: Session,
    programme: Programme,
    today: date,
    stale_after: int,
    organisations: tuple[Organisation, ...] | None = None,
) -> CapacityGrid:
    """The latest level per live organisation and service it runs: two queries for the reports
    (see _latest_levels) and one for the organisations when they are not given."""
    if organisations is None:
        organisations = tuple(
            session.exec(
                select(Organisation).where(Organisation.programme_id == programme.id).order_by(col(Organisation.id))
            )
        )
    wanted = {(row_id(o), service) for o in organisations if o.archived_at is None for service in (o.services or ())}
    latest = _latest_levels(session, row_id(programme), today, wanted)
    secret = Confidentiality.of(programme)
    rows, services = [], []
    for organisation in organisations:
        if organisation.archived_at is not None or not organisation.services:
            continue
        cells = []
        for service in organisation.services:
            if service not in services:
                services.append(service)
            report = latest.get((row_id(organisation), service))
            confidential = secret.level(organisation.key, service)
            if report is None:
                cells.append(CapacityCell(service, service_label(service), None, None, None, None, True, confidential))
                continue
            level, day = report
            old = silent_working_days(day, start=day, today=today)
            cells.append(
                CapacityCell(
                    service=service,
                    label=service_label(service),
                    level=level,
                    wording=_wording(level),
                    reported_on=day,
                    working_days_old=old,
                    stale=old >= stale_after,
                    confidential=confidential,
                )
            )
        rows.append(CapacityRow.of(organisation, cells=tuple(cells)))
    return CapacityGrid(services=tuple(services), rows=tuple(rows), stale_after_working_days=stale_after)


def _wording(level: int) -> str | None:
    try:
        return level_wording(level)
    except ValueError:
        return None


def _latest_levels(
    session: Session, programme_id: int, today: date, wanted: set[tuple[int, str]] | None = None
) -> dict[Pair, Standing]:
    """(organisation, service) -> (level, local date) of the newest report on or before today.

    Two statements whatever the history: the newest report of each pair among the last
    RECENT_DAYS days (a window query over those days only), then, for the organisations with a
    `wanted` pair not found there (never reported, or silent for longer), the same query over
    their earlier reports. A report in the recent days is newer than any before them, so the
    answer is the same as one window query over the whole history, at a fraction of the cost.
    With `wanted` None, the second statement looks at every organisation."""
    since = today - timedelta(days=RECENT_DAYS)
    latest = newest_levels(session, programme_id, today, since)
    missing = None if wanted is None else sorted({org for org, service in wanted if (org, service) not in latest})
    earlier = newest_levels(session, programme_id, since - timedelta(days=1), None, missing)
    for key, found in earlier.items():
        latest.setdefault(key, found)
    return latest


def _risks(risks: list[RiskView]) -> RiskPanel:
    order = sorted(Severity, key=lambda s: -list(Severity).index(s))
    counts = tuple((severity, sum(1 for r in risks if r.severity == severity)) for severity in order)
    return RiskPanel(by_severity=counts, total=len(risks), top=tuple(risks[:TOP_RISKS]), every=tuple(risks))


def for_audience(screen: StatusScreen, audience: Audience) -> StatusScreen:
    """The screen without what `audience` may not see by name: other organisations' confidential
    levels (counted per service instead) and the risks that would tell them."""
    if audience.is_lead:
        return screen
    return replace(
        screen,
        capacity=_capacity_for(screen.capacity, audience),
        risks=_risks(visible_risks(list(screen.risks.every or screen.risks.top), audience)),
    )


def _capacity_for(grid: CapacityGrid, audience: Audience) -> CapacityGrid:
    hidden: dict[str, list[int | None]] = {}
    rows = []
    for row in grid.rows:
        if audience.sees(row.organisation_id):
            rows.append(row)
            continue
        for c in row.cells:
            if c.confidential:
                hidden.setdefault(c.service, []).append(c.level)
        kept = tuple(c for c in row.cells if not c.confidential)
        if kept:
            rows.append(replace(row, cells=kept))
    counted = tuple(aggregate(service, levels) for service, levels in hidden.items())
    return replace(grid, rows=tuple(rows), confidential=counted)


def _today(people: Roster) -> TodayCheckins:
    prompted = people.prompted_today()
    day = people.today
    return TodayCheckins(
        local_date=day,
        working_day=is_working_day(day) and people.start <= day <= people.programme.deadline,
        expected=len(prompted),
        answered=sum(1 for m in prompted if m.answered_today),
    )
