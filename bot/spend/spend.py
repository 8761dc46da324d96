"""Spend against the deadline: the ledger's latest figures, the forecast and the flags.

Plain numbers a finance lead would trust. Every amount is Decimal, to the penny.

Definitions (the README repeats them for users):
- A scheme's figures are the newest row of the append-only ledger (SpendReport) for it, by
  date, then the time it was said, then id (bot.common.newest): `actual` is spent to date, `committed` is committed but not yet spent.
  Commitment = actual + committed.
- Allocated so far: tranches whose `available_on` is on or before today; total: all tranches.
- The period runs from the first tranche's available date to the deadline. Working days are
  England's (bot.common.calendar). `working_days_left` counts today and the deadline.
- Run rate needed = (total allocation - actual) / working days left (0 left: the remainder;
  never below 0). Before the first tranche lands, working days are counted from its date.
- Recent run rate: actual spent over the last RECENT_WORKING_DAYS working days before today
  (from the ledger's figures as they stood at each end), per working day. Whole-period run
  rate: actual / working days elapsed since the period began (today excluded).
- Outturn forecast at the deadline = actual + run rate x working days left, for each rate.
- Projected variance = forecast - total allocation (negative: underspend).
- Rates are quantized to the penny (ROUND_HALF_UP) where they divide; the outturns are then exact.

Flags:
- underspend_risk: the recent-rate outturn below `underspend_risk_percent` of the total
  allocation (programme file thresholds), once a working day of the period has passed.
- overcommitted: actual + committed above the total allocation; per scheme, above its budget.
- silent_scheme: no ledger row for `silent_after_working_days` working days or more, counted
  from the day after the last row to yesterday (a scheme that never reported: from the start).
- activity_behind_plan: activity to date below 75% of planned x (working days elapsed / working
  days in the period), judged once 10% of the period's working days have passed.
Only live (not archived) schemes and tranches count.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import groupby

from sqlalchemy import select as sa_select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.common.calendar import add_working_days, count_working_days, silent_working_days, working_days_left
from bot.common.money import format_money, format_quantity
from bot.common.newest import newest_first
from bot.common.wording import shortened
from bot.programme.programmes import get_programme
from models.db import session_scope
from models.tables import Organisation, Programme, Scheme, SpendReport, Tranche, row_id
from models.vocabulary import FUNDING_SOURCE_LABELS, UNIT_LABELS, FundingSource, Unit

RECENT_WORKING_DAYS = 10


@dataclass(frozen=True)
class SchemeSpend:
    scheme_id: int
    key: str
    name: str
    scheme_type: str  # models.vocabulary.SchemeType value
    funding_source: str  # models.vocabulary.FundingSource value
    owner: str  # organisation name
    budget: Decimal
    actual: Decimal
    committed: Decimal
    activity: Decimal
    planned: Decimal
    unit: str  # models.vocabulary.Unit value
    last_reported: date | None  # local date of the latest ledger row; None: never reported


@dataclass(frozen=True)
class SourceSpend:
    funding_source: str
    allocated_so_far: Decimal
    allocated_total: Decimal
    actual: Decimal
    committed: Decimal


@dataclass(frozen=True)
class Forecast:
    working_days_elapsed: int
    working_days_left: int
    run_rate_needed: Decimal  # per working day, to spend the rest by the deadline
    recent_run_rate: Decimal  # per working day
    period_run_rate: Decimal  # per working day
    outturn_recent: Decimal
    outturn_period: Decimal
    variance_recent: Decimal  # outturn - allocation: negative means underspend
    variance_period: Decimal


@dataclass(frozen=True)
class Flag:
    rule: str  # "underspend_risk", "overcommitted", "silent_scheme", "activity_behind_plan"
    subject: str  # the programme slug or a scheme key
    message: str  # one plain sentence a lead can act on


@dataclass(frozen=True)
class SpendPosition:
    programme_slug: str
    programme_name: str
    today: date
    deadline: date
    allocated_so_far: Decimal
    allocated_total: Decimal
    actual: Decimal
    committed: Decimal
    by_source: tuple[SourceSpend, ...]
    schemes: tuple[SchemeSpend, ...]
    forecast: Forecast
    flags: tuple[Flag, ...]

    @property
    def commitment(self) -> Decimal:
        return self.actual + self.committed


@dataclass(frozen=True)
class BurnUpPoint:
    day: date
    actual: Decimal  # cumulative, as the ledger stood at the end of that day
    committed: Decimal  # committed not yet spent, likewise
    allocated: Decimal  # tranches available by that day


@dataclass(frozen=True)
class BurnUp:
    """The series behind the burn-up chart: one point per calendar day from the start of the
    period to today, plus the tranches' steps and the even trajectory's end points."""

    programme_name: str
    start: date
    today: date
    deadline: date
    allocated_total: Decimal
    points: tuple[BurnUpPoint, ...]
    tranches: tuple[tuple[date, Decimal, str], ...]  # (available_on, amount, name)


PENNY = Decimal("0.01")
ZERO = Decimal("0")
BEHIND_PLAN_SHARE = Decimal("0.75")  # activity below 75% of the pro-rata plan is behind
BEHIND_PLAN_AFTER = Decimal("0.10")  # judged only once 10% of the period's working days have passed


@dataclass(frozen=True)
class _Figures:
    """A scheme's latest ledger row as of some day."""

    actual: Decimal
    committed: Decimal
    activity: Decimal
    local_date: date


def penny(value: Decimal) -> Decimal:
    return value.quantize(PENNY, rounding=ROUND_HALF_UP)


def _per_day(amount: Decimal, days: int) -> Decimal:
    return penny(amount / days) if days > 0 else ZERO


# -- the queries: a fixed handful, whatever the number of days or schemes -----------------


def _tranches(session: Session, programme_id: int) -> list[Tranche]:
    return list(
        session.exec(
            select(Tranche)
            .where(Tranche.programme_id == programme_id, col(Tranche.archived_at).is_(None))
            .order_by(col(Tranche.available_on), col(Tranche.id))
        )
    )


def _schemes(session: Session, programme_id: int) -> list[tuple[Scheme, str]]:
    rows = session.exec(
        select(Scheme, Organisation.name)
        .join(Organisation, col(Organisation.id) == col(Scheme.owner_organisation_id))
        .where(Scheme.programme_id == programme_id, col(Scheme.archived_at).is_(None))
        .order_by(col(Scheme.id))
    ).all()
    return [(scheme, owner) for scheme, owner in rows]


def _latest_as_of(session: Session, programme_id: int, day: date) -> dict[int, _Figures]:
    """Each scheme's newest row (bot.common.newest) among rows dated on or before `day`: one
    query, a look-up per scheme down the ledger's (scheme, local_date, reported_at, id) index from its
    newest row, so the cost follows the number of schemes, not the length of the ledger."""
    newest = (
        sa_select(col(SpendReport.id))
        .where(col(SpendReport.scheme_id) == col(Scheme.id), col(SpendReport.local_date) <= day)
        .order_by(*newest_first(SpendReport))
        .limit(1)
        .correlate(Scheme)
        .scalar_subquery()
    )
    latest = sa_select(newest.label("report_id")).where(col(Scheme.programme_id) == programme_id).subquery()
    rows = session.execute(
        sa_select(
            col(SpendReport.scheme_id),
            col(SpendReport.actual),
            col(SpendReport.committed),
            col(SpendReport.activity),
            col(SpendReport.local_date),
        ).join(latest, latest.c.report_id == col(SpendReport.id))
    ).all()
    return {row[0]: _Figures(row[1], row[2], row[3], row[4]) for row in rows}


def _ledger(session: Session, programme_id: int, schemes: set[int]) -> list[tuple[int, date, Decimal, Decimal]]:
    """Every ledger row of the programme (scheme, local date, actual, committed), in the order
    that decides which row wins (bot.common.newest), oldest first within each scheme. One query."""
    rows = session.execute(
        sa_select(
            col(SpendReport.scheme_id), col(SpendReport.local_date), col(SpendReport.actual), col(SpendReport.committed)
        )
        .where(col(SpendReport.programme_id) == programme_id)
        .order_by(col(SpendReport.scheme_id), *(order.element.asc() for order in newest_first(SpendReport)))
    ).all()
    return [(r[0], r[1], r[2], r[3]) for r in rows if r[0] in schemes]


# -- the period ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Period:
    start: date
    deadline: date
    today: date
    elapsed: int  # working days from the start to yesterday (capped at the deadline)
    left: int  # working days from today to the deadline, both included
    total: int  # working days from the start to the deadline

    @property
    def share_elapsed(self) -> Decimal:
        return Decimal(self.elapsed) / Decimal(self.total) if self.total else ZERO


def _period(tranches: list[Tranche], deadline: date, today: date) -> _Period:
    start = min((t.available_on for t in tranches), default=today)
    last_counted = min(today - timedelta(days=1), deadline)
    return _Period(
        start=start,
        deadline=deadline,
        today=today,
        elapsed=count_working_days(start, last_counted),
        left=working_days_left(max(today, start), deadline),
        total=count_working_days(start, deadline),
    )


def _recent_window(period: _Period) -> tuple[int, date, date]:
    """(n, the day before the window, its last day): the last n working days before today,
    n = RECENT_WORKING_DAYS or fewer early in the period."""
    n = min(RECENT_WORKING_DAYS, period.elapsed)
    last = min(period.today - timedelta(days=1), period.deadline)
    if n == 0:
        return 0, last, last
    first = add_working_days(min(period.today, period.deadline + timedelta(days=1)), -n)
    return n, first - timedelta(days=1), last


# -- the position --------------------------------------------------------------------------


def spend_position(session: Session, programme: Programme, today: date) -> SpendPosition:
    """Where the money stands on `today` (the programme's local date): the ledger's rows dated
    on or before today, the tranches, the forecast and the flags. Five queries."""
    assert programme.id is not None
    tranches = _tranches(session, programme.id)
    schemes = _schemes(session, programme.id)
    period = _period(tranches, programme.deadline, today)
    latest = _latest_as_of(session, programme.id, today)
    n, before, last = _recent_window(period)
    if n:
        recent_spent = _total_actual(_latest_as_of(session, programme.id, last), schemes) - _total_actual(
            _latest_as_of(session, programme.id, before), schemes
        )
    else:
        recent_spent = ZERO
    lines = tuple(_scheme_spend(scheme, owner, latest.get(row_id(scheme))) for scheme, owner in schemes)
    allocated_total = sum((t.amount for t in tranches), ZERO)
    actual = sum((s.actual for s in lines), ZERO)
    committed = sum((s.committed for s in lines), ZERO)
    forecast = _forecast(period, allocated_total, actual, recent_spent, n)
    position = SpendPosition(
        programme_slug=programme.slug,
        programme_name=programme.name,
        today=today,
        deadline=programme.deadline,
        allocated_so_far=sum((t.amount for t in tranches if t.available_on <= today), ZERO),
        allocated_total=allocated_total,
        actual=actual,
        committed=committed,
        by_source=_by_source(tranches, lines, today),
        schemes=lines,
        forecast=forecast,
        flags=(),
    )
    return replace(position, flags=_flags(position, period, _thresholds(programme)))


def _total_actual(latest: dict[int, _Figures], schemes: list[tuple[Scheme, str]]) -> Decimal:
    return sum((latest[s.id].actual for s, _ in schemes if s.id in latest), ZERO)


def _scheme_spend(scheme: Scheme, owner: str, figures: _Figures | None) -> SchemeSpend:
    return SchemeSpend(
        scheme_id=row_id(scheme),
        key=scheme.key,
        name=scheme.name,
        scheme_type=scheme.scheme_type,
        funding_source=scheme.funding_source,
        owner=owner,
        budget=scheme.budget,
        actual=figures.actual if figures else ZERO,
        committed=figures.committed if figures else ZERO,
        activity=figures.activity if figures else ZERO,
        planned=scheme.planned,
        unit=scheme.unit,
        last_reported=figures.local_date if figures else None,
    )


def _by_source(tranches: list[Tranche], schemes: tuple[SchemeSpend, ...], today: date) -> tuple[SourceSpend, ...]:
    sources = {t.funding_source for t in tranches} | {s.funding_source for s in schemes}
    order = {source.value: index for index, source in enumerate(FundingSource)}
    return tuple(
        SourceSpend(
            funding_source=source,
            allocated_so_far=sum(
                (t.amount for t in tranches if t.funding_source == source and t.available_on <= today), ZERO
            ),
            allocated_total=sum((t.amount for t in tranches if t.funding_source == source), ZERO),
            actual=sum((s.actual for s in schemes if s.funding_source == source), ZERO),
            committed=sum((s.committed for s in schemes if s.funding_source == source), ZERO),
        )
        for source in sorted(sources, key=lambda s: (order.get(s, len(order)), s))
    )


def _forecast(period: _Period, allocation: Decimal, actual: Decimal, recent_spent: Decimal, n: int) -> Forecast:
    remaining = max(allocation - actual, ZERO)
    recent_rate = _per_day(recent_spent, n)
    period_rate = _per_day(actual, period.elapsed)
    outturn_recent = actual + recent_rate * period.left
    outturn_period = actual + period_rate * period.left
    return Forecast(
        working_days_elapsed=period.elapsed,
        working_days_left=period.left,
        run_rate_needed=_per_day(remaining, period.left) if period.left else remaining,
        recent_run_rate=recent_rate,
        period_run_rate=period_rate,
        outturn_recent=outturn_recent,
        outturn_period=outturn_period,
        variance_recent=outturn_recent - allocation,
        variance_period=outturn_period - allocation,
    )


# -- the flags -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Thresholds:
    underspend_risk_percent: int
    silent_after_working_days: int


def _thresholds(programme: Programme) -> _Thresholds:
    given = (programme.settings or {}).get("thresholds") or {}
    return _Thresholds(
        underspend_risk_percent=int(given.get("underspend_risk_percent", 90)),
        silent_after_working_days=int(given.get("silent_after_working_days", 3)),
    )


def _flags(position: SpendPosition, period: _Period, thresholds: _Thresholds) -> tuple[Flag, ...]:
    flags = [
        *_underspend(position, period, thresholds.underspend_risk_percent),
        *_overcommitted(position),
    ]
    for scheme in position.schemes:
        flags += _silent(scheme, period, thresholds.silent_after_working_days)
        flags += _behind_plan(scheme, period)
    return tuple(flags)


def _underspend(position: SpendPosition, period: _Period, percent: int) -> list[Flag]:
    """Judged on the recent-rate outturn, once a working day has passed (before that there
    is no rate to forecast from)."""
    forecast, allocation = position.forecast, position.allocated_total
    if period.elapsed == 0 or allocation <= 0:
        return []
    if forecast.outturn_recent * 100 >= allocation * percent:
        return []
    share = (forecast.outturn_recent * 100 / allocation).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return [
        Flag(
            "underspend_risk",
            position.programme_slug,
            f"Underspend risk: at the recent run rate ({format_money(forecast.recent_run_rate)} a working day) "
            f"the forecast outturn is {format_money(forecast.outturn_recent)}, {share}% of the "
            f"{format_money(allocation)} allocation, below the {percent}% threshold; "
            f"{format_money(forecast.run_rate_needed)} a working day is needed to spend it all.",
        )
    ]


def _overcommitted(position: SpendPosition) -> list[Flag]:
    flags = []
    if position.commitment > position.allocated_total:
        flags.append(
            Flag(
                "overcommitted",
                position.programme_slug,
                f"Overcommitted: spent and committed {format_money(position.commitment, pence=True)} is "
                f"{format_money(position.commitment - position.allocated_total, pence=True)} more than the "
                f"{format_money(position.allocated_total, pence=True)} allocation.",
            )
        )
    for s in position.schemes:
        commitment = s.actual + s.committed
        if commitment > s.budget:
            flags.append(
                Flag(
                    "overcommitted",
                    s.key,
                    f"{s.name} is overcommitted: spent and committed {format_money(commitment, pence=True)} is "
                    f"{format_money(commitment - s.budget, pence=True)} over its budget of "
                    f"{format_money(s.budget, pence=True)}.",
                )
            )
    return flags


def _silent(scheme: SchemeSpend, period: _Period, after: int) -> list[Flag]:
    days = silent_working_days(
        scheme.last_reported, period.start, min(period.today, period.deadline + timedelta(days=1))
    )
    if days < after:
        return []
    since = f"last report {scheme.last_reported:%a %d %b}" if scheme.last_reported else "never reported"
    return [
        Flag(
            "silent_scheme",
            scheme.key,
            f"{scheme.name} ({scheme.owner}) has not reported for {days} working days ({since}).",
        )
    ]


def _behind_plan(scheme: SchemeSpend, period: _Period) -> list[Flag]:
    """Activity below 75% of the plan pro rata to the working days elapsed; judged once 10% of
    the period has passed. Compared exactly: activity x total < 0.75 x planned x elapsed."""
    if scheme.planned <= 0 or period.total == 0 or period.share_elapsed < BEHIND_PLAN_AFTER:
        return []
    if scheme.activity * period.total >= BEHIND_PLAN_SHARE * scheme.planned * period.elapsed:
        return []
    expected = (scheme.planned * period.elapsed / period.total).quantize(PENNY, rounding=ROUND_HALF_UP)
    unit = unit_label(scheme.unit)
    return [
        Flag(
            "activity_behind_plan",
            scheme.key,
            f"{scheme.name} is behind plan: {format_quantity(scheme.activity)} {unit} to date against "
            f"{format_quantity(expected)} expected by now ({format_quantity(scheme.planned)} planned by the deadline).",
        )
    ]


# -- the burn-up series ----------------------------------------------------------------------


def burn_up(session: Session, programme: Programme, today: date) -> BurnUp:
    """One point per calendar day from the period's start to today: the ledger as it stood at
    the end of each day. Three queries; Python work linear in rows plus days."""
    assert programme.id is not None
    tranches = _tranches(session, programme.id)
    schemes = _schemes(session, programme.id)
    start = min((t.available_on for t in tranches), default=today)
    rows = _ledger(session, programme.id, {row_id(s) for s, _ in schemes})
    deltas = _daily_deltas(rows, start)
    steps = _allocation_steps(tranches, start)
    points = []
    actual = committed = allocated = ZERO
    day = start
    while day <= today:
        d_actual, d_committed = deltas.get(day, (ZERO, ZERO))
        actual, committed, allocated = actual + d_actual, committed + d_committed, allocated + steps.get(day, ZERO)
        points.append(BurnUpPoint(day=day, actual=actual, committed=committed, allocated=allocated))
        day += timedelta(days=1)
    return BurnUp(
        programme_name=programme.name,
        start=start,
        today=today,
        deadline=programme.deadline,
        allocated_total=sum((t.amount for t in tranches), ZERO),
        points=tuple(points),
        tranches=tuple((t.available_on, t.amount, t.name) for t in tranches),
    )


def _daily_deltas(rows: list[tuple[int, date, Decimal, Decimal]], start: date) -> dict[date, tuple[Decimal, Decimal]]:
    """How the programme's totals change on each day. Per scheme, the figure at the end of a day
    is its newest row dated on or before that day (bot.common.newest); rows come oldest first, so
    the last row of each date is that date's figure and replaces the one before. Days before the
    start are folded into the start."""
    deltas: dict[date, tuple[Decimal, Decimal]] = {}
    for _, scheme_rows in groupby(rows, key=lambda row: row[0]):
        before = (ZERO, ZERO)
        for day, same_day in groupby(scheme_rows, key=lambda row: row[1]):
            *_, (_, _, actual, committed) = same_day
            folded = max(day, start)
            d_actual, d_committed = deltas.get(folded, (ZERO, ZERO))
            deltas[folded] = (d_actual + actual - before[0], d_committed + committed - before[1])
            before = (actual, committed)
    return deltas


def _allocation_steps(tranches: list[Tranche], start: date) -> dict[date, Decimal]:
    steps: dict[date, Decimal] = {}
    for t in tranches:
        day = max(t.available_on, start)
        steps[day] = steps.get(day, ZERO) + t.amount
    return steps


# -- the terminal text ---------------------------------------------------------------------


def source_label(source: str) -> str:
    try:
        return FUNDING_SOURCE_LABELS[FundingSource(source)]
    except ValueError:
        return source


def unit_label(unit: str) -> str:
    try:
        return UNIT_LABELS[Unit(unit)]
    except ValueError:
        return unit


def percent_of(part: Decimal, whole: Decimal) -> str:
    if whole <= 0:
        return "-"
    return f"{(part * 100 / whole).quantize(Decimal(1), rounding=ROUND_HALF_UP)}%"


def forecast_lines(position: SpendPosition) -> list[str]:
    """The forecast in plain sentences, shared by the terminal and the chat renderers."""
    f = position.forecast
    money = lambda value: format_money(value, pence=True)  # noqa: E731
    lines = [
        (
            f"Working days: {f.working_days_elapsed} gone, {f.working_days_left} left to "
            f"{position.deadline:%a %d %b %Y} (today counts; weekends and England's bank holidays do not)"
        ),
        f"Run rate needed to spend the rest: {money(f.run_rate_needed)} a working day",
        (
            f"Recent run rate (last {min(RECENT_WORKING_DAYS, f.working_days_elapsed)} working days): "
            f"{money(f.recent_run_rate)} a day; outturn at the deadline {money(f.outturn_recent)} "
            f"({_variance(f.variance_recent)})"
        ),
        (
            f"Whole-period run rate: {money(f.period_run_rate)} a day; outturn at the deadline "
            f"{money(f.outturn_period)} ({_variance(f.variance_period)})"
        ),
    ]
    return lines


def _variance(value: Decimal) -> str:
    if value < 0:
        return f"underspend {format_money(-value, pence=True)}"
    if value > 0:
        return f"overspend {format_money(value, pence=True)}"
    return "on the allocation exactly"


def format_spend(position: SpendPosition) -> str:
    """The spend position as terminal text (what `winterbot status SLUG` prints)."""
    money = lambda value: format_money(value, pence=True)  # noqa: E731
    out = [
        f"{position.programme_name} ({position.programme_slug}): spend on {position.today:%a %d %b %Y}",
        "",
        f"Allocated so far {money(position.allocated_so_far)} of {money(position.allocated_total)}",
        (
            f"Actual {money(position.actual)}, committed {money(position.committed)}, commitment "
            f"{money(position.commitment)} ({percent_of(position.commitment, position.allocated_total)} of the allocation)"
        ),
    ]
    for s in position.by_source:
        out.append(
            f"  {source_label(s.funding_source):<22} allocated {money(s.allocated_so_far)} of "
            f"{money(s.allocated_total)}; actual {money(s.actual)}, committed {money(s.committed)}"
        )
    out += ["", *forecast_lines(position), ""]
    out.append(f"Flags ({len(position.flags)}):" if position.flags else "Flags: none")
    out += [f"  ! {flag.message}" for flag in position.flags]
    out += ["", f"{'Scheme':<28} {'Budget':>14} {'Actual':>14} {'Committed':>14} {'Activity':>18}  Last report"]
    for scheme in position.schemes:
        activity = f"{format_quantity(scheme.activity)}/{format_quantity(scheme.planned)}"
        last = f"{scheme.last_reported:%d %b}" if scheme.last_reported else "never"
        out.append(
            f"{shortened(scheme.key + ' ' + scheme.name, 28):<28} {money(scheme.budget):>14} {money(scheme.actual):>14} "
            f"{money(scheme.committed):>14} {activity:>18}  {last}"
        )
    return "\n".join(out)


def status_text(engine: Engine, slug: str, today: date) -> str:
    """`winterbot status SLUG`: the spend position on `today`, as terminal text."""
    with session_scope(engine) as session:
        return format_spend(spend_position(session, get_programme(session, slug), today))
