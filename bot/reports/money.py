"""The money as the leads read it: a spend position's totals and its forecast at the recent run
rate (the last 10 working days), shared by the status screen and the brief."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Self

from bot.spend.position import Flag, SpendPosition


@dataclass(frozen=True)
class MoneyPanel:
    allocated_so_far: Decimal
    allocated_total: Decimal
    actual: Decimal
    committed: Decimal
    outturn_recent: Decimal  # forecast at the deadline at the recent run rate
    variance_recent: Decimal  # outturn - allocation: negative means underspend
    run_rate_needed: Decimal  # per working day, to spend the rest by the deadline
    recent_run_rate: Decimal  # per working day
    working_days_left: int
    deadline: date
    flags: tuple[Flag, ...]

    @property
    def commitment(self) -> Decimal:
        return self.actual + self.committed

    @classmethod
    def of(cls, position: SpendPosition, **more: Any) -> Self:
        """The panel of `position`; `more` gives a subclass's own fields, or other figures."""
        forecast = position.forecast
        figures: dict[str, Any] = {
            "allocated_so_far": position.allocated_so_far,
            "allocated_total": position.allocated_total,
            "actual": position.actual,
            "committed": position.committed,
            "outturn_recent": forecast.outturn_recent,
            "variance_recent": forecast.variance_recent,
            "run_rate_needed": forecast.run_rate_needed,
            "recent_run_rate": forecast.recent_run_rate,
            "working_days_left": forecast.working_days_left,
            "deadline": position.deadline,
            "flags": position.flags,
        }
        return cls(**(figures | more))
