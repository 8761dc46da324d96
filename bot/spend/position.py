"""Spend against the deadline: what a position holds, and how its forecast is calculated.

Plain numbers a finance lead would trust. Every amount is Decimal, to the penny.

Definitions (the README repeats them for users):
- A scheme's figures are the newest row of the append-only ledger (SpendReport) for it, by
  date, then the time it was said, then id (bot.common.newest; read by bot.spend.ledger): `actual`
  is spent to date, `committed` is committed but not yet spent. Commitment = actual + committed.
- Allocated so far: tranches whose `available_on` is on or before today; total: all tranches.
- The period runs from the first tranche's available date to the deadline. Working days done
  and left are bot.common.definitions': today is left until a figure dated today is entered,
  so on the deadline, once its figures are in, nothing is left and the outturn is the actual.
- Run rate needed = (total allocation - actual) / working days left (0 left: the remainder;
  never below 0).
- Recent run rate: actual spent over the last RECENT_WORKING_DAYS working days before today
  (from the ledger's figures as they stood at each end), per working day. Whole-period run
  rate: actual / working days done since the period began.
- Outturn forecast at the deadline = actual + run rate x working days left, for each rate; on a
  committed basis, actual + committed (what is spent and what is promised, with no more).
- Projected variance = forecast - total allocation (negative: underspend).
- Rates are quantized to the penny (ROUND_HALF_UP) where they divide; the outturns are then exact.
Only live (not archived) schemes and tranches count. The flags are bot.spend.flags'.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from bot.spend.period import Period
from models.tables import Tranche
from models.vocabulary import FundingSource

PENNY = Decimal("0.01")
ZERO = Decimal("0")


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
    outturn_committed: Decimal = ZERO  # actual + committed
    variance_committed: Decimal = ZERO
    recent_working_days: int = 0  # the recent window: RECENT_WORKING_DAYS, fewer early on


@dataclass(frozen=True)
class Flag:
    rule: str  # "underspend_risk", "overcommitted", "silent_scheme", "activity_behind_plan"
    subject: str  # the programme slug or a scheme key
    message: str  # one plain sentence a lead can act on
    raised_on: date | None = None  # the working day a flag with hysteresis was raised (underspend_risk)


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

    @property
    def today_in(self) -> bool:
        """A figure dated today has been entered: today is done, not left (bot.common.definitions)."""
        return any(s.last_reported == self.today for s in self.schemes)


def penny(value: Decimal) -> Decimal:
    return value.quantize(PENNY, rounding=ROUND_HALF_UP)


def per_day(amount: Decimal, days: int) -> Decimal:
    return penny(amount / days) if days > 0 else ZERO


def allocated(tranches: list[Tranche], by: date | None = None) -> Decimal:
    """The tranches' total; available on or before `by` only, when given."""
    return sum((t.amount for t in tranches if by is None or t.available_on <= by), ZERO)


def by_source(tranches: list[Tranche], schemes: tuple[SchemeSpend, ...], today: date) -> tuple[SourceSpend, ...]:
    """The allocation and the spend per funding source, in the vocabulary's order of sources."""
    sources = {t.funding_source for t in tranches} | {s.funding_source for s in schemes}
    order = {source.value: index for index, source in enumerate(FundingSource)}
    return tuple(
        SourceSpend(
            funding_source=source,
            allocated_so_far=allocated([t for t in tranches if t.funding_source == source], today),
            allocated_total=allocated([t for t in tranches if t.funding_source == source]),
            actual=sum((s.actual for s in schemes if s.funding_source == source), ZERO),
            committed=sum((s.committed for s in schemes if s.funding_source == source), ZERO),
        )
        for source in sorted(sources, key=lambda s: (order.get(s, len(order)), s))
    )


def forecast(
    period: Period, allocation: Decimal, actual: Decimal, committed: Decimal, recent_spent: Decimal, n: int
) -> Forecast:
    """The outturn at the deadline at the recent rate (`recent_spent` over the last `n` working
    days), at the whole period's rate, and on the committed basis."""
    remaining = max(allocation - actual, ZERO)
    recent_rate = per_day(recent_spent, n)
    period_rate = per_day(actual, period.elapsed)
    outturn_recent = actual + recent_rate * period.left
    outturn_period = actual + period_rate * period.left
    return Forecast(
        working_days_elapsed=period.elapsed,
        working_days_left=period.left,
        run_rate_needed=per_day(remaining, period.left) if period.left else remaining,
        recent_run_rate=recent_rate,
        period_run_rate=period_rate,
        outturn_recent=outturn_recent,
        outturn_period=outturn_period,
        variance_recent=outturn_recent - allocation,
        variance_period=outturn_period - allocation,
        outturn_committed=actual + committed,
        variance_committed=actual + committed - allocation,
        recent_working_days=n,
    )
