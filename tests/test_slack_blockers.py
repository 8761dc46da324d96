"""`/winter blockers` through the real ASGI app with signed requests: a lead sees a partner's
blocker, replies and takes it on; the partner sees the thread and resolves it; and the Teams card
of the same result says the same."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import time_machine
from fixtures_slack import said
from slack_double import BOT_TOKEN
from sqlmodel import select

from bot.checkin.blockers import BlockersList, blockers_command
from bot.common.config import Settings
from bot.programme.loader import load_path
from bot.sending.jobs import JobContext
from bot.sending.scheduler import watch_pass
from handlers.slack.messenger import SlackMessenger, sync_client
from handlers.teams.cards.blockers import blockers_card
from models.db import session_scope
from models.tables import Blocker, BlockerEvent, CheckIn, Member, Organisation, Programme

PROGRAMME = Path(__file__).with_name("fixtures") / "checkin.yaml"
LEAD, BOB, DEV, OBSERVER = "U0TEST0001", "U0TEST0002", "U0TEST0004", "U0TEST0005"
WED_20_JAN_10AM = datetime(2027, 1, 20, 10, 0, tzinfo=UTC)


@pytest.fixture
def raised(engine) -> int:
    load_path(engine, PROGRAMME)
    with session_scope(engine) as session:
        programme = session.exec(select(Programme)).one()
        bob = session.exec(select(Member).where(Member.platform_user_id == BOB)).one()
        carers = session.exec(select(Organisation).where(Organisation.key == "carers")).one()
        checkin = CheckIn(
            programme_id=programme.id,
            member_id=bob.id,
            organisation_id=carers.id,
            local_date=date(2027, 1, 19),
            blockers="Referrals after 4pm with no medication list",
        )
        session.add(checkin)
        session.flush()
        blocker = Blocker(
            programme_id=programme.id,
            organisation_id=carers.id,
            raised_by_member_id=bob.id,
            checkin_id=checkin.id,
            text=checkin.blockers,
            raised_on=date(2027, 1, 19),
        )
        session.add(blocker)
        session.flush()
        session.add(BlockerEvent(blocker_id=blocker.id, member_id=bob.id, action="raised"))
        return blocker.id


@time_machine.travel(WED_20_JAN_10AM, tick=False)
def test_a_lead_answers_a_blocker_and_the_partner_sees_the_thread(slack_server, engine, raised):
    listing, fallback = said(slack_server.command("blockers", LEAD))
    assert f"#{raised} Home Carers Ltd, since Tue 19 Jan (open)" in listing
    assert "Referrals after 4pm with no medication list" in listing and "1 blocker open" in fallback
    replied, _ = said(slack_server.command(f"blockers reply {raised} Wards will send lists by 2pm", LEAD))
    assert f"You replied to blocker #{raised} from Home Carers Ltd" in replied
    said(slack_server.command(f"blockers take {raised}", LEAD))
    thread, _ = said(slack_server.command("blockers", BOB))
    assert "Alice Lead (Council) replied: Wards will send lists by 2pm" in thread
    assert "Alice Lead (Council) took it on" in thread and "being worked on, taken on by Council" in thread
    refused, _ = said(slack_server.command(f"blockers reply {raised} me too", BOB))
    assert "Only the programme's leads can reply" in refused
    resolved, _ = said(slack_server.command(f"blockers resolve {raised} Lists arrive by 2pm now", BOB))
    assert "it is resolved" in resolved
    assert "No blockers open" in said(slack_server.command("blockers", LEAD))[0]
    assert "you are an observer" in said(slack_server.command("blockers", OBSERVER))[0]
    assert said(slack_server.command("blockers", DEV))[0].startswith("No blockers open")


def test_the_teams_card_says_what_slack_says(engine, raised):
    with session_scope(engine) as session:
        result = blockers_command(session, "slack", LEAD, "", WED_20_JAN_10AM)
    assert isinstance(result, BlockersList)
    text = str(blockers_card(result))
    assert f"#{raised} Home Carers Ltd, since Tue 19 Jan (open)" in text
    assert "Referrals after 4pm with no medication list" in text
    assert "blockers reply ID TEXT" in text


@time_machine.travel(WED_20_JAN_10AM, tick=False)
def test_the_partner_is_told_in_their_dm_at_once_and_once(slack_server, slack_api, engine, raised):
    ctx = JobContext(
        engine=engine,
        messengers={
            "slack": SlackMessenger(sync_client(Settings(slack_bot_token=BOT_TOKEN, slack_api_url=slack_api.url)))
        },
        workers=1,
    )
    said(slack_server.command(f"blockers reply {raised} Wards will send lists by 2pm", LEAD))
    said(slack_server.command(f"blockers take {raised}", LEAD))
    [result] = watch_pass(ctx, WED_20_JAN_10AM)
    assert result.sent == 2
    told = [c for c in slack_api.calls("chat.postMessage") if c["channel"] == BOB]
    assert len(told) == 2
    assert told[0]["text"].startswith(f"Alice Lead (Council) replied to your blocker #{raised} on Test fund")
    assert "Wards will send lists by 2pm" in told[0]["text"] and "took on your blocker" in told[1]["text"]
    assert watch_pass(ctx, WED_20_JAN_10AM) == []  # the ledger has them: nothing twice
    said(slack_server.command(f"blockers resolve {raised}", BOB))  # his own answer is not told back to him
    assert watch_pass(ctx, WED_20_JAN_10AM) == []
    assert len([c for c in slack_api.calls("chat.postMessage") if c["channel"] == BOB]) == 2
