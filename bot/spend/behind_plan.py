"""The schemes behind plan, worst first: how far each is below what was expected by now. Pure.

Which schemes are behind is bot.spend.flags' rule (its "activity_behind_plan" flags); this
only measures them, so that a report can name the worst few in one line and count the rest.
The expectation is the flags' too: planned x working days done / working days in the period,
where the period's working days are those done and those left (the position's forecast).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from bot.spend.flags import BEHIND_PLAN_SHARE
from bot.spend.position import SpendPosition
from bot.spend.words import percent_below, quantity_in

BEHIND_PLAN = "activity_behind_plan"  # the flag's rule


@dataclass(frozen=True)
class Shortfall:
    key: str
    name: str
    activity: Decimal
    expected: Decimal  # exact; said as the unit is counted (`expected_words`)
    unit: str

    @property
    def share(self) -> str:
        """Activity as a whole percent of the expected, never reading as the threshold it is below."""
        return percent_below(self.activity, self.expected, int(BEHIND_PLAN_SHARE * 100))

    @property
    def expected_words(self) -> str:
        return quantity_in(self.expected, self.unit)


def shortfalls(position: SpendPosition) -> tuple[Shortfall, ...]:
    """The schemes the position flags as behind plan, furthest below their expectation (as a
    share) first."""
    behind = {flag.subject for flag in position.flags if flag.rule == BEHIND_PLAN}
    done = position.forecast.working_days_elapsed
    total = done + position.forecast.working_days_left
    if not behind or done == 0:
        return ()
    out = [
        Shortfall(s.key, s.name, s.activity, s.planned * done / total, s.unit)
        for s in position.schemes
        if s.key in behind and s.planned > 0
    ]
    out.sort(key=lambda s: (s.activity / s.expected, s.name.lower()))
    return tuple(out)
