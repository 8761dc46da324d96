"""The huddle board's data (bot.reports.board) on SQLite and PostgreSQL: the same figures as
`/winter status` at the same moment, every open risk most severe first, the blockers waiting for
an answer, partner voice, the decisions since the previous working day, and who may have it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import select

from bot.checkin.blockers import answer_as, raise_from_checkin
from bot.programme.loader import load_path
from bot.reports.board import BoardLink, BoardRefused, board_access, board_link, compose_board
from bot.reports.decisions import record_decision
from bot.reports.leads_view import StatusView, status_for
from bot.risks.register import raise_risk
from models.db import session_scope
from models.tables import Blocker, CapacityReport, CheckIn, Member, Organisation, Programme, Scheme, SpendReport
from models.vocabulary import Severity

PROGRAMME = Path(__file__).with_name("fixtures") / "leads.yaml"
NOW = datetime(2027, 1, 6, 9, 5, tzinfo=UTC)  # Wednesday 6 January 2027, 09:05 in London
TUESDAY, WEDNESDAY = date(2027, 1, 5), date(2027, 1, 6)
LEAD, ADMIN, PARTNER, OBSERVER = "U0LEAD0001", "U0ADMN0001", "U0PART0002", "U0OBSV0001"


def member(session, user_id: str) -> Member:
    return session.exec(select(Member).where(Member.platform_user_id == user_id)).one()


def org(session, key: str) -> Organisation:
    return session.exec(select(Organisation).where(Organisation.key == key)).one()


def checkin(session, user_id: str, day: date, blockers: str | None = None, comment: str | None = None) -> CheckIn:
    m = member(session, user_id)
    row = CheckIn(
        programme_id=m.programme_id,
        member_id=m.id,
        organisation_id=m.organisation_id,
        local_date=day,
        blockers=blockers,
        comment=comment,
    )
    session.add(row)
    session.flush()
    raise_from_checkin(session, row, blockers, datetime(day.year, day.month, day.day, 12, tzinfo=UTC))
    return row


def load_board_programme(engine) -> None:
    """leads.yaml with money spent, levels (one stale), check-ins with blockers and comments,
    risks of every severity, an answered and two waiting blockers, and decisions."""
    load_path(engine, PROGRAMME)
    with session_scope(engine) as s:
        programme = s.exec(select(Programme)).one()
        carers, surgery, trust = org(s, "carers"), org(s, "surgery"), org(s, "trust")
        for o, service, day, level in (
            (carers, "home_care", TUESDAY, 4),
            (carers, "reablement", date(2026, 12, 30), 2),
            (surgery, "gp", TUESDAY, 3),
            (trust, "acute_discharge", WEDNESDAY, 1),
        ):
            s.add(
                CapacityReport(
                    programme_id=programme.id, organisation_id=o.id, service=service, local_date=day, level=level
                )
            )
        hours = s.exec(select(Scheme).where(Scheme.key == "hours")).one()
        s.add(
            SpendReport(
                programme_id=programme.id,
                scheme_id=hours.id,
                local_date=TUESDAY,
                actual=Decimal("12000"),
                committed=Decimal("3000"),
                activity=Decimal("10"),
            )
        )
        checkin(s, "U0PART0002", TUESDAY, blockers="No packages of care in the north of the county")
        checkin(s, "U0PART0006", TUESDAY, comment="Volunteer drivers are ready for weekend discharges")
        checkin(s, "U0PART0001", TUESDAY, blockers="Transport bookings take two days")
        checkin(s, "U0PART0005", date(2027, 1, 4), blockers="Answered already")
        raise_risk(s, programme.id, "manual", "low", "A low one", None, Severity.LOW, None, NOW)
        raise_risk(s, programme.id, "manual", "crit", "Home care at level 4", None, Severity.CRITICAL, carers.id, NOW)
        raise_risk(s, programme.id, "manual", "high", "GP at level 3", None, Severity.HIGH, surgery.id, NOW)
    with session_scope(engine) as s:
        answered = s.exec(select(CheckIn).where(CheckIn.blockers == "Answered already")).one()
        blocker = s.exec(select(Blocker).where(Blocker.checkin_id == answered.id)).one()
        answer_as(s, "slack", LEAD, blocker.id, "reply", "We are on it", NOW)
        record_decision(
            s, "slack", LEAD, "Extend the bridging care contract to 31 March", datetime(2027, 1, 5, 9, 30, tzinfo=UTC)
        )
        record_decision(s, "slack", LEAD, "An old decision", datetime(2027, 1, 4, 9, 30, tzinfo=UTC))


@pytest.fixture
def loaded(engine):
    load_board_programme(engine)
    return engine


def board_of(engine, now=NOW):
    with session_scope(engine) as s:
        return compose_board(s, s.exec(select(Programme)).one(), now)


def test_the_board_has_the_numbers_of_winter_status_at_the_same_moment(loaded):
    board = board_of(loaded)
    with session_scope(loaded) as s:
        status = status_for(s, "slack", LEAD, NOW)
    assert isinstance(status, StatusView)
    assert board.money == status.screen.money
    assert board.capacity == status.screen.capacity
    assert board.risks == status.screen.risks.every
    assert board.risks_by_severity == status.screen.risks.by_severity
    assert board.checkins_today == status.screen.checkins_today
    assert board.quiet == status.screen.quiet
    assert board.money.actual == Decimal("12000") and board.money.committed == Decimal("3000")


def test_the_board_lists_risks_most_severe_first_and_says_when_it_is(loaded):
    board = board_of(loaded)
    assert [r.severity for r in board.risks] == [Severity.CRITICAL, Severity.HIGH, Severity.LOW]
    assert board.as_at == "09:05" and board.today == WEDNESDAY
    assert board.burn.today == WEDNESDAY and board.burn.points[-1].actual == Decimal("12000")


def test_the_capacity_grid_marks_the_stale_level(loaded):
    board = board_of(loaded)
    carers = next(r for r in board.capacity.rows if r.name == "Home Carers Ltd")
    cells = {c.service: c for c in carers.cells}
    assert cells["home_care"].level == 4 and not cells["home_care"].stale
    assert cells["reablement"].stale


def test_blockers_waiting_are_those_nobody_but_their_raiser_answered(loaded):
    board = board_of(loaded)
    texts = [b.text for b in board.blockers]
    assert texts == ["No packages of care in the north of the county", "Transport bookings take two days"]
    assert board.blockers[0].organisations == ("Home Carers Ltd",)


def test_partner_voice_quotes_community_comments_but_not_the_listed_blockers(loaded):
    board = board_of(loaded)
    said = [q.text for q in board.voice]
    assert "Volunteer drivers are ready for weekend discharges" in said
    assert "No packages of care in the north of the county" not in said
    assert board.voice_from == TUESDAY


def test_decisions_since_the_previous_working_day(loaded):
    board = board_of(loaded)
    assert board.decisions_from == TUESDAY
    assert [d.text for d in board.decisions] == ["Extend the bridging care contract to 31 March"]


@pytest.mark.parametrize("user_id", [LEAD, ADMIN])
def test_a_lead_or_admin_may_have_a_link(loaded, user_id):
    with session_scope(loaded) as s:
        link = board_link(s, "slack", user_id, NOW)
        assert isinstance(link, BoardLink)
        assert link.member_id == member(s, user_id).id and link.programme_name == "Leads fund"
        assert link.expires == datetime(2027, 1, 6, 21, 5, tzinfo=UTC)
        assert not isinstance(board_access(s, link.member_id), BoardRefused)


@pytest.mark.parametrize(
    ("user_id", "reason"), [(PARTNER, "not_lead"), (OBSERVER, "not_lead"), ("U0NOBODY", "not_member")]
)
def test_partners_observers_and_strangers_may_not(loaded, user_id, reason):
    with session_scope(loaded) as s:
        refused = board_link(s, "slack", user_id, NOW)
    assert isinstance(refused, BoardRefused) and refused.reason == reason


def test_access_is_checked_again_from_the_member(loaded):
    with session_scope(loaded) as s:
        lead = member(s, LEAD)
        lead.role = "partner"
        s.add(lead)
        admin = member(s, ADMIN)
        admin.archived_at = NOW
        s.add(admin)
    with session_scope(loaded) as s:
        demoted = board_access(s, member(s, LEAD).id)
        archived = board_access(s, member(s, ADMIN).id)
        gone = board_access(s, 999_999)
    assert isinstance(demoted, BoardRefused) and demoted.reason == "not_lead"
    assert isinstance(archived, BoardRefused) and archived.reason == "archived"
    assert isinstance(gone, BoardRefused) and gone.reason == "gone"


def test_a_lead_names_the_programme_whose_board_they_want(loaded):
    with session_scope(loaded) as s:
        slug = s.exec(select(Programme)).one().slug
        named = board_link(s, "slack", LEAD, NOW, slug)
        other = board_link(s, "slack", LEAD, NOW, "another-fund")
    assert isinstance(named, BoardLink) and named.programme_name == "Leads fund"
    assert isinstance(other, BoardRefused) and other.reason == "not_member" and "another-fund" in other.message
