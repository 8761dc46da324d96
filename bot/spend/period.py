"""The spend period in working days: from the first tranche's available date to the deadline.

Working days are England's (bot.common.calendar); what is done and what is left follow
bot.common.definitions (today is left until its figures are in). The recent window is the last
RECENT_WORKING_DAYS working days before today (fewer early in the period).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from bot.common.calendar import add_working_days, count_working_days
from bot.common.definitions import working_days_done, working_days_left

RECENT_WORKING_DAYS = 10


@dataclass(frozen=True)
class Period:
    start: date
    deadline: date
    today: date
    elapsed: int  # working days done: the start to yesterday, today too once its figures are in
    left: int  # working days left: today (until its figures are in) to the deadline
    total: int  # working days from the start to the deadline
    before_today: int  # working days from the start to yesterday (capped at the deadline)

    @property
    def share_elapsed(self) -> Decimal:
        return Decimal(self.elapsed) / Decimal(self.total) if self.total else Decimal(0)

    @property
    def judged_until(self) -> date:
        """The day after the last day that counts: today, or the day after the deadline once past it."""
        return min(self.today, self.deadline + timedelta(days=1))


def period_of(available_on: Iterable[date], deadline: date, today: date, today_in: bool = False) -> Period:
    """The period whose tranches land on `available_on` (none yet: it starts today); `today_in`:
    a figure dated today has been entered, so today is done, not left."""
    start = min(available_on, default=today)
    return Period(
        start=start,
        deadline=deadline,
        today=today,
        elapsed=working_days_done(start, today, deadline, today_in),
        left=working_days_left(today, deadline, today_in),
        total=count_working_days(start, deadline),
        before_today=count_working_days(start, min(today - timedelta(days=1), deadline)),
    )


def recent_window(period: Period) -> tuple[int, date, date]:
    """(n, the day before the window, its last day): the last n working days before today,
    n = RECENT_WORKING_DAYS or fewer early in the period."""
    n = min(RECENT_WORKING_DAYS, period.before_today)
    last = min(period.today - timedelta(days=1), period.deadline)
    if n == 0:
        return 0, last, last
    first = add_working_days(period.judged_until, -n)
    return n, first - timedelta(days=1), last
