"""The spend position at its edges, on SQLite and on PostgreSQL (the `engine` fixture): Easter and the
clock change in the last week of the period, and each flag at its threshold. The calendar behind the
numbers is in test_spend.py's docstring."""

from __future__ import annotations

from datetime import date

import pytest
from spend_support import START, WED_20_JAN, D, add_programme, report, rules

from bot.spend.ledger import spend_position
from models.db import session_scope

DEADLINE = date(2027, 3, 31)

# -- Easter and the clock change, the last week of the period --------------------------------


@pytest.mark.parametrize(
    ("day", "left", "elapsed"),
    [
        # Thu 25 March: 25, Tue 30, Wed 31 (Good Friday 26 and Easter Monday 29 are bank holidays,
        # the clocks go forward on Sun 28, which changes nothing about dates).
        (date(2027, 3, 25), 3, 75),
        (date(2027, 3, 26), 2, 76),
        (date(2027, 3, 29), 2, 76),
        (date(2027, 3, 30), 2, 76),
        (date(2027, 3, 31), 1, 77),
    ],
)
def test_easter_week_working_days(engine, day, left, elapsed):
    with session_scope(engine) as session:
        programme = add_programme(session)
        f = spend_position(session, programme, day).forecast
        assert (f.working_days_left, f.working_days_elapsed) == (left, elapsed)
        assert left + elapsed == 78


def test_rate_needed_in_easter_week_to_the_penny(engine):
    with session_scope(engine) as session:
        programme = add_programme(session, schemes=(("hours", "local_authority_grant", "100000.00", "10"),))
        report(session, programme, "hours", date(2027, 3, 24), "70000.01")
        # 29,999.99 left over 3 working days = 9,999.99666.. -> £10,000.00 (half up)
        assert spend_position(session, programme, date(2027, 3, 25)).forecast.run_rate_needed == D("10000.00")
        # on the deadline, one day left: the whole remainder
        assert spend_position(session, programme, date(2027, 3, 31)).forecast.run_rate_needed == D("29999.99")
        # after the deadline, no days left: the remainder, not a division by zero
        after = spend_position(session, programme, date(2027, 4, 1)).forecast
        assert (after.working_days_left, after.run_rate_needed, after.outturn_recent) == (
            0,
            D("29999.99"),
            D("70000.01"),
        )


# -- each flag at its edge -------------------------------------------------------------------


@pytest.mark.parametrize(("actual", "flagged"), [("90000.00", False), ("89999.99", True)])
def test_underspend_flag_at_the_threshold(engine, actual, flagged):
    with session_scope(engine) as session:
        programme = add_programme(session, schemes=(("hours", "local_authority_grant", "100000.00", "0"),))
        # All spent on 7 Dec, before the recent window (Wed 6 .. Tue 19 Jan): the recent rate
        # is 0, so the recent outturn is the actual, against 90% of 100,000 = 90,000.00.
        report(session, programme, "hours", START, actual)
        position = spend_position(session, programme, WED_20_JAN)
        assert position.forecast.outturn_recent == D(actual)
        assert ("underspend_risk" in rules(position)) is flagged


def test_the_underspend_flag_waits_for_three_working_days_below(engine):
    with session_scope(engine) as session:
        programme = add_programme(session)
        # Nothing spent: readings from Tue 8 Dec (Mon 7 Dec, the start, has no rate yet) are below.
        # The third, Thu 10 Dec, raises it for Fri 11 Dec; not before.
        for day in (START, date(2026, 12, 8), date(2026, 12, 10)):
            assert "underspend_risk" not in rules(spend_position(session, programme, day))
        [flag] = [
            f for f in spend_position(session, programme, date(2026, 12, 11)).flags if f.rule == "underspend_risk"
        ]
        assert flag.raised_on == date(2026, 12, 11)
        assert flag.message.startswith("Underspend risk (raised Fri 11 Dec): ")


def test_on_the_deadline_with_every_figure_in_the_outturn_is_the_actual(engine):
    with session_scope(engine) as session:
        programme = add_programme(session, schemes=(("hours", "local_authority_grant", "100000.00", "10"),))
        report(session, programme, "hours", date(2027, 3, 25), "80000.00")
        report(session, programme, "hours", date(2027, 3, 30), "85000.00")
        morning = spend_position(session, programme, DEADLINE).forecast
        # Before the deadline's figures: Wed 31 Mar is still a working day left.
        assert morning.working_days_left == 1
        assert morning.outturn_period > D("85000.00")
        report(session, programme, "hours", DEADLINE, "86543.21", "1000.00")
        evening = spend_position(session, programme, DEADLINE).forecast
        assert evening.working_days_left == 0
        assert evening.outturn_recent == evening.outturn_period == D("86543.21")
        assert evening.variance_recent == D("-13456.79")
        assert (evening.outturn_committed, evening.variance_committed) == (D("87543.21"), D("-12456.79"))


@pytest.mark.parametrize(("committed", "flags"), [("40000.00", []), ("40000.01", ["vale", "hours"])])
def test_overcommitted_at_the_allocation_and_the_budget(engine, committed, flags):
    with session_scope(engine) as session:
        programme = add_programme(session, schemes=(("hours", "local_authority_grant", "100000.00", "0"),))
        report(session, programme, "hours", WED_20_JAN, "60000.00", committed)
        position = spend_position(session, programme, WED_20_JAN)
        assert [f.subject for f in position.flags if f.rule == "overcommitted"] == flags


def test_overcommitted_scheme_within_the_allocation(engine):
    with session_scope(engine) as session:
        programme = add_programme(session, schemes=(("hours", "local_authority_grant", "1234.57", "0"),))
        report(session, programme, "hours", WED_20_JAN, "1000.00", "234.58")  # 1,234.58: a penny over
        overcommitted = [f for f in spend_position(session, programme, WED_20_JAN).flags if f.rule == "overcommitted"]
        assert [f.subject for f in overcommitted] == ["hours"]
        assert "£0.01 over its budget of £1,234.57" in overcommitted[0].message


@pytest.mark.parametrize(
    ("last", "today", "silent"),
    [
        (date(2027, 1, 18), date(2027, 1, 21), False),  # Tue 19, Wed 20: 2 working days
        (date(2027, 1, 18), date(2027, 1, 22), True),  # Tue 19, Wed 20, Thu 21: 3
        (date(2026, 12, 24), date(2026, 12, 30), False),  # 25 and 28 are bank holidays: only Tue 29
        (date(2026, 12, 24), date(2027, 1, 5), True),  # 29, 30, 31 Dec, 4 Jan: 4
        (None, date(2026, 12, 9), False),  # never reported: Mon 7, Tue 8 since the start
        (None, date(2026, 12, 10), True),  # Mon 7, Tue 8, Wed 9
    ],
)
def test_silent_scheme_after_three_working_days(engine, last, today, silent):
    with session_scope(engine) as session:
        programme = add_programme(session, silent=3)
        if last:
            report(session, programme, "hours", last, "10.00", activity="1000")
        assert ("silent_scheme" in rules(spend_position(session, programme, today))) is silent


@pytest.mark.parametrize(
    ("today", "activity", "behind"),
    [
        # Thu 17 Dec: 8 of 78 working days gone (10.3%); by now 0.75 x 390 x 8/78 = 30 hours.
        (date(2026, 12, 17), "30.00", False),
        (date(2026, 12, 17), "29.99", True),
        # Wed 16 Dec: 7 of 78 (9.0%), under 10% of the period: not judged yet.
        (date(2026, 12, 16), "0", False),
    ],
)
def test_activity_behind_plan_at_its_edges(engine, today, activity, behind):
    with session_scope(engine) as session:
        programme = add_programme(session, schemes=(("hours", "local_authority_grant", "60000.00", "390"),))
        report(session, programme, "hours", START, "1.00", activity=activity)
        assert ("activity_behind_plan" in rules(spend_position(session, programme, today))) is behind
