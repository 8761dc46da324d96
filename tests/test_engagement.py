"""Response rates and quiet partners on SQLite and PostgreSQL, across Christmas and New Year 2026/27:
weekends and bank holidays are never asked, an away member is not counted while away, an archived
member only before archiving, an amended check-in once, leads not at all."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import select

from bot.programme.loader import load_path
from bot.reports.engagement import Tally, quiet_members, response_rates
from models.db import session_scope
from models.tables import CheckIn, Member, Organisation, Programme

PROGRAMME = Path(__file__).with_name("fixtures") / "leads.yaml"
TODAY = date(2027, 1, 6)  # a Wednesday; the money landed on Mon 21 Dec 2026
D = date


def _member(session, user_id: str) -> Member:
    return session.exec(select(Member).where(Member.platform_user_id == user_id)).one()


def _checkin(session, user_id: str, day: date, supersedes: int | None = None) -> int:
    member = _member(session, user_id)
    row = CheckIn(
        programme_id=member.programme_id,
        member_id=member.id,
        organisation_id=member.organisation_id,
        local_date=day,
        supersedes_id=supersedes,
        submitted_at=datetime(day.year, day.month, day.day, 10, tzinfo=UTC),
    )
    session.add(row)
    session.flush()
    return row.id


@pytest.fixture
def db(engine):
    load_path(engine, PROGRAMME)
    with session_scope(engine) as s:
        # Tom (statutory partner) answers every working day to 5 Jan, and on Christmas Day and a
        # Saturday too: those two days were never asked, so they count for nothing.
        for day in (
            D(2026, 12, 21),
            D(2026, 12, 22),
            D(2026, 12, 23),
            D(2026, 12, 24),
            D(2026, 12, 25),
            D(2026, 12, 29),
            D(2026, 12, 30),
            D(2026, 12, 31),
            D(2027, 1, 2),
            D(2027, 1, 4),
            D(2027, 1, 5),
        ):
            _checkin(s, "U0PART0001", day)
        # Bob answers 21, 22 and 29 Dec; on the 29th he amends his answer twice: one day answered.
        _checkin(s, "U0PART0002", D(2026, 12, 21))
        _checkin(s, "U0PART0002", D(2026, 12, 22))
        first = _checkin(s, "U0PART0002", D(2026, 12, 29))
        second = _checkin(s, "U0PART0002", D(2026, 12, 29), supersedes=first)
        _checkin(s, "U0PART0002", D(2026, 12, 29), supersedes=second)
        # Carol answers once and is archived on 30 Dec (counted on the days before only).
        _checkin(s, "U0PART0003", D(2026, 12, 21))
        _member(s, "U0PART0003").archived_at = datetime(2026, 12, 30, 12, tzinfo=UTC)
        # Gita answers 22 and 23 Dec, then goes away until Mon 11 Jan.
        _checkin(s, "U0PART0004", D(2026, 12, 22))
        _checkin(s, "U0PART0004", D(2026, 12, 23))
        _member(s, "U0PART0004").away_until = D(2027, 1, 11)
        # Nia answers on 4 Jan and today.
        _checkin(s, "U0PART0005", D(2027, 1, 4))
        _checkin(s, "U0PART0005", TODAY)
        # Vic never answers. Alice (a lead) answers, which no rate counts.
        _checkin(s, "U0LEAD0001", D(2027, 1, 5))
    return engine


def _rates(db, today=TODAY, since=None):
    with session_scope(db) as s:
        return response_rates(s, s.exec(select(Programme)).one(), today, since)


def _row(engagement, name):
    return next(row for row in engagement.organisations if row.name == name)


def test_window_skips_weekends_and_bank_holidays(db):
    e = _rates(db)
    assert e.start == D(2026, 12, 21)
    # 21-24 Dec, 29-31 Dec, 4-5 Jan: 25 and 28 Dec and 1 Jan are bank holidays.
    assert _row(e, "Vale Hospital").since_start == Tally(9, 9)
    assert _row(e, "Vale Hospital").since_start.rate == Decimal("100.0")
    # The last week is the five working days before today: 29, 30, 31 Dec, 4 and 5 Jan.
    assert e.last_week_from == D(2026, 12, 29)
    assert _row(e, "Vale Hospital").last_week == Tally(5, 5)
    assert _row(e, "Vale Volunteers").since_start == Tally(0, 9)
    assert _row(e, "Vale Volunteers").since_start.rate == Decimal("0.0")


def test_amended_checkin_counts_once_and_archived_member_only_before_archiving(db):
    carers = _row(_rates(db), "Home Carers Ltd")
    # Bob: 3 of 9. Carol: 1 of 5 (21-24 and 29 Dec; archived on the 30th).
    assert carers.since_start == Tally(4, 14)
    assert carers.since_start.rate == Decimal("28.6")
    # Last week: Bob 1 of 5, Carol 0 of 1 (29 Dec).
    assert carers.last_week == Tally(1, 6)
    assert carers.partners == 1  # Carol is archived


def test_away_member_not_counted_while_away_and_none_when_nothing_asked(db):
    e = _rates(db)
    surgery = _row(e, "Riverside Surgery")
    # Gita's last answer before going away was 23 Dec: she counts on 21-23 Dec only.
    assert surgery.since_start == Tally(2, 3)
    assert surgery.since_start.rate == Decimal("66.7")
    assert surgery.last_week == Tally(0, 0)
    assert surgery.last_week.rate is None
    # Organisations with no partners were never asked; a lead's answers count for nothing.
    assert _row(e, "Vale Council").since_start == Tally(0, 0)
    assert _row(e, "Vale Council").since_start.rate is None
    assert _row(e, "Vale ICB").last_week.rate is None


def test_today_counts_once_answered(db):
    nurses = _row(_rates(db), "Community Nurses")
    # 9 working days to yesterday, plus today (answered); Vic, who has not answered today, has 9.
    assert nurses.since_start == Tally(2, 10)
    # The last week is exactly the five working days before today: today's answer is not in it.
    assert nurses.last_week == Tally(1, 5)
    assert nurses.last_week.rate == Decimal("20.0")


def test_statutory_and_community_totals(db):
    e = _rates(db)
    statutory, community = e.sectors
    assert (statutory.sector, community.sector) == ("statutory", "community")
    assert [row.sector for row in e.organisations[:3]] == ["statutory"] * 3
    assert statutory.organisations == 3 and community.organisations == 4
    assert statutory.since_start == Tally(9, 9)
    assert statutory.last_week == Tally(5, 5)
    # carers 4/14, surgery 2/3, nurses 2/10, volunteers 0/9
    assert community.since_start == Tally(8, 36)
    assert community.since_start.rate == Decimal("22.2")
    # carers 1/6, surgery 0/0, nurses 1/5, volunteers 0/5
    assert community.last_week == Tally(2, 16)
    assert community.last_week.rate == Decimal("12.5")
    assert e.overall.since_start == Tally(17, 45)


def test_since_narrows_the_long_window(db):
    e = _rates(db, since=D(2027, 1, 1))
    assert e.since == D(2027, 1, 1)
    assert _row(e, "Vale Hospital").since_start == Tally(2, 2)
    assert _row(e, "Vale Volunteers").since_start == Tally(0, 2)
    # A `since` before the start changes nothing.
    assert _rates(db, since=D(2026, 11, 1)).since == D(2026, 12, 21)


def test_nothing_asked_before_the_money_lands(db):
    before = _rates(db, today=D(2026, 12, 18))
    assert all(row.since_start.rate is None and row.last_week.rate is None for row in before.organisations)
    assert before.overall.since_start == Tally(0, 0)
    first = _rates(db, today=D(2026, 12, 21))  # the first day, answered by Tom, Bob and Carol only
    assert _row(first, "Home Carers Ltd").since_start == Tally(2, 2)
    assert _row(first, "Vale Hospital").since_start == Tally(1, 1)
    assert _row(first, "Vale Volunteers").since_start.rate is None  # not yet answered today
    assert first.sectors[1].since_start == Tally(2, 2)


def test_quiet_members(db):
    with session_scope(db) as s:
        programme = s.exec(select(Programme)).one()
        quiet = quiet_members(s, programme, TODAY, 3)
        longer = quiet_members(s, programme, TODAY, 5)
        after_holidays = quiet_members(s, programme, D(2026, 12, 29), 3)
    # Vic never answered: every working day since 21 Dec. Bob last answered 29 Dec: 30, 31 Dec,
    # 4 and 5 Jan. Gita is away, Carol archived, Nia answered today, Alice is a lead.
    assert [(q.name, q.working_days_silent, q.last_check_in) for q in quiet] == [
        ("Vic Volunteer", 9, None),
        ("Bob Carer", 4, D(2026, 12, 29)),
    ]
    assert quiet[0].organisation == "Vale Volunteers"
    assert [q.name for q in longer] == ["Vic Volunteer"]
    # On 29 Dec, Bob's last answer was 22 Dec: 23 and 24 Dec only (25 and 28 Dec are holidays).
    assert "Bob Carer" not in [q.name for q in after_holidays]


def test_member_back_from_away_counts_again_after_away_until(db):
    with session_scope(db) as s:
        gita = _member(s, "U0PART0004")
        gita.away_until = D(2027, 1, 4)  # she came back on Monday and has not answered since
    e = _rates(db)
    # Away 24 Dec to 3 Jan; 4 and 5 Jan count, unanswered.
    assert _row(e, "Riverside Surgery").since_start == Tally(2, 5)
    assert _row(e, "Riverside Surgery").last_week == Tally(0, 2)
    with session_scope(db) as s:
        quiet = quiet_members(s, s.exec(select(Programme)).one(), TODAY, 2)
    assert ("Gita GP", 2) in [(q.name, q.working_days_silent) for q in quiet]


def test_organisation_rows_carry_kind(db):
    e = _rates(db)
    row = _row(e, "Riverside Surgery")
    assert (row.kind, row.sector) == ("gp", "community")
    with session_scope(db) as s:
        assert row.organisation_id == s.exec(select(Organisation.id).where(Organisation.key == "surgery")).one()


@pytest.mark.parametrize("today", [D(2026, 12, 24), D(2026, 12, 29), TODAY, D(2027, 1, 11), D(2027, 1, 20)])
@pytest.mark.parametrize("back_on", [None, D(2027, 1, 4), D(2027, 1, 6)])
def test_the_status_screens_roster_agrees_with_the_whole_history(db, today, back_on):
    """Without the history (each partner's last check-in, and the last before they went away)
    the quiet list and today's count are the same as from every day answered."""
    from bot.reports.engagement import quiet_from, roster

    with session_scope(db) as s:
        _checkin(s, "U0PART0002", today)
        _member(s, "U0PART0005").away_until = back_on
    with session_scope(db) as s:
        programme = s.exec(select(Programme)).first()
        full, light = roster(s, programme, today), roster(s, programme, today, history=False)
        for after in (1, 3, 5):
            assert quiet_from(light, after) == quiet_from(full, after)
        assert [(m.member.id, m.answered_today, m.away_today, m.last_check_in, m.silent) for m in light.members] == [
            (m.member.id, today in m.answered, m.away_today, m.last_check_in, m.silent) for m in full.members
        ]
        assert [m.member.id for m in light.prompted_today()] == [m.member.id for m in full.prompted_today()]
        for m in full.members:  # the count is the prompted days after the last answer, before today
            assert m.silent == sum(1 for d in m.prompted if (m.last_check_in or date.min) < d < today)
