"""Working days and local times for a programme.

A working day is a weekday that is not a bank holiday in England. "09:30 on a working
day" is a wall-clock time in the programme's timezone, turned into a UTC instant here so
that the clock change at the end of March moves the instant, not the local time.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

DEFAULT_TZ = "Europe/London"


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> dict[date, str]:
    return dict(holidays.country_holidays("GB", subdiv="ENG", years=year))


def bank_holiday(day: date) -> str | None:
    """The name of England's bank holiday on this day, if it is one."""
    return _bank_holidays(day.year).get(day)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and bank_holiday(day) is None


def working_days(start: date, end: date) -> Iterator[date]:
    """The working days from start to end, both included."""
    day = start
    while day <= end:
        if is_working_day(day):
            yield day
        day += timedelta(days=1)


def count_working_days(start: date, end: date) -> int:
    """The working days from start to end, both included: counted, not walked, because the
    risk rules and the forecast ask it for every service and scheme on every scan."""
    if end < start:
        return 0
    holidays_on_weekdays = sum(
        1
        for year in range(start.year, end.year + 1)
        for day in _bank_holidays(year)
        if start <= day <= end and day.weekday() < 5
    )
    return _weekdays(start, end) - holidays_on_weekdays


def silent_working_days(last: date | None, start: date, today: date) -> int:
    """Working days without a report: from the day after `last` (never reported: from `start`)
    to yesterday. Today does not count: it is not over. The one test of "gone quiet", for a
    scheme's spend and a service's or a partner's check-ins alike."""
    since = last + timedelta(days=1) if last else start
    return count_working_days(since, today - timedelta(days=1))


def _weekdays(start: date, end: date) -> int:
    weeks, extra = divmod((end - start).days + 1, 7)
    return weeks * 5 + sum(1 for offset in range(extra) if (start.weekday() + offset) % 7 < 5)


def next_working_day(day: date) -> date:
    """The first working day strictly after `day`."""
    day += timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def previous_working_day(day: date) -> date:
    """The last working day strictly before `day`."""
    day -= timedelta(days=1)
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def add_working_days(day: date, n: int) -> date:
    """The working day n working days after `day` (before it when n is negative)."""
    step = next_working_day if n >= 0 else previous_working_day
    for _ in range(abs(n)):
        day = step(day)
    return day


def zone(name: str | None = None) -> ZoneInfo:
    return ZoneInfo(name or DEFAULT_TZ)


def local_instant(day: date, at: time, tz: str | None = None) -> datetime:
    """The UTC instant of a wall-clock time on a local date.

    With zoneinfo's fold=0, a time skipped when the clocks go forward lands an hour later
    by the new clock (01:30 becomes 02:30 BST), as a wall clock would; a time repeated when
    they go back is its first occurrence.
    """
    return datetime.combine(day, at, tzinfo=zone(tz)).astimezone(UTC)


def local_date(instant: datetime, tz: str | None = None) -> date:
    """The date on the programme's wall calendar at an instant."""
    if instant.tzinfo is None:
        raise ValueError("a naive datetime has no place on the calendar; give it a timezone")
    return instant.astimezone(zone(tz)).date()


def local_now(now: datetime, tz: str | None = None) -> datetime:
    if now.tzinfo is None:
        raise ValueError("a naive datetime has no place on the calendar; give it a timezone")
    return now.astimezone(zone(tz))
