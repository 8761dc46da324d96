"""The underspend flag's hysteresis (bot/spend/underspend.py) on hand-computed cases, no database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from bot.spend.underspend import Reading, Spell, readings, underspend_state

ALLOCATION = D("100000.00")


def reading(day: date, below: bool) -> Reading:
    return Reading(day, D("50000.00") if below else D("95000.00"), ALLOCATION, below)


# Working days of January 2027 from Mon 4: 4 5 6 7 8, 11 12 13 14 15, 18 19 20 ...
BELOW_THEN_ABOVE = [
    reading(date(2027, 1, 4), True),
    reading(date(2027, 1, 5), False),  # one day below, then back: never raised
    reading(date(2027, 1, 6), True),
    reading(date(2027, 1, 7), True),
    reading(date(2027, 1, 8), True),  # the third in a row below: shows from Mon 11
    reading(date(2027, 1, 11), False),
    reading(date(2027, 1, 12), True),  # one good day does not clear it
    reading(date(2027, 1, 13), False),
    reading(date(2027, 1, 14), False),
    reading(date(2027, 1, 15), False),  # the third in a row above: cleared from Mon 18
    reading(date(2027, 1, 18), True),
    reading(date(2027, 1, 19), False),
]


def test_raised_after_three_working_days_below_and_cleared_after_three_above_once_each():
    state = underspend_state(BELOW_THEN_ABOVE, date(2027, 1, 20), after=3)
    assert state.spells == (Spell(date(2027, 1, 11), date(2027, 1, 18)),)
    assert state.raised_on is None


def test_the_flag_on_each_day_follows_the_readings_of_the_working_days_before_it():
    def raised_on(day: date) -> date | None:
        return underspend_state(BELOW_THEN_ABOVE, day, after=3).raised_on

    assert raised_on(date(2027, 1, 8)) is None  # Friday's own reading is not in yet
    assert raised_on(date(2027, 1, 9)) is None  # a Saturday keeps Friday's flag
    assert raised_on(date(2027, 1, 10)) is None
    assert raised_on(date(2027, 1, 11)) == date(2027, 1, 11)
    assert raised_on(date(2027, 1, 15)) == date(2027, 1, 11)
    assert raised_on(date(2027, 1, 17)) == date(2027, 1, 11)  # Sunday: still Friday's
    assert raised_on(date(2027, 1, 18)) is None


def test_n_is_the_programme_s_threshold():
    assert underspend_state(BELOW_THEN_ABOVE, date(2027, 1, 20), after=1).spells[0] == Spell(
        date(2027, 1, 5), date(2027, 1, 6)
    )
    assert underspend_state(BELOW_THEN_ABOVE, date(2027, 1, 20), after=4).spells == ()


def test_a_bank_holiday_is_not_a_reading_and_does_not_break_a_run():
    christmas = [
        reading(date(2026, 12, 23), True),
        reading(date(2026, 12, 24), True),
        reading(date(2026, 12, 29), True),  # Fri 25 and Mon 28 Dec are bank holidays
    ]
    assert underspend_state(christmas, date(2026, 12, 30), after=3).raised_on == date(2026, 12, 30)


def test_readings_on_the_deadline_day_with_every_figure_in_give_the_actual():
    # One scheme: £1,000 a working day through March 2027, reported each working day.
    days = [date(2027, 3, d) for d in range(1, 32) if date(2027, 3, d).weekday() < 5 and d not in (26, 29)]
    found = readings(
        dict.fromkeys(days, D(1000)),
        [(date(2027, 3, 1), date(2027, 2, 20), D("30000"))],
        date(2027, 3, 31),
        date(2027, 3, 31),
        90,
    )
    last = found[-1]
    assert last.day == date(2027, 3, 31)
    assert last.outturn == D(1000) * len(days) == D("21000")  # 21 working days: 23 less Good Friday, Easter Monday
    assert last.below  # £21,000 of £30,000
    # On Tue 30 Mar: £20,000 spent, £1,000 a day over the last 10, one working day left.
    assert found[-2].outturn == D("21000")


def test_a_tranche_announced_later_is_not_in_earlier_readings():
    changes = {date(2027, 1, d): D(1000) for d in (4, 5, 6, 7, 8, 11, 12)}
    tranches = [(date(2027, 1, 4), date(2027, 1, 1), D("100000")), (date(2027, 1, 11), date(2027, 1, 11), D("50000"))]
    found = {r.day: r.allocation for r in readings(changes, tranches, date(2027, 3, 31), date(2027, 1, 12), 90)}
    assert found[date(2027, 1, 8)] == D("100000")
    assert found[date(2027, 1, 11)] == D("150000")
