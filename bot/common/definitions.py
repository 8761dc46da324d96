"""The definitions every view counts by: status, brief, digest, App Home, cards, CLI and export.

One module so that the same day gives the same figures everywhere (the README's "Definitions"
says them for users):

- *Working days left*: the working days from today to the deadline, both included, except that
  today is no longer left once its figures are in (a spend figure dated today has been entered).
  Past the deadline: none.
- *Working days done*: the working days from the start of the period to yesterday, and today too
  once its figures are in.
- *The last n working days*: exactly n working days, the last before today.
- *The engagement window* starts on the day of the first check-in prompt sent (no prompt sent
  yet: the day the first tranche is available, or the day the programme was created).
- *The even pace*: each tranche spent in equal parts over the working days from the day it is
  available to the deadline, so money not yet available is not yet expected.
- *Since* a day: the change from the end of that day to now. *On* a day: what happened that day.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from bot.common.calendar import add_working_days, count_working_days

PROMPT_JOB = "daily-prompts"  # the scheduled job whose first send opens the engagement window
_PENNY = Decimal("0.01")


def working_days_left(today: date, deadline: date, today_in: bool) -> int:
    """Working days from today to the deadline, both included; today not once its figures are in."""
    first = today + timedelta(days=1) if today_in else today
    return count_working_days(first, deadline)


def working_days_done(start: date, today: date, deadline: date, today_in: bool) -> int:
    """Working days from `start` to yesterday (to today once its figures are in), never past the deadline."""
    last = today if today_in else today - timedelta(days=1)
    return count_working_days(start, min(last, deadline))


def last_working_days(today: date, n: int) -> tuple[date, date]:
    """(first, last) of exactly `n` working days, the last before today (n >= 1)."""
    if n < 1:
        raise ValueError("a window of working days holds at least one")
    return add_working_days(today, -n), add_working_days(today, -1)


def engagement_start(first_prompt: date | None, first_tranche: date | None, created: date) -> date:
    """The first day anyone could have been asked to check in."""
    if first_prompt is not None:
        return first_prompt
    return first_tranche if first_tranche is not None else created


def even_pace(tranches: Iterable[tuple[date, Decimal]], deadline: date, through: date) -> Decimal:
    """What an even pace would have spent by the end of `through`, to the penny: each tranche
    (available_on, amount) spread evenly over the working days from its available day to the deadline."""
    total = Decimal(0)
    for available_on, amount in tranches:
        span = count_working_days(available_on, deadline)
        if available_on > through:
            continue
        if span == 0:
            total += amount
            continue
        done = count_working_days(available_on, min(through, deadline))
        total += amount * done / span
    return total.quantize(_PENNY, rounding=ROUND_HALF_UP)


def since_words(day: date) -> str:
    """A change measured from the end of `day` ("+£800 since Thu 07 Jan")."""
    return f"since {day:%a %d %b}"


def on_words(day: date) -> str:
    """Something that happened on `day`."""
    return f"on {day:%a %d %b}"
