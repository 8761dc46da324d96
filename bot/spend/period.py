"""The spend period in working days: from the first tranche's available date to the deadline.

Working days are England's (bot.common.calendar). `left` counts today and the deadline; before
the first tranche lands, working days are counted from its date. The recent window is the last
RECENT_WORKING_DAYS working days before today (fewer early in the period).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from bot.common.calendar import add_working_days, count_working_days, working_days_left

RECENT_WORKING_DAYS = 10


@dataclass(frozen=True)
class Period:
    start: date
    deadline: date
    today: date
    elapsed: int  # working days from the start to yesterday (capped at the deadline)
    left: int  # working days from today to the deadline, both included
    total: int  # working days from the start to the deadline

    @property
    def share_elapsed(self) -> Decimal:
        return Decimal(self.elapsed) / Decimal(self.total) if self.total else Decimal(0)

    @property
    def judged_until(self) -> date:
        """The day after the last day that counts: today, or the day after the deadline once past it."""
        return min(self.today, self.deadline + timedelta(days=1))


def period_of(available_on: Iterable[date], deadline: date, today: date) -> Period:
    """The period whose tranches land on `available_on` (none yet: it starts today)."""
    start = min(available_on, default=today)
    last_counted = min(today - timedelta(days=1), deadline)
    return Period(
        start=start,
        deadline=deadline,
        today=today,
        elapsed=count_working_days(start, last_counted),
        left=working_days_left(max(today, start), deadline),
        total=count_working_days(start, deadline),
    )


def recent_window(period: Period) -> tuple[int, date, date]:
    """(n, the day before the window, its last day): the last n working days before today,
    n = RECENT_WORKING_DAYS or fewer early in the period."""
    n = min(RECENT_WORKING_DAYS, period.elapsed)
    last = min(period.today - timedelta(days=1), period.deadline)
    if n == 0:
        return 0, last, last
    first = add_working_days(period.judged_until, -n)
    return n, first - timedelta(days=1), last
