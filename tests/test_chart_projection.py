"""The burn-up's projected outturn is the spend position's forecast at the recent run rate, on any day
up to the deadline; past the deadline, and before any money has landed, there is none."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from spend_support import START, D, add_programme, report

from bot.spend.burn_up import burn_up
from bot.spend.ledger import spend_position
from models.db import session_scope

DEADLINE = date(2027, 3, 31)


@pytest.fixture
def spending(engine):
    """Two schemes reporting most weekdays, faster from mid-January, with a correction."""
    with session_scope(engine) as session:
        programme = add_programme(
            session,
            tranches=(
                ("2000000.00", "local_authority_grant", START),
                ("600000.00", "icb_allocation", date(2027, 1, 25)),
            ),
            schemes=(
                ("hours", "local_authority_grant", "900000.00", "1000"),
                ("beds", "icb_allocation", "900000.00", "10"),
            ),
        )
        spent, day = D(0), START
        while day <= date(2027, 3, 26):
            if day.weekday() < 5 and day.day % 7:
                spent += D("9000.00") if day < date(2027, 1, 15) else D("15500.50")
                report(session, programme, "hours", day, f"{spent}", "20000")
                report(session, programme, "beds", day, f"{spent / 2:.2f}")
            day += timedelta(days=1)
        report(session, programme, "beds", date(2027, 2, 3), "1000.00", hour=16, reason="invoice withdrawn")
        yield session, programme


@pytest.mark.parametrize(
    "today", [START, date(2026, 12, 24), date(2027, 1, 20), date(2027, 2, 3), date(2027, 3, 27), DEADLINE]
)
def test_projection_is_the_positions_forecast_at_the_recent_rate(spending, today):
    session, programme = spending
    projected = burn_up(session, programme, today).projected_outturn
    assert projected is not None
    assert projected == spend_position(session, programme, today).forecast.outturn_recent


def test_a_faster_recent_rate_projects_more_than_todays_spend(spending):
    session, programme = spending
    series = burn_up(session, programme, date(2027, 2, 10))
    assert series.projected_outturn is not None
    assert series.projected_outturn > series.points[-1].actual + 30 * D("15000")  # 30-odd working days left


def test_no_projection_past_the_deadline_or_before_the_money_lands(spending):
    session, programme = spending
    assert burn_up(session, programme, DEADLINE + timedelta(days=1)).projected_outturn is None
    assert burn_up(session, programme, START - timedelta(days=3)).projected_outturn is None
