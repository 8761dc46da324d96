"""The day-by-day changes of the total actual the database works out for the underspend flag
(bot.spend.ledger.daily_actual_changes) agree with each day's newest figures, read row by row."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal as D

from spend_support import START, WED_20_JAN, add_programme, report
from sqlmodel import select

from bot.spend.burn_up import burn_up
from bot.spend.ledger import daily_actual_changes, spend_position
from models.db import session_scope
from models.tables import Scheme, row_id

SCHEMES = (("hours", "local_authority_grant", "60000.00", "10"), ("beds", "icb_allocation", "60000.00", "10"))


def test_the_changes_add_up_to_every_day_s_newest_figures(engine):
    with session_scope(engine) as session:
        programme = add_programme(session, schemes=SCHEMES)
        report(session, programme, "hours", date(2026, 11, 30), "100.00")  # before the start
        report(session, programme, "hours", date(2027, 1, 4), "1234.57")
        report(session, programme, "hours", date(2027, 1, 4), "1300.00", hour=15)  # amended the same day
        report(session, programme, "hours", date(2027, 1, 4), "1250.00", hour=9)  # stored later, said earlier
        report(session, programme, "hours", date(2027, 1, 5), "1000.00", reason="invoice counted twice")
        report(session, programme, "beds", date(2027, 1, 5), "999.99")
        report(session, programme, "beds", date(2027, 1, 11), "5000.01")
        changes = daily_actual_changes(session, row_id(programme))
        # 4 Jan: hours 100.00 -> 1,300.00 (the newest said, 15:00); 5 Jan: hours -300.00, beds +999.99.
        assert changes[date(2027, 1, 4)] == D("1200.00")
        assert changes[date(2027, 1, 5)] == D("699.99")
        assert changes[date(2027, 1, 11)] == D("4000.02")
        series = {p.day: p.actual for p in burn_up(session, programme, WED_20_JAN).points}
        running = D("0")
        for day in sorted(changes):
            running += changes[day]
            if day >= START:
                assert running == series[day], day
        assert running == spend_position(session, programme, WED_20_JAN).actual


def test_an_archived_scheme_drops_out_of_the_changes(engine):
    with session_scope(engine) as session:
        programme = add_programme(session, schemes=SCHEMES)
        report(session, programme, "hours", date(2027, 1, 4), "500.00")
        report(session, programme, "beds", date(2027, 1, 4), "700.00")
        assert daily_actual_changes(session, row_id(programme)) == {date(2027, 1, 4): D("1200.00")}
        beds = session.exec(select(Scheme).where(Scheme.key == "beds")).one()
        beds.archived_at = datetime(2027, 1, 6, 12, tzinfo=UTC)
        session.add(beds)
        session.flush()
        assert daily_actual_changes(session, row_id(programme)) == {date(2027, 1, 4): D("500.00")}
