"""The spend position, forecast, flags and burn-up on a hand-computed worked example, and the number
of queries they take, on SQLite and on PostgreSQL (the `engine` fixture). Easter week and each flag
at its edge are in test_spend_edges.py.

The calendar behind every number here (England's working days, from bot.common.calendar):
  The period runs from Mon 7 Dec 2026 (the first tranche) to Wed 31 Mar 2027.
  December 7-31: 19 weekdays less Christmas (Fri 25) and Boxing Day observed (Mon 28) = 17
  January: 21 weekdays less New Year's Day (Fri 1) = 20
  February: 20 weekdays
  March: 23 weekdays less Good Friday (26) and Easter Monday (29) = 21
  Total: 17 + 20 + 20 + 21 = 78 working days.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from spend_support import START, TOPUP, WED_20_JAN, D, add_programme, report, rules
from sqlalchemy import event
from sqlmodel import Session, select

from bot.spend.burn_up import burn_up
from bot.spend.ledger import spend_position, status_text
from bot.spend.words import format_spend
from models.db import session_scope
from models.tables import Programme, SpendReport

# -- the worked example: a top-up, a correction, a scheme that never reports ----------------

TWO_TRANCHES = (
    ("100000.00", "local_authority_grant", START),
    ("50000.00", "icb_allocation", TOPUP),  # the January top-up
)
THREE_SCHEMES = (
    ("hours", "local_authority_grant", "60000.00", "1000"),
    ("beds", "icb_allocation", "80000.00", "100"),
    ("never", "local_authority_grant", "10000.00", "10"),
)


@pytest.fixture
def worked(engine) -> Iterator[tuple[Session, Programme]]:
    with session_scope(engine) as session:
        programme = add_programme(session, tranches=TWO_TRANCHES, schemes=THREE_SCHEMES)
        report(session, programme, "hours", date(2027, 1, 4), "1234.57", "500", "100")
        # The next day's figure is lower: a correction, with its reason. Both rows stay.
        report(session, programme, "hours", date(2027, 1, 5), "1000.00", "500", "100", reason="invoice counted twice")
        report(session, programme, "hours", date(2027, 1, 19), "8000.00", "2000", "300")
        report(session, programme, "beds", date(2027, 1, 11), "5000.00", "10000", "20")
        report(session, programme, "beds", WED_20_JAN, "6000.01", "9000", "25")  # today
        yield session, programme


def test_allocated_so_far_steps_up_when_the_top_up_is_available(worked):
    session, programme = worked
    friday = spend_position(session, programme, date(2027, 1, 15))
    monday = spend_position(session, programme, TOPUP)
    assert (friday.allocated_so_far, friday.allocated_total) == (D("100000.00"), D("150000.00"))
    assert (monday.allocated_so_far, monday.allocated_total) == (D("150000.00"), D("150000.00"))
    by_source = {s.funding_source: s for s in friday.by_source}
    assert by_source["icb_allocation"].allocated_so_far == D("0")
    assert by_source["icb_allocation"].allocated_total == D("50000.00")
    assert {s.funding_source: s.allocated_so_far for s in monday.by_source}["icb_allocation"] == D("50000.00")


def test_a_correction_wins_and_both_rows_stay(worked):
    session, programme = worked
    on_5_jan = spend_position(session, programme, date(2027, 1, 5))
    on_4_jan = spend_position(session, programme, date(2027, 1, 4))
    assert {s.key: s.actual for s in on_4_jan.schemes}["hours"] == D("1234.57")
    assert {s.key: s.actual for s in on_5_jan.schemes}["hours"] == D("1000.00")
    reasons = session.exec(select(SpendReport.correction_reason).order_by(SpendReport.id)).all()
    assert reasons[:2] == [None, "invoice counted twice"]


def test_the_latest_row_is_by_reported_at_not_by_insertion(engine):
    with session_scope(engine) as session:
        programme = add_programme(session)
        report(session, programme, "hours", WED_20_JAN, "700.00", hour=15)
        report(session, programme, "hours", WED_20_JAN, "650.00", hour=9)  # stored later, said earlier
        assert spend_position(session, programme, WED_20_JAN).actual == D("700.00")


def test_totals_by_scheme_and_source_to_the_penny(worked):
    session, programme = worked
    position = spend_position(session, programme, WED_20_JAN)
    schemes = {s.key: s for s in position.schemes}
    assert (schemes["hours"].actual, schemes["hours"].committed, schemes["hours"].activity) == (
        D("8000.00"),
        D("2000.00"),
        D("300.00"),
    )
    assert (schemes["beds"].actual, schemes["beds"].committed) == (D("6000.01"), D("9000.00"))
    assert (schemes["never"].actual, schemes["never"].last_reported) == (D("0"), None)
    # 8000.00 + 6000.01 = 14000.01 spent; 2000 + 9000 = 11000.00 committed; 25000.01 in all
    assert (position.actual, position.committed, position.commitment) == (D("14000.01"), D("11000.00"), D("25000.01"))
    by_source = {s.funding_source: (s.actual, s.committed) for s in position.by_source}
    assert by_source == {
        "local_authority_grant": (D("8000.00"), D("2000.00")),
        "icb_allocation": (D("6000.01"), D("9000.00")),
    }


def test_run_rates_and_outturns_on_20_january(worked):
    session, programme = worked
    f = spend_position(session, programme, WED_20_JAN).forecast
    # Today has a figure (6,000.01 dated Wed 20 Jan), so today is done, not left.
    # Done: 17 in December + Mon 4 to Wed 20 January (5 + 5 + 3) = 30; left: 78 - 30 = 48.
    assert (f.working_days_elapsed, f.working_days_left) == (30, 48)
    # Needed: (150,000.00 - 14,000.01) / 48 = 135,999.99 / 48 = 2,833.3331.. -> £2,833.33
    assert f.run_rate_needed == D("2833.33")
    # Recent window: the 10 working days before Wed 20 Jan are Wed 6 .. Tue 19 Jan.
    # Actual at the end of Tue 19 Jan: 8,000.00 + 5,000.00 = 13,000.00 (today's 6,000.01 not in it);
    # at the end of Tue 5 Jan: 1,000.00 (the corrected figure). 12,000.00 / 10 = £1,200.00 a day.
    assert f.recent_run_rate == D("1200.00")
    # Whole period: 14,000.01 / 30 = 466.6670 -> £466.67
    assert f.period_run_rate == D("466.67")
    # Outturns: 14,000.01 + 1,200.00 x 48 = 71,600.01; 14,000.01 + 466.67 x 48 = 36,400.17
    assert (f.outturn_recent, f.outturn_period) == (D("71600.01"), D("36400.17"))
    assert (f.variance_recent, f.variance_period) == (D("-78399.99"), D("-113599.83"))
    # Committed basis: 14,000.01 spent + 11,000.00 committed = 25,000.01, 124,999.99 under.
    assert (f.outturn_committed, f.variance_committed) == (D("25000.01"), D("-124999.99"))


def test_before_its_figures_are_in_today_is_still_left(worked):
    session, programme = worked
    f = spend_position(session, programme, date(2027, 1, 21)).forecast
    # Nothing dated Thu 21 Jan yet: done to Wed 20 Jan (30), left from today (48), as on Wed 20
    # Jan once its figures were in.
    assert (f.working_days_elapsed, f.working_days_left) == (30, 48)


def test_flags_of_the_worked_example(worked):
    session, programme = worked
    position = spend_position(session, programme, WED_20_JAN)
    # 71,600.01 is below 90% of 150,000 (135,000): underspend risk, on the recent rate. Every
    # reading from Tue 8 Dec was below (nothing spent before January), so it was raised on
    # the working day after the third: Fri 11 Dec.
    [underspend] = [f for f in position.flags if f.rule == "underspend_risk"]
    assert (underspend.subject, underspend.raised_on) == ("vale", date(2026, 12, 11))
    assert "recent run rate" in underspend.message and "£71,600" in underspend.message
    assert "48%" in underspend.message  # 71,600.01 / 150,000 = 47.7% -> 48%
    # Plan by now: 0.75 x planned x 30/78. hours: 300 >= 288.46, on plan; beds: 25 < 28.85;
    # never: 0 < 2.88. The scheme that never reported is silent since 7 Dec: 29 working days.
    assert rules(position, "hours") == []
    assert rules(position, "beds") == ["activity_behind_plan"]
    assert rules(position, "never") == ["silent_scheme", "activity_behind_plan"]
    assert "29 working days (never reported)" in next(f for f in position.flags if f.rule == "silent_scheme").message
    assert "overcommitted" not in rules(position)


def test_the_status_text_carries_the_numbers(worked, engine):
    session, programme = worked
    text = format_spend(spend_position(session, programme, WED_20_JAN))
    assert "Allocated so far £150,000.00 of £150,000.00" in text
    assert "Actual £14,000.01, committed £11,000.00, commitment £25,000.01" in text
    assert "£2,833.33 a working day" in text and "£71,600.01" in text and "£36,400.17" in text
    session.commit()
    assert status_text(engine, "vale", WED_20_JAN) == text


# -- the burn-up series ----------------------------------------------------------------------


def test_burn_up_follows_the_ledger_and_steps_up_with_the_top_up(worked):
    session, programme = worked
    series = burn_up(session, programme, WED_20_JAN)
    points = {p.day: p for p in series.points}
    assert series.start == START and series.points[0].day == START and series.points[-1].day == WED_20_JAN
    assert len(series.points) == 45  # 7 Dec .. 20 Jan, every calendar day
    assert points[date(2027, 1, 3)].actual == D("0")
    assert (points[date(2027, 1, 4)].actual, points[date(2027, 1, 4)].committed) == (D("1234.57"), D("500.00"))
    assert points[date(2027, 1, 5)].actual == D("1000.00")  # the correction
    assert points[date(2027, 1, 11)].actual == D("6000.00")
    assert (points[date(2027, 1, 17)].allocated, points[TOPUP].allocated) == (D("100000.00"), D("150000.00"))
    last = series.points[-1]
    assert (last.actual, last.committed) == (D("14000.01"), D("11000.00"))  # matches spend_position
    assert series.tranches == ((START, D("100000.00"), "Tranche 1"), (TOPUP, D("50000.00"), "Tranche 2"))


# -- a fixed number of queries, whatever the days and schemes ---------------------------------


@contextmanager
def counted(engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def queries_for(engine, slug: str, schemes: int, days: int) -> tuple[int, int]:
    with session_scope(engine) as session:
        specs = tuple((f"s{i}", "local_authority_grant", "1000.00", "10") for i in range(schemes))
        programme = add_programme(session, slug=slug, schemes=specs)
        for i in range(schemes):
            for d in range(days):
                report(session, programme, f"s{i}", START + timedelta(days=d), f"{d}.00", activity=str(d))
    with session_scope(engine) as session:
        programme = session.exec(select(Programme).where(Programme.slug == slug)).one()
        with counted(engine) as position_queries:
            spend_position(session, programme, WED_20_JAN)
        with counted(engine) as burn_up_queries:
            burn_up(session, programme, WED_20_JAN)
    return len(position_queries), len(burn_up_queries)


def test_query_count_does_not_grow_with_days_or_schemes(engine):
    small = queries_for(engine, "small", schemes=1, days=1)
    large = queries_for(engine, "large", schemes=6, days=40)
    assert small == large
    assert small[0] <= 6 and small[1] <= 3 + small[0]  # the burn-up reads the position for its projection
