"""`/winter away` and `/winter back` through the real ASGI app, on a clock set to mid-December.

time-machine moves the process's wall clock (the app's and the request signer's alike), so
the signature stays fresh while "today" is Monday 14 December 2026.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from fixtures_slack import said
from sqlmodel import select

from bot.common.asking import JOIN_TEXT
from models.db import session_scope
from models.tables import AuditEvent, Member

MON_14_DEC_10AM = datetime(2026, 12, 14, 10, 0, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture
def december():
    with time_machine.travel(MON_14_DEC_10AM, tick=True):
        yield


def away_until(engine, user_id: str) -> list[date | None]:
    with session_scope(engine) as session:
        return [m.away_until for m in session.exec(select(Member).where(Member.platform_user_id == user_id))]


def actions(engine) -> list[str]:
    with session_scope(engine) as session:
        return [event.action for event in session.exec(select(AuditEvent).order_by(AuditEvent.id))]


def test_away_4_jan_confirms_the_date_and_records_it(slack_server, add_member, engine, december):
    add_member("U0PART")
    shown, fallback = said(slack_server.command("away 4 Jan", "U0PART"))
    assert "Prompts start again on Mon 4 Jan." in shown
    assert "Back sooner? `/winter back`" in shown
    assert "Mon 4 Jan" in fallback
    assert away_until(engine, "U0PART") == [date(2027, 1, 4)]
    assert actions(engine) == ["member.away"]


def test_away_to_a_bank_holiday_says_when_prompts_really_start(slack_server, add_member, engine, december):
    add_member("U0PART")
    shown, _ = said(slack_server.command("away 28/12", "U0PART"))
    assert "Mon 28 Dec is a bank holiday (Boxing Day (observed)), so prompts start again on Tue 29 Dec." in shown
    assert away_until(engine, "U0PART") == [date(2026, 12, 29)]


def test_away_nonsense_explains_offers_examples_and_changes_nothing(slack_server, add_member, engine, december):
    add_member("U0PART")
    shown, fallback = said(slack_server.command("away nonsense", "U0PART"))
    assert 'I could not read "nonsense" as a date. Write the day you are back, day first.' in shown
    assert "For example: `/winter away tomorrow` · `/winter away next monday`" in shown
    assert "`/winter away 29/12`" in shown and "`/winter away 2026-12-29`" in shown
    assert "/winter away 29 Dec" in fallback
    assert away_until(engine, "U0PART") == [None]
    assert actions(engine) == []


def test_away_with_no_date_asks_for_one(slack_server, add_member, engine, december):
    add_member("U0PART")
    shown, _ = said(slack_server.command("away", "U0PART"))
    assert "Say the day you are back" in shown
    assert away_until(engine, "U0PART") == [None]


def test_what_was_typed_cannot_mention_the_channel(slack_server, add_member, december):
    add_member("U0PART")
    shown, _ = said(slack_server.command("away <!channel>", "U0PART"))
    assert "<!channel>" not in shown
    assert "&lt;!channel&gt;" in shown


def test_back_resumes_prompts(slack_server, add_member, engine, december):
    add_member("U0PART")
    said(slack_server.command("away next monday", "U0PART"))
    assert away_until(engine, "U0PART") == [date(2026, 12, 21)]
    shown, _ = said(slack_server.command("back", "U0PART"))
    assert "Welcome back. Your next check-in prompt comes on Tue 15 Dec at 09:30." in shown
    assert away_until(engine, "U0PART") == [None]
    assert actions(engine) == ["member.away", "member.back"]


def test_back_when_not_away_says_so(slack_server, add_member, engine, december):
    add_member("U0PART")
    shown, _ = said(slack_server.command("back", "U0PART"))
    assert "You are not away, so there is nothing to change" in shown
    assert "`/winter away 4 Jan`" in shown
    assert actions(engine) == []


def test_away_on_two_programmes_pauses_both(slack_server, add_member, engine, december):
    add_member("U0BOTH", "lead")
    add_member("U0BOTH", "partner", programme="wold", programme_name="Wold & Coast", organisation="wold-vcs")
    shown, _ = said(slack_server.command("away 4/1", "U0BOTH"))
    assert "away from Vale winter discharge fund and Wold &amp; Coast" in shown
    assert away_until(engine, "U0BOTH") == [date(2027, 1, 4)] * 2


@pytest.mark.parametrize("text", ["away 4 Jan", "back"])
def test_a_stranger_is_told_how_to_join(slack_server, engine, text, december):
    shown, _ = said(slack_server.command(text, "U0STRANGER"))
    assert JOIN_TEXT in shown
    assert actions(engine) == []


def test_an_observer_is_told_they_are_never_prompted(slack_server, add_member, engine, december):
    add_member("U0OBS", "observer")
    shown, _ = said(slack_server.command("away 4 Jan", "U0OBS"))
    assert "observers are never sent check-in prompts, so there is nothing to pause." in shown
    assert away_until(engine, "U0OBS") == [None]


def test_help_lists_away_and_back_for_a_partner_not_an_observer(slack_server, add_member):
    add_member("U0PART")
    add_member("U0OBS", "observer")
    partner, _ = said(slack_server.command("help", "U0PART"))
    observer, _ = said(slack_server.command("help", "U0OBS"))
    assert "`/winter away UNTIL` — Pause your prompts until the day you are back" in partner
    assert "`/winter back` — Resume your check-in prompts" in partner
    assert "/winter away" not in observer and "/winter back" not in observer
