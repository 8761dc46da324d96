"""`away UNTIL` and `back`: recording it on every membership (SQLite and PostgreSQL), the prompts
it skips, and what a platform calls."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from away_support import JAN_4, MON_14_DEC, at
from sqlmodel import Session, select

from bot.checkin.prompts import is_prompted, prompted_members
from bot.common.asking import JOIN_TEXT
from bot.people.away import (
    Outcome,
    UntilError,
    request_away,
    request_back,
    set_away,
    set_back,
)
from models.db import session_scope
from models.tables import AuditEvent, Member

# -- recording it ------------------------------------------------------------------------------


def _member(session: Session, member: Member) -> Member:
    found = session.get(Member, member.id)
    assert found is not None
    return found


def _away_until(engine, *members: Member) -> list[date | None]:
    with session_scope(engine) as session:
        return [_member(session, m).away_until for m in members]


def _audit(engine) -> list[tuple[int | None, str, dict]]:
    with session_scope(engine) as session:
        rows = session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
        return [(row.member_id, row.action, row.detail) for row in rows]


def _two_programmes(add_member, role_here="partner", role_there="partner"):
    vale = add_member("U0BOTH", role_here)
    wold = add_member("U0BOTH", role_there, programme="wold", programme_name="Wold & Coast", organisation="wold-vcs")
    return vale, wold


def test_away_sets_the_day_prompts_start_again_and_audits_it(engine, add_member):
    partner = add_member("U0PART")
    with session_scope(engine) as session:
        result = set_away(session, _member(session, partner), JAN_4, at(MON_14_DEC))
    assert result.outcome is Outcome.AWAY
    assert result.until == JAN_4 and result.asked is None and result.previous is None
    assert result.text == (
        "You are away from Vale winter discharge fund: no check-in prompts or reminders until you "
        "are back. Prompts start again on Mon 4 Jan."
    )
    assert _away_until(engine, partner) == [JAN_4]
    assert _audit(engine) == [(partner.id, "member.away", {"until": "2027-01-04", "asked": "2027-01-04"})]


def test_away_to_a_bank_holiday_stores_the_next_working_day(engine, add_member):
    partner = add_member("U0PART")
    with session_scope(engine) as session:
        result = set_away(session, _member(session, partner), date(2026, 12, 28), at(MON_14_DEC))
    assert (result.until, result.asked) == (date(2026, 12, 29), date(2026, 12, 28))
    assert result.text.endswith(
        "Mon 28 Dec is a bank holiday (Boxing Day (observed)), so prompts start again on Tue 29 Dec."
    )
    assert _away_until(engine, partner) == [date(2026, 12, 29)]


def test_someone_on_two_programmes_is_away_from_both_and_back_on_both(engine, add_member):
    vale, wold = _two_programmes(add_member)
    same_id_on_teams = add_member("U0BOTH", platform="teams")
    someone_else = add_member("U0OTHER")
    with session_scope(engine) as session:
        away = set_away(session, _member(session, wold), JAN_4, at(MON_14_DEC))
    assert away.programmes == ("Vale winter discharge fund", "Wold & Coast")
    assert "away from Vale winter discharge fund and Wold & Coast:" in away.text
    assert _away_until(engine, vale, wold, same_id_on_teams, someone_else) == [JAN_4, JAN_4, None, None]
    assert [(m, a) for m, a, _ in _audit(engine)] == [(vale.id, "member.away"), (wold.id, "member.away")]

    with session_scope(engine) as session:
        back = set_back(session, _member(session, vale), at(MON_14_DEC, 11))
    assert back.outcome is Outcome.BACK and back.previous == JAN_4
    assert _away_until(engine, vale, wold) == [None, None]
    assert [(m, a, d) for m, a, d in _audit(engine)][2:] == [
        (vale.id, "member.back", {"was_until": "2027-01-04"}),
        (wold.id, "member.back", {"was_until": "2027-01-04"}),
    ]


def test_away_again_replaces_the_date_and_says_so(engine, add_member):
    partner = add_member("U0PART")
    with session_scope(engine) as session:
        set_away(session, _member(session, partner), JAN_4, at(MON_14_DEC))
    with session_scope(engine) as session:
        result = set_away(session, _member(session, partner), date(2026, 12, 21), at(MON_14_DEC))
    assert result.previous == JAN_4
    assert result.text.endswith("Prompts start again on Mon 21 Dec. (That replaces Mon 4 Jan.)")
    assert _away_until(engine, partner) == [date(2026, 12, 21)]


def test_set_away_refuses_a_past_date_and_changes_nothing(engine, add_member):
    partner = add_member("U0PART")
    with session_scope(engine) as session, pytest.raises(UntilError, match="has passed"):
        set_away(session, _member(session, partner), date(2026, 12, 1), at(MON_14_DEC))
    assert _away_until(engine, partner) == [None]
    assert _audit(engine) == []


@pytest.mark.parametrize(
    "now, next_prompt",
    [
        (at(MON_14_DEC, 8), "Mon 14 Dec at 09:30"),
        (at(MON_14_DEC, 9, 30), "Tue 15 Dec at 09:30"),
        (at(date(2026, 12, 24), 10), "Tue 29 Dec at 09:30"),
        (at(date(2026, 12, 26), 8), "Tue 29 Dec at 09:30"),
        (at(date(2027, 3, 25), 12), "Tue 30 Mar at 09:30"),
    ],
)
def test_back_names_the_next_prompt(engine, add_member, now, next_prompt):
    partner = add_member("U0PART")
    with session_scope(engine) as session:
        set_away(session, _member(session, partner), date(2027, 4, 1), now - timedelta(minutes=1))
    with session_scope(engine) as session:
        result = set_back(session, _member(session, partner), now)
    assert result.text == f"Welcome back. Your next check-in prompt comes on {next_prompt}."


@pytest.mark.parametrize("away_until", [None, date(2026, 12, 14), date(2026, 12, 1)])
def test_back_when_not_away_says_so_kindly_and_changes_nothing(engine, add_member, away_until):
    partner = add_member("U0PART")
    with session_scope(engine) as session:
        _member(session, partner).away_until = away_until
    with session_scope(engine) as session:
        result = set_back(session, _member(session, partner), at(MON_14_DEC))
    assert result.outcome is Outcome.NOT_AWAY
    assert result.text.startswith("You are not away, so there is nothing to change")
    assert _away_until(engine, partner) == [away_until]
    assert _audit(engine) == []


def test_prompts_skip_an_away_member_until_the_day_they_are_back(engine, add_member):
    partner = add_member("U0PART")
    with session_scope(engine) as session:
        set_away(session, _member(session, partner), date(2026, 12, 28), at(MON_14_DEC))
    with session_scope(engine) as session:
        member = _member(session, partner)
        assert is_prompted(member, MON_14_DEC) is False
        assert is_prompted(member, date(2026, 12, 24)) is False
        assert is_prompted(member, date(2026, 12, 29)) is True
        assert prompted_members(session, member.programme_id, date(2026, 12, 24)) == []
        assert [m.id for m in prompted_members(session, member.programme_id, date(2026, 12, 29))] == [partner.id]
    with session_scope(engine) as session:
        set_back(session, _member(session, partner), at(MON_14_DEC, 11))
    with session_scope(engine) as session:
        assert is_prompted(_member(session, partner), date(2026, 12, 15)) is True


# -- what a platform calls ---------------------------------------------------------------------


def test_request_away_reads_the_date_and_records_it(engine, add_member):
    partner = add_member("U0PART")
    with session_scope(engine) as session:
        result = request_away(session, "slack", "U0PART", "4 Jan", at(MON_14_DEC))
    assert (result.outcome, result.until) == (Outcome.AWAY, JAN_4)
    assert _away_until(engine, partner) == [JAN_4]


def test_request_away_with_a_bad_date_explains_offers_examples_and_changes_nothing(engine, add_member):
    partner = add_member("U0PART")
    with session_scope(engine) as session:
        result = request_away(session, "slack", "U0PART", "nonsense", at(MON_14_DEC))
    assert result.outcome is Outcome.BAD_DATE
    assert result.text.startswith('I could not read "nonsense" as a date.')
    assert result.examples == ("tomorrow", "next monday", "29/12", "29 Dec", "2026-12-29")
    assert _away_until(engine, partner) == [None]
    assert _audit(engine) == []


def test_someone_not_on_a_programme_is_told_how_to_join(engine, add_member):
    add_member("U0PART", platform="teams")
    with session_scope(engine) as session:
        away = request_away(session, "slack", "U0PART", "4 Jan", at(MON_14_DEC))
        back = request_back(session, "slack", "U0PART", at(MON_14_DEC))
    assert (away.outcome, away.text) == (Outcome.NOT_A_MEMBER, JOIN_TEXT)
    assert (back.outcome, back.text) == (Outcome.NOT_A_MEMBER, JOIN_TEXT)


def test_an_observer_is_told_they_are_never_prompted(engine, add_member):
    observer = add_member("U0OBS", "observer")
    with session_scope(engine) as session:
        away = request_away(session, "slack", "U0OBS", "4 Jan", at(MON_14_DEC))
        back = request_back(session, "slack", "U0OBS", at(MON_14_DEC))
    assert away.outcome is Outcome.NEVER_PROMPTED
    assert away.text == (
        "You are an observer on Vale winter discharge fund, and observers are never sent check-in "
        "prompts, so there is nothing to pause."
    )
    assert back.text.endswith("so there is nothing to resume.")
    assert _away_until(engine, observer) == [None]
    assert _audit(engine) == []


def test_an_observer_who_is_a_partner_elsewhere_is_away_from_both(engine, add_member):
    vale, wold = _two_programmes(add_member, role_here="observer", role_there="partner")
    with session_scope(engine) as session:
        result = request_away(session, "slack", "U0BOTH", "next monday", at(MON_14_DEC))
    assert result.outcome is Outcome.AWAY
    assert _away_until(engine, vale, wold) == [date(2026, 12, 21)] * 2
