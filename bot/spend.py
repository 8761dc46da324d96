"""Spend against the deadline: the ledger's latest figures, the forecast and the flags.

Plain numbers a finance lead would trust. Every amount is Decimal, to the penny.

Definitions (the README repeats them for users):
- A scheme's figures are the latest row of the append-only ledger (SpendReport) for it, by
  reported_at then id: `actual` is spent to date, `committed` is committed but not yet spent.
  Commitment = actual + committed.
- Allocated so far: tranches whose `available_on` is on or before today; total: all tranches.
- The period runs from the first tranche's available date to the deadline. Working days are
  England's (bot.calendar). `working_days_left` counts today and the deadline.
- Run rate needed = (total allocation - actual) / working days left (0 left: the remainder).
- Recent run rate: actual spent over the last RECENT_WORKING_DAYS working days before today
  (from the ledger's figures as they stood at each end), per working day. Whole-period run
  rate: actual / working days elapsed since the period began (today excluded).
- Outturn forecast at the deadline = actual + run rate x working days left, for each rate.
- Projected variance = forecast - total allocation (negative: underspend).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

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
