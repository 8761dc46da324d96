"""The burn-up series behind the chart (bot.spend.charts): spend and commitment as the ledger
stood at the end of each day of the period, against the allocation available by then, and the
outturn projected at the deadline.

The projection is spend_position's own forecast (`forecast.outturn_recent`), not a second copy of
its rules, so the chart and the digest's words always give the same figure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from itertools import groupby

from sqlmodel import Session

from bot.spend.ledger import LedgerRow, ledger_rows, live_schemes, live_tranches, spend_position
from bot.spend.period import period_of
from bot.spend.position import ZERO, allocated
from models.tables import Programme, Tranche, row_id


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
    projected_outturn: Decimal | None = None  # at the deadline, at the recent run rate; None: past it


def burn_up(session: Session, programme: Programme, today: date) -> BurnUp:
    """One point per calendar day from the period's start to today: the ledger as it stood at
    the end of each day. Three queries, and spend_position's for the projected outturn (none
    once the deadline has passed or before the money lands); Python work linear in rows plus days."""
    assert programme.id is not None
    tranches = live_tranches(session, programme.id)
    schemes = live_schemes(session, programme.id)
    start = period_of((t.available_on for t in tranches), programme.deadline, today).start
    rows = ledger_rows(session, programme.id, {row_id(s) for s, _ in schemes})
    deltas = _daily_deltas(rows, start)
    steps = _allocation_steps(tranches, start)
    points = []
    actual = committed = allocated_by = ZERO
    day = start
    while day <= today:
        d_actual, d_committed = deltas.get(day, (ZERO, ZERO))
        actual, committed = actual + d_actual, committed + d_committed
        allocated_by += steps.get(day, ZERO)
        points.append(BurnUpPoint(day=day, actual=actual, committed=committed, allocated=allocated_by))
        day += timedelta(days=1)
    return BurnUp(
        programme_name=programme.name,
        start=start,
        today=today,
        deadline=programme.deadline,
        allocated_total=allocated(tranches),
        points=tuple(points),
        tranches=tuple((t.available_on, t.amount, t.name) for t in tranches),
        projected_outturn=_projected_outturn(session, programme, today) if points else None,
    )


def _projected_outturn(session: Session, programme: Programme, today: date) -> Decimal | None:
    if today > programme.deadline:
        return None
    return spend_position(session, programme, today).forecast.outturn_recent


def _daily_deltas(rows: list[LedgerRow], start: date) -> dict[date, tuple[Decimal, Decimal]]:
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
