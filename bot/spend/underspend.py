"""The underspend flag with hysteresis: raised after N working days below its threshold, cleared
after N at or above it, so one slow day does not raise it and one good day does not clear it.

Pure: the day-by-day changes and the tranches in, the flag's state out (bot.spend.ledger reads them).

- The ledger comes in as the day-by-day changes of the live schemes' total actual
  (bot.spend.ledger.daily_actual_changes).
- A *reading* is taken at the end of each working day d of the period, once a working day has
  passed (before that there is no rate): the outturn at the recent run rate as it stood with d's
  figures in (bot.spend.position's forecast on d, d done), against the tranches announced by d,
  so a top-up loaded later does not rewrite what the briefs said.
- The flag changes only on a working day, judged on the readings of the working days before it:
  raised on the working day after the Nth reading in a row below the threshold, cleared on the
  working day after the Nth in a row at or above. A weekend or bank holiday keeps the last
  working day's flag. `raised_on` is the first working day it showed: the first brief to carry it.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from bot.common.calendar import is_working_day, next_working_day, previous_working_day, working_days
from bot.spend.period import period_of, recent_window
from bot.spend.position import ZERO, per_day


@dataclass(frozen=True)
class Reading:
    day: date
    outturn: Decimal  # at the recent run rate, at the end of `day`
    allocation: Decimal  # the tranches announced by `day`
    below: bool


@dataclass(frozen=True)
class Spell:
    raised_on: date  # the first working day the flag showed
    cleared_on: date | None  # the first working day it no longer showed; None: still raised


@dataclass(frozen=True)
class UnderspendState:
    raised_on: date | None  # None: not raised on the day asked
    spells: tuple[Spell, ...]  # every spell up to the day asked, oldest first

    @property
    def raised(self) -> bool:
        return self.raised_on is not None


class _Totals:
    """The programme's actual as it stood at the end of any day."""

    def __init__(self, deltas: dict[date, Decimal]) -> None:
        self._days = sorted(deltas)
        running, self._totals = ZERO, []
        for day in self._days:
            running += deltas[day]
            self._totals.append(running)

    def at(self, day: date) -> Decimal:
        i = bisect_right(self._days, day)
        return self._totals[i - 1] if i else ZERO


def readings(
    deltas: dict[date, Decimal],
    tranches: list[tuple[date, date, Decimal]],
    deadline: date,
    until: date,
    percent: int,
) -> list[Reading]:
    """A reading for each working day of the period up to `until` (included) that has a rate;
    `tranches` are (available_on, announced_on, amount)."""
    if not tranches:
        return []
    totals = _Totals(deltas)
    start = min(available for available, _, _ in tranches)
    out = []
    for day in working_days(start, min(until, deadline)):
        period = period_of([start], deadline, day, today_in=True)
        n, before, last = recent_window(period)
        if n == 0:
            continue
        rate = per_day(totals.at(last) - totals.at(before), n)
        outturn = totals.at(day) + rate * period.left
        allocation = sum((amount for _, announced, amount in tranches if announced <= day), ZERO)
        if allocation <= 0:
            continue
        out.append(Reading(day, outturn, allocation, outturn * 100 < allocation * percent))
    return out


def underspend_state(found: list[Reading], today: date, after: int) -> UnderspendState:
    """The flag on `today`, from the readings of the working days before the working day that
    decides it (today, or the last working day before a weekend or bank holiday)."""
    deciding = today if is_working_day(today) else previous_working_day(today)
    spells: list[Spell] = []
    raised_on: date | None = None
    run, run_below = 0, False
    for reading in (r for r in found if r.day < deciding):
        run = run + 1 if reading.below == run_below else 1
        run_below = reading.below
        if run < after or run_below == (raised_on is not None):
            continue
        shows_from = next_working_day(reading.day)
        if run_below:
            raised_on = shows_from
        else:
            assert raised_on is not None
            spells.append(Spell(raised_on, shows_from))
            raised_on = None
    if raised_on is not None:
        spells.append(Spell(raised_on, None))
    return UnderspendState(raised_on, tuple(spells))
