"""The fortnightly return's calendar, as the loader keeps it in `Programme.settings["fortnightly_return"]`
(bot.programme.return_spec): when each period ends, the days it covers, which measures feed
each activity line, and which period end a return is asked for.

Periods end on `first_period_end` and every `every_days` days after it, up to the first end on or
after the deadline, so every day to the deadline falls in a period. A period covers the
`every_days` days ending on its end, both included.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from bot.programme.return_spec import RETURN_LINES

SETTING = "fortnightly_return"


class NoReturnCalendar(ValueError):
    """The programme file gives no `fortnightly_return:`."""


class NotAPeriodEnd(ValueError):
    """A period end asked for that is not on the calendar, or has not come yet."""


@dataclass(frozen=True)
class ReturnCalendar:
    first_end: date
    every_days: int
    deadline: date
    # line -> the (service, measure key) pairs that feed it, in the file's order
    lines: Mapping[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)

    def ends(self) -> list[date]:
        """Every period end, oldest first."""
        ends = [self.first_end]
        while ends[-1] < self.deadline:
            ends.append(ends[-1] + timedelta(days=self.every_days))
        return ends

    def ends_up_to(self, day: date) -> list[date]:
        """The period ends on or before `day`, oldest first."""
        return [end for end in self.ends() if end <= day]

    def start_of(self, end: date) -> date:
        return end - timedelta(days=self.every_days - 1)

    def check_end(self, asked: date, today: date) -> date:
        """`asked` when it ends a period that has ended by `today`; else NotAPeriodEnd saying
        which period ends are nearest."""
        ends = self.ends()
        if asked not in ends:
            before = [end for end in ends if end < asked][-1:]
            after = [end for end in ends if end > asked][:1]
            nearest = " and ".join(f"{end:%a %d %b %Y} ({end.isoformat()})" for end in (*before, *after))
            raise NotAPeriodEnd(
                f"{asked:%a %d %b %Y} does not end a return period: the nearest period ends are {nearest} "
                f"(periods of {self.every_days} days from {self.first_end.isoformat()})"
            )
        if asked > today:
            raise NotAPeriodEnd(
                f"the period ending {asked:%a %d %b %Y} has not ended yet (today is {today:%a %d %b %Y}): "
                "its return can be written from that day"
            )
        return asked

    def latest_end(self, today: date) -> date | None:
        """The latest period end on or before `today` (none yet: None)."""
        ended = self.ends_up_to(today)
        return ended[-1] if ended else None

    def feeds(self) -> set[tuple[str, str]]:
        return {pair for pairs in self.lines.values() for pair in pairs}


def return_calendar(settings: Mapping[str, Any] | None, deadline: date) -> ReturnCalendar | None:
    """The calendar in a programme's settings; None when the programme file gives none."""
    given = (settings or {}).get(SETTING) or {}
    first = given.get("first_period_end")
    if not first:
        return None
    lines = given.get("lines") or {}
    return ReturnCalendar(
        first_end=date.fromisoformat(str(first)),
        every_days=int(given.get("every_days") or 14),
        deadline=deadline,
        lines={line: tuple(_pair(ref) for ref in lines.get(line) or ()) for line in RETURN_LINES},
    )


def _pair(ref: str) -> tuple[str, str]:
    service, _, key = str(ref).partition(".")
    return service, key


def require_calendar(settings: Mapping[str, Any] | None, deadline: date, programme_name: str) -> ReturnCalendar:
    calendar = return_calendar(settings, deadline)
    if calendar is None:
        raise NoReturnCalendar(
            f"{programme_name} has no return calendar: add `fortnightly_return:` (first_period_end, "
            "every_days and the lines its measures feed) to the programme section of the programme file "
            "and load it, or leave out --period-end for the spend position as at today"
        )
    return calendar
