"""What the tests of `away UNTIL` and `back` share: the winter days they are set on, and an instant
in London on one of them."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
MON_14_DEC = date(2026, 12, 14)
JAN_4 = date(2027, 1, 4)


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)
