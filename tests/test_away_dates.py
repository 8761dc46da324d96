"""`away UNTIL`: reading UK dates across the winter, and moving a day that is not a working day
to the next working day."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from away_support import JAN_4, MON_14_DEC
from hypothesis import given
from hypothesis import strategies as st

from bot.people.away import (
    UntilError,
    examples,
    parse_until,
    resume_day,
)

# -- reading dates -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "4/1",
        "04/01",
        "4/1/27",
        "4/1/2027",
        "4.1",
        "4-1",
        "4 Jan",
        "4 jan",
        "4 JAN",
        "4th January",
        "4th of January",
        "4 January 2027",
        "4 Jan, 2027",
        "Jan 4",
        "January 4th",
        "jan 4 2027",
        "2027-01-04",
        "Mon 4 Jan",
        "monday 4th january",
        "Mon 4/1",
        "until 4 Jan",
        "  4  Jan. ",
    ],
)
def test_every_written_form_of_4_january_in_december(text):
    assert parse_until(text, MON_14_DEC) == JAN_4


@pytest.mark.parametrize(
    "today, text, expected",
    [
        (MON_14_DEC, "tomorrow", date(2026, 12, 15)),
        (MON_14_DEC, "monday", date(2026, 12, 21)),
        (MON_14_DEC, "mon", date(2026, 12, 21)),
        (MON_14_DEC, "next monday", date(2026, 12, 21)),
        (MON_14_DEC, "on Monday", date(2026, 12, 21)),
        (MON_14_DEC, "friday", date(2026, 12, 18)),
        (MON_14_DEC, "next week", date(2026, 12, 21)),
        (date(2026, 12, 18), "next monday", date(2026, 12, 21)),
        (date(2026, 12, 18), "friday", date(2026, 12, 25)),
        (date(2026, 12, 31), "tomorrow", date(2027, 1, 1)),
        (date(2027, 3, 25), "tues", date(2027, 3, 30)),
    ],
)
def test_days_of_the_week_and_tomorrow(today, text, expected):
    assert parse_until(text, today) == expected


@pytest.mark.parametrize(
    "today, text, expected",
    [
        (date(2026, 12, 30), "4/1", date(2027, 1, 4)),
        (date(2026, 12, 30), "31/12", date(2026, 12, 31)),
        (date(2026, 12, 30), "1 Jan", date(2027, 1, 1)),
        (date(2026, 12, 31), "1/1", date(2027, 1, 1)),
        (date(2026, 11, 23), "24/11", date(2026, 11, 24)),
        (date(2027, 1, 5), "4/2", date(2027, 2, 4)),
        (date(2027, 2, 25), "29/3", date(2027, 3, 29)),
    ],
)
def test_a_date_without_a_year_is_the_next_one_from_tomorrow(today, text, expected):
    assert parse_until(text, today) == expected


@given(
    today=st.dates(min_value=date(2026, 11, 1), max_value=date(2027, 3, 31)),
    ahead=st.integers(min_value=1, max_value=180),
    form=st.sampled_from(
        ["{d.day}/{d.month}", "{d.day:02}/{d.month:02}", "{d.day} {d:%b}", "{d:%B} {d.day}", "{d:%Y-%m-%d}"]
    ),
)
def test_any_day_in_the_next_six_months_reads_back_as_itself(today, ahead, form):
    day = today + timedelta(days=ahead)
    assert parse_until(form.format(d=day), today) == day


def test_six_months_ahead_is_the_limit():
    assert parse_until("14/6", MON_14_DEC) == date(2027, 6, 14)
    with pytest.raises(
        UntilError, match=r"^Tue 15 Jun 2027 is more than 6 months away; the latest you can give is Mon 14 Jun 2027\."
    ):
        parse_until("15/6", MON_14_DEC)


@pytest.mark.parametrize(
    "text, message",
    [
        ("", r"^Say the day you are back"),
        ("   ", r"^Say the day you are back"),
        ("nonsense", r'^I could not read "nonsense" as a date\. Write the day you are back, day first\.$'),
        ("4", r'^I could not read "4" as a date'),
        ("yesterday", r'^I could not read "yesterday"'),
        ("next month", r'^I could not read "next month"'),
        ("12/25", r"^There is no month 25\. Dates go day first: 25/12 is 25 December\.$"),
        ("13/13", r"^There is no month 13\. Dates go day first\.$"),
        ("2027-13-01", r"^There is no month 13\.$"),
        ("31/2", r"^There is no 31 February\.$"),
        ("30 feb", r"^There is no 30 February\.$"),
        ("29/2/27", r"^There is no 29 February 2027\.$"),
        ("today", r"^That is today\. Give the first day you want prompts again: tomorrow or later\.$"),
        ("14/12", r"^That is today\."),
        ("14 Dec 2026", r"^That is today\."),
        ("4/1/26", r"^Sun 4 Jan 2026 has passed\. Give the first day"),
        ("2026-12-01", r"^Tue 1 Dec 2026 has passed\."),
        ("13/12", r"^Mon 13 Dec 2027 is more than 6 months away"),
        ("1 July", r"^Thu 1 Jul 2027 is more than 6 months away"),
        ("29/2", r"^Tue 29 Feb 2028 is more than 6 months away"),
        ("4/1/28", r"^Tue 4 Jan 2028 is more than 6 months away"),
        ("tue 4 jan", r"^4 January 2027 is a Monday, not a Tuesday\. Give the date or the day, not both\.$"),
    ],
)
def test_what_cannot_be_taken_says_why(text, message):
    with pytest.raises(UntilError, match=message):
        parse_until(text, MON_14_DEC)


def test_what_was_typed_is_shown_back_shortened():
    with pytest.raises(UntilError) as caught:
        parse_until("when the snow melts " * 10, MON_14_DEC)
    assert '"when the snow melts when the snow melts' in str(caught.value)
    assert len(str(caught.value)) < 120


@pytest.mark.parametrize("today", [MON_14_DEC, date(2026, 12, 31), date(2027, 3, 19), date(2026, 11, 23)])
def test_every_example_offered_is_a_date_we_accept(today):
    for example in examples(today):
        parse_until(example, today)


# -- the working day prompts start again -------------------------------------------------------


@pytest.mark.parametrize(
    "asked, resume, why",
    [
        (JAN_4, JAN_4, None),
        (date(2026, 12, 24), date(2026, 12, 24), None),
        (
            date(2026, 12, 28),
            date(2026, 12, 29),
            "Mon 28 Dec is a bank holiday (Boxing Day (observed)), so prompts start again on Tue 29 Dec.",
        ),
        (
            date(2026, 12, 25),
            date(2026, 12, 29),
            (
                "Fri 25 Dec is a bank holiday (Christmas Day) and Mon 28 Dec is a bank holiday "
                "(Boxing Day (observed)), so prompts start again on Tue 29 Dec."
            ),
        ),
        (
            date(2026, 12, 26),
            date(2026, 12, 29),
            (
                "Sat 26 Dec is at the weekend and Mon 28 Dec is a bank holiday (Boxing Day (observed)), "
                "so prompts start again on Tue 29 Dec."
            ),
        ),
        (
            date(2027, 1, 1),
            JAN_4,
            "Fri 1 Jan is a bank holiday (New Year's Day), so prompts start again on Mon 4 Jan.",
        ),
        (date(2027, 1, 2), JAN_4, "Sat 2 Jan is at the weekend, so prompts start again on Mon 4 Jan."),
        (date(2027, 1, 3), JAN_4, "Sun 3 Jan is at the weekend, so prompts start again on Mon 4 Jan."),
        (
            date(2027, 3, 26),
            date(2027, 3, 30),
            (
                "Fri 26 Mar is a bank holiday (Good Friday) and Mon 29 Mar is a bank holiday (Easter Monday), "
                "so prompts start again on Tue 30 Mar."
            ),
        ),
        (
            date(2027, 3, 29),
            date(2027, 3, 30),
            "Mon 29 Mar is a bank holiday (Easter Monday), so prompts start again on Tue 30 Mar.",
        ),
    ],
)
def test_a_day_that_is_not_a_working_day_moves_to_the_next_and_says_why(asked, resume, why):
    assert resume_day(asked) == (resume, why)
