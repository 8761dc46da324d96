from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.common.calendar import (
    add_working_days,
    bank_holiday,
    count_working_days,
    is_working_day,
    local_date,
    local_instant,
    next_working_day,
    previous_working_day,
    working_days,
    zone,
)
from bot.common.definitions import working_days_left

WINTER_BANK_HOLIDAYS = [
    date(2026, 12, 25),
    date(2026, 12, 28),
    date(2027, 1, 1),
    date(2027, 3, 26),
    date(2027, 3, 29),
]


@pytest.mark.parametrize("day", WINTER_BANK_HOLIDAYS)
def test_winter_bank_holidays_are_not_working_days(day):
    assert bank_holiday(day)
    assert not is_working_day(day)


def test_boxing_day_on_a_saturday_moves_to_monday():
    assert date(2026, 12, 26).weekday() == 5
    assert "Boxing Day" in bank_holiday(date(2026, 12, 28))
    assert next_working_day(date(2026, 12, 24)) == date(2026, 12, 29)


@pytest.mark.parametrize(
    "day, working",
    [
        (date(2026, 12, 24), True),  # Christmas Eve is an ordinary Thursday
        (date(2026, 12, 26), False),  # Saturday
        (date(2026, 12, 29), True),
        (date(2026, 12, 31), True),
        (date(2027, 1, 4), True),
        (date(2027, 3, 25), True),  # Maundy Thursday
        (date(2027, 3, 28), False),  # Easter Sunday, clocks go forward
        (date(2027, 3, 30), True),
        (date(2027, 3, 31), True),  # the deadline
    ],
)
def test_ordinary_days_around_the_holidays(day, working):
    assert is_working_day(day) is working


def test_the_last_week_has_two_working_days_after_easter():
    assert list(working_days(date(2027, 3, 26), date(2027, 3, 31))) == [
        date(2027, 3, 30),
        date(2027, 3, 31),
    ]
    assert previous_working_day(date(2027, 3, 30)) == date(2027, 3, 25)


def test_christmas_fortnight_counts_six_working_days():
    # 21-24 Dec, then 29-31 Dec, skipping 25 and 28 Dec; 1 Jan is a holiday too.
    days = list(working_days(date(2026, 12, 21), date(2027, 1, 1)))
    assert days == [
        date(2026, 12, 21),
        date(2026, 12, 22),
        date(2026, 12, 23),
        date(2026, 12, 24),
        date(2026, 12, 29),
        date(2026, 12, 30),
        date(2026, 12, 31),
    ]


def test_working_days_left_to_the_deadline():
    deadline = date(2027, 3, 31)
    assert working_days_left(deadline, deadline, False) == 1
    assert working_days_left(date(2027, 4, 1), deadline, False) == 0
    assert working_days_left(date(2027, 3, 26), deadline, False) == 2
    assert working_days_left(date(2027, 3, 25), deadline, False) == 3
    # December 2026 to March 2027: 83 weekdays less five bank holidays... counted by hand:
    # Dec 23 weekdays - 2 = 21, Jan 21 - 1 = 20, Feb 20, Mar 23 - 2 = 21.
    assert working_days_left(date(2026, 12, 1), deadline, False) == 21 + 20 + 20 + 21
    # Once today's figures are in, today is no longer left: on the deadline, none.
    assert working_days_left(deadline, deadline, True) == 0
    assert working_days_left(date(2027, 3, 25), deadline, True) == 2  # Good Friday and Easter Monday out


def test_add_working_days_both_ways():
    assert add_working_days(date(2026, 12, 23), 2) == date(2026, 12, 29)
    assert add_working_days(date(2026, 12, 29), -2) == date(2026, 12, 23)
    assert add_working_days(date(2026, 12, 29), 0) == date(2026, 12, 29)


def test_half_past_nine_is_gmt_before_the_clock_change_and_bst_after():
    assert local_instant(date(2027, 3, 25), time(9, 30)) == datetime(2027, 3, 25, 9, 30, tzinfo=UTC)
    assert local_instant(date(2027, 3, 30), time(9, 30)) == datetime(2027, 3, 30, 8, 30, tzinfo=UTC)
    assert local_instant(date(2026, 12, 29), time(9, 30)) == datetime(2026, 12, 29, 9, 30, tzinfo=UTC)


def test_a_time_skipped_by_the_clock_change_lands_after_it():
    instant = local_instant(date(2027, 3, 28), time(1, 30))
    assert instant == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
    assert instant.astimezone(timezone(timedelta(hours=1))).hour == 2


def test_a_repeated_time_in_october_is_its_first_occurrence():
    assert local_instant(date(2026, 10, 25), time(1, 30)) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_local_date_follows_london_not_utc():
    # 23:30 UTC on 30 March 2027 is already 31 March in London (BST).
    assert local_date(datetime(2027, 3, 30, 23, 30, tzinfo=UTC)) == date(2027, 3, 31)
    assert local_date(datetime(2026, 12, 31, 23, 30, tzinfo=UTC)) == date(2026, 12, 31)
    with pytest.raises(ValueError, match="naive"):
        local_date(datetime(2027, 3, 30, 23, 30))


def test_another_timezone_can_be_named():
    assert local_instant(date(2027, 1, 4), time(9, 30), "America/New_York").hour == 14


@given(st.dates(min_value=date(2026, 1, 1), max_value=date(2028, 12, 31)), st.integers(0, 40))
def test_counting_and_stepping_agree(day, n):
    later = add_working_days(day, n)
    assert is_working_day(later) or n == 0
    if n > 0:
        assert count_working_days(day + timedelta(days=1), later) == n


@given(st.dates(min_value=date(2026, 1, 1), max_value=date(2028, 12, 31)), st.times())
def test_local_instant_round_trips_except_in_the_spring_gap(day, at):
    instant = local_instant(day, at)
    assert instant.tzinfo is not None
    back = instant.astimezone(zone())
    if back.replace(tzinfo=None) != datetime.combine(day, at):
        assert back.utcoffset() == timedelta(hours=1)
        assert back.replace(tzinfo=None) - datetime.combine(day, at) == timedelta(hours=1)


@given(st.dates(min_value=date(2025, 6, 1), max_value=date(2028, 6, 30)), st.integers(-5, 800))
def test_counting_agrees_with_walking_the_calendar(start, span):
    end = start + timedelta(days=span)
    assert count_working_days(start, end) == sum(1 for _ in working_days(start, end))
