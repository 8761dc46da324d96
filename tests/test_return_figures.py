"""The fortnightly return's figures on SQLite and PostgreSQL, worked out by hand (tests/return_support.py):
a period with two bank holidays and a tranche landing mid-period, amended check-ins counted once,
and a past period's return the same whenever it is written."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from return_support import (
    BEFORE_ACTIVITY,
    DEC_13,
    DEC_27,
    JAN_10,
    JAN_24,
    PERIOD_ACTIVITY,
    D,
    before_the_period,
    load,
    programme_of,
    the_period,
)

from bot.spend.ledger import spend_position
from bot.spend.return_calendar import NoReturnCalendar, NotAPeriodEnd
from bot.spend.return_periods import fortnightly_return
from models.db import session_scope

TODAY = date(2027, 1, 20)


@pytest.fixture
def winter(engine):
    load(engine)
    with session_scope(engine) as session:
        before_the_period(session)
        the_period(session)
    return engine


def _by_source(position) -> dict[str, tuple]:
    return {s.funding_source: (s.allocated_so_far, s.actual, s.committed) for s in position.by_source}


def test_the_period_with_the_bank_holidays_and_the_top_up_worked_out_by_hand(winter):
    with session_scope(winter) as session:
        ret = fortnightly_return(session, programme_of(session), JAN_10, TODAY)
    assert [(p.start, p.end) for p in ret.periods] == [
        (date(2026, 11, 30), DEC_13),
        (date(2026, 12, 14), DEC_27),
        (date(2026, 12, 28), JAN_10),
    ]
    period = ret.latest
    assert period.activity == PERIOD_ACTIVITY
    position = period.position
    # Hours: 8 Jan's figure as corrected on 12 Jan; beds: 6 Jan's. The ICB's £50,000 landed on 5 Jan.
    assert _by_source(position) == {
        "local_authority_grant": (D("100000.00"), D("4100.25"), D("0.00")),
        "icb_allocation": (D("50000.00"), D("1500.00"), D("3000.00")),
    }
    assert (position.actual, position.committed, position.allocated_so_far) == (
        D("5600.25"),
        D("3000.00"),
        D("150000.00"),
    )
    # 7 Dec to Sat 9 Jan: 22 working days (25 and 28 Dec and 1 Jan are bank holidays);
    # 11 Jan to 31 Mar: 56 (Good Friday is 26 Mar 2027, Easter Monday 29 Mar).
    assert (position.forecast.working_days_elapsed, position.forecast.working_days_left) == (22, 56)


def test_the_period_before_the_top_up_has_none_of_it(winter):
    with session_scope(winter) as session:
        before = fortnightly_return(session, programme_of(session), JAN_10, TODAY).periods[1]
    assert before.end == DEC_27 and before.activity == BEFORE_ACTIVITY
    assert _by_source(before.position) == {
        "local_authority_grant": (D("100000.00"), D("1000.00"), D("500.00")),
        "icb_allocation": (D("0"), D("0"), D("0")),
    }


def test_every_period_says_what_winter_spend_says_that_day_to_the_penny(winter):
    with session_scope(winter) as session:
        programme = programme_of(session)
        ret = fortnightly_return(session, programme, JAN_10, TODAY)
        for period in ret.periods:
            assert period.position == spend_position(session, programme, period.end)


def test_a_past_period_reads_the_same_after_the_winter_moved_on(engine):
    load(engine)
    with session_scope(engine) as session:
        before_the_period(session)
        then = fortnightly_return(session, programme_of(session), DEC_27, DEC_27).latest
    with session_scope(engine) as session:
        the_period(session)
        again = fortnightly_return(session, programme_of(session), DEC_27, TODAY).latest
    assert again.activity == then.activity == BEFORE_ACTIVITY
    # The forecast's "today" is the period end both times; only its flags' raised dates may
    # be read from history, so compare the money.
    assert replace(again.position, flags=()) == replace(then.position, flags=())


def test_a_line_no_measure_feeds_is_blank_not_zero(winter):
    with session_scope(winter) as session:
        programme = programme_of(session)
        stored = programme.settings["fortnightly_return"]
        programme.settings = {
            **programme.settings,
            "fortnightly_return": {**stored, "lines": {**stored["lines"], "packages_booked": []}},
        }
        session.flush()
        period = fortnightly_return(session, programme, JAN_10, TODAY).latest
    assert period.activity["packages_booked"] is None
    assert period.activity["discharges_pathway_0"] == D(39)


@pytest.mark.parametrize(
    "asked, words",
    [
        (date(2027, 1, 8), "the nearest period ends are Sun 27 Dec 2026 (2026-12-27) and Sun 10 Jan 2027 (2027-01-10)"),
        (date(2026, 12, 1), "the nearest period ends are Sun 13 Dec 2026 (2026-12-13)"),
        (JAN_24, "the period ending Sun 24 Jan 2027 has not ended yet (today is Wed 20 Jan 2027)"),
    ],
)
def test_a_date_that_ends_no_period_is_refused_naming_the_nearest(winter, asked, words):
    with session_scope(winter) as session, pytest.raises(NotAPeriodEnd) as refused:
        fortnightly_return(session, programme_of(session), asked, TODAY)
    assert words in str(refused.value)


def test_a_programme_without_a_calendar_is_told_how_to_add_one(winter):
    with session_scope(winter) as session:
        programme = programme_of(session)
        programme.settings = {**programme.settings, "fortnightly_return": {}}
        session.flush()
        with pytest.raises(NoReturnCalendar, match="add `fortnightly_return:`"):
            fortnightly_return(session, programme, JAN_10, TODAY)
