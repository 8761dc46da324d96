"""The definitions every view counts by (bot/common/definitions.py), on hand-computed days across
Christmas 2026 and Easter 2027, and the same "working days left" in every view for the same day."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal as D
from pathlib import Path

import pytest
from sqlmodel import select
from test_engagement import _checkin
from test_engagement import db as db

from bot.common.definitions import (
    even_pace,
    last_working_days,
    working_days_done,
    working_days_left,
)
from bot.reports.brief import compose_brief
from bot.reports.digest import compose_digest
from bot.reports.engagement import Tally, response_rates
from bot.reports.status import status_screen
from bot.reports.summary import programme_summary
from bot.spend.ledger import spend_position
from bot.spend.words import forecast_lines
from models.db import session_scope
from models.tables import Delivery, Programme, Scheme, SpendReport

DEADLINE = date(2027, 3, 31)
FIXTURES = Path(__file__).with_name("fixtures")


# -- pure ------------------------------------------------------------------------------------


def test_the_last_five_working_days_are_five_across_christmas_and_easter():
    # Before Tue 29 Dec 2026: Thu 24, Wed 23, Tue 22, Mon 21, Fri 18 (25 and 28 Dec are bank holidays).
    assert last_working_days(date(2026, 12, 29), 5) == (date(2026, 12, 18), date(2026, 12, 24))
    # Before Tue 30 Mar 2027: Thu 25, Wed 24, Tue 23, Mon 22, Fri 19 (Good Friday, Easter Monday out).
    assert last_working_days(date(2027, 3, 30), 5) == (date(2027, 3, 19), date(2027, 3, 25))
    with pytest.raises(ValueError):
        last_working_days(date(2027, 3, 30), 0)


def test_today_is_left_until_its_figures_are_in():
    # Thu 24 Dec 2026 to Wed 31 Mar 2027: 24 Dec, 29-31 Dec (3), January 20 (21 weekdays less
    # New Year's Day), February 20, March 21 (23 weekdays less Good Friday and Easter Monday) = 65.
    assert working_days_left(date(2026, 12, 24), DEADLINE, today_in=False) == 65
    assert working_days_left(date(2026, 12, 24), DEADLINE, today_in=True) == 64
    # Christmas Day is not a working day: nothing changes when a figure is dated it.
    assert working_days_left(date(2026, 12, 25), DEADLINE, True) == working_days_left(
        date(2026, 12, 25), DEADLINE, False
    )
    assert working_days_left(DEADLINE, DEADLINE, today_in=False) == 1
    assert working_days_left(DEADLINE, DEADLINE, today_in=True) == 0
    assert working_days_left(date(2027, 4, 1), DEADLINE, today_in=False) == 0
    # Done: from Mon 21 Dec, to yesterday or to today once in.
    assert working_days_done(date(2026, 12, 21), date(2026, 12, 29), DEADLINE, today_in=False) == 4
    assert working_days_done(date(2026, 12, 21), date(2026, 12, 29), DEADLINE, today_in=True) == 5


def test_the_even_pace_counts_working_days_and_only_money_available():
    la, icb = (date(2026, 12, 21), D("300000")), (date(2027, 1, 11), D("200000"))
    # LA grant: Mon 21 Dec to Wed 31 Mar is 68 working days (Dec 21-24 and 29-31: 7; January 20,
    # February 20, March 21); by the end of Thu 24 Dec, 4 of them: 300,000 x 4 / 68 = 17,647.06.
    assert even_pace([la, icb], DEADLINE, date(2026, 12, 24)) == D("17647.06")
    # The ICB allocation is not expected before Mon 11 Jan, then over its own 56 working days
    # (January 15, February 20, March 21). By Fri 15 Jan: LA 17 of 68 days (7 in December, 10 in
    # January) = 75,000; ICB 5 of 56 = 17,857.142.. -> 92,857.14.
    assert even_pace([la, icb], DEADLINE, date(2027, 1, 8)) == D("52941.18")  # LA only: 300,000 x 12 / 68
    assert even_pace([la, icb], DEADLINE, date(2027, 1, 15)) == D("92857.14")
    assert even_pace([la, icb], DEADLINE, DEADLINE) == D("500000.00")


# -- the engagement window ----------------------------------------------------------------------


def _prompted(engine, *days: date) -> None:
    with session_scope(engine) as s:
        programme = s.exec(select(Programme)).one()
        for day in days:
            s.add(
                Delivery(
                    key=f"{programme.slug}:daily-prompts:all:{day}",
                    programme_id=programme.id,
                    job="daily-prompts",
                    local_date=day,
                    state="sent",
                    sent_at=datetime(day.year, day.month, day.day, 9, 30, tzinfo=UTC),
                )
            )


def test_the_engagement_window_opens_with_the_first_prompt_not_the_money(db):
    # Prompts went out from Mon 14 Dec, a week before the money (Mon 21 Dec); Tom answered 15 Dec.
    _prompted(db, date(2026, 12, 14), date(2026, 12, 15))
    with session_scope(db) as s:
        _checkin(s, "U0PART0001", date(2026, 12, 15))
    with session_scope(db) as s:
        programme = s.exec(select(Programme)).one()
        before_money = response_rates(s, programme, date(2026, 12, 18))
        assert before_money.start == date(2026, 12, 14)
        hospital = next(row for row in before_money.organisations if row.name == "Vale Hospital")
        # Tom: asked Mon 14 to Thu 17 Dec (4 days), answered the 15th.
        assert hospital.since_start == Tally(1, 4)
        # On Tue 29 Dec the last week is Fri 18, Mon 21 to Thu 24 Dec: five days, all answered but the 18th.
        after = response_rates(s, programme, date(2026, 12, 29))
        assert after.last_week_from == date(2026, 12, 18)
        hospital = next(row for row in after.organisations if row.name == "Vale Hospital")
        assert hospital.last_week == Tally(4, 5)


def test_a_failed_prompt_does_not_open_the_window(db):
    _prompted(db, date(2026, 12, 14))
    with session_scope(db) as s:
        s.exec(select(Delivery)).one().state = "failed"
    with session_scope(db) as s:
        assert response_rates(s, s.exec(select(Programme)).one(), date(2026, 12, 18)).start == date(2026, 12, 21)


def test_the_last_week_of_engagement_across_easter(db):
    # Prompts from Mon 21 Dec; Nia answers Thu 25 Mar and on Good Friday (never asked: not counted).
    _prompted(db, date(2026, 12, 21))
    with session_scope(db) as s:
        _checkin(s, "U0PART0005", date(2027, 3, 25))
        _checkin(s, "U0PART0005", date(2027, 3, 26))
    with session_scope(db) as s:
        rates = response_rates(s, s.exec(select(Programme)).one(), date(2027, 3, 30))
        # Tue 30 Mar: the five working days before are Fri 19, Mon 22 to Thu 25 Mar.
        assert rates.last_week_from == date(2027, 3, 19)
        nurses = next(row for row in rates.organisations if row.name == "Community Nurses")
        assert nurses.last_week.answered == 1
        assert nurses.last_week == Tally(1, 5)  # Nia, the one nurse: five days asked, one answered


# -- the same working days left in every view -------------------------------------------------


def _working_days_left_everywhere(engine, today: date) -> dict[str, int]:
    with session_scope(engine) as s:
        programme = s.exec(select(Programme)).one()
        position = spend_position(s, programme, today)
        screen = status_screen(s, programme, datetime(today.year, today.month, today.day, 12, tzinfo=UTC))
        said = {
            "spend position": position.forecast.working_days_left,
            "status screen": screen.money.working_days_left,
            "brief": compose_brief(s, programme, today).money.working_days_left,
            "digest": compose_digest(s, programme, today, chart=False).next.working_days_left,
            "programme summary": programme_summary(s, programme.slug, today).working_days_left,
        }
        [line] = [x for x in forecast_lines(position) if x.startswith("Working days:")]
        said["spend text"] = int(line.split(", ")[1].split(" left")[0])
    return said


@pytest.mark.parametrize(("today", "figures_in", "left"), [(date(2027, 1, 6), False, 59), (date(2027, 1, 6), True, 58)])
def test_every_view_says_the_same_working_days_left(db, today, figures_in, left):
    if figures_in:
        with session_scope(db) as s:
            programme = s.exec(select(Programme)).one()
            scheme = s.exec(select(Scheme).where(Scheme.key == "hours")).one()
            s.add(
                SpendReport(
                    programme_id=programme.id,
                    scheme_id=scheme.id,
                    local_date=today,
                    actual=D("1000.00"),
                    committed=D("0"),
                    activity=D("10"),
                    reported_at=datetime(today.year, today.month, today.day, 11, tzinfo=UTC),
                )
            )
    said = _working_days_left_everywhere(db, today)
    assert set(said.values()) == {left}, said
