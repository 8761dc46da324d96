"""The brief answers blockers, in Slack end to end: signed requests to the real ASGI app, the Slack
double answering its Web API calls, the real daily-brief job and the clock's watch. A partner
raises a blocker at check-in; the next brief lists it with a Reply button; a lead presses it,
writes, sends; the thread has the reply and the partner is told in their DM; at their next
check-in they say it is resolved, and `/winter blockers` no longer lists it."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import time_machine
from fixtures_slack import said
from slack_double import BOT_TOKEN
from slack_signing import block_actions_payload
from sqlmodel import select
from test_brief import PROGRAMME, at
from test_slack_checkin import TRIGGER, good_answers, send, typed_into

from bot.checkin.field_keys import blocker_key
from bot.common.config import Settings
from bot.programme.loader import load_path
from bot.sending.jobs import JobContext
from bot.sending.jobs.daily_brief import run_daily_brief
from bot.sending.jobs.weekly_digest import run_weekly_digest
from bot.sending.scheduler import watch_pass
from handlers.slack.blocks.blocker_reply import CHOICE_ACTION, CHOICE_BLOCK, NOTE_ACTION, NOTE_BLOCK
from handlers.slack.blocks.limits import check_message, check_modal
from handlers.slack.messenger import SlackMessenger, sync_client
from models.db import session_scope
from models.tables import Blocker, BlockerEvent, Member, Programme, Scheme

LEAD, BOB, DEV = "U0TEST0001", "U0TEST0002", "U0TEST0004"
LEADS = "C0LEADS"
MON, TUE, WED, FRI = date(2027, 1, 4), date(2027, 1, 5), date(2027, 1, 6), date(2027, 1, 8)
WORDS = "No drivers after 4pm"


@pytest.fixture
def programme(engine) -> Programme:
    load_path(engine, PROGRAMME)
    with session_scope(engine) as session:
        row = session.exec(select(Programme)).one()
        row.leads_channel = LEADS
        session.add(row)
    with session_scope(engine) as session:
        return session.exec(select(Programme)).one()


@pytest.fixture
def scheme_ids(engine, programme) -> dict[str, int]:
    with session_scope(engine) as session:
        return {s.key: s.id for s in session.exec(select(Scheme))}


@pytest.fixture
def ctx(engine, slack_api) -> JobContext:
    settings = Settings(slack_bot_token=BOT_TOKEN, slack_api_url=slack_api.url)
    return JobContext(engine=engine, messengers={"slack": SlackMessenger(sync_client(settings))}, workers=1)


def check_in(server, slack_api, scheme_ids, **extra: str) -> dict[str, Any]:
    """Bob opens his check-in with `/winter checkin` and sends it."""
    count = len(slack_api.calls("views.open"))
    assert server.command("checkin", BOB, trigger_id=TRIGGER).status_code == 200
    view = slack_api.wait_for("views.open", count + 1)[-1]["view"]
    answered = send(server, view, good_answers(view, scheme_ids, **extra))
    assert answered["response_action"] == "update", answered
    return view


def brief_post(ctx, programme, slack_api, day: date) -> dict[str, Any]:
    result = run_daily_brief(ctx, programme, at(day, 8, 30))
    assert result.sent == 1, result.line()
    post = [c for c in slack_api.calls("chat.postMessage") if c["channel"] == LEADS][-1]
    check_message(post["blocks"])
    return post


def press_reply(server, slack_api, post: dict[str, Any], blocker_id: int, user_id: str, name: str) -> None:
    payload = block_actions_payload(
        f"blocker_reply:{blocker_id}",
        str(blocker_id),
        user_id,
        block_id="brief",
        channel_id=LEADS,
        message_ts=post.get("ts") or "1767600000.000200",
        trigger_id=TRIGGER,
        response_url=slack_api.response_url(name),
    )
    assert server.interact(payload).status_code == 200


def submission(view: dict[str, Any], note: str | None, action: str, user_id: str) -> dict[str, Any]:
    chosen = {"value": action, "text": {"type": "plain_text", "text": action}}
    state = {
        NOTE_BLOCK: {NOTE_ACTION: {"type": "plain_text_input", "value": note}},
        CHOICE_BLOCK: {CHOICE_ACTION: {"type": "radio_buttons", "selected_option": chosen}},
    }
    return {
        "type": "view_submission",
        "team": {"id": "T0WINTER", "domain": "winterbot-test"},
        "user": {"id": user_id, "username": user_id.lower(), "team_id": "T0WINTER"},
        "api_app_id": "A0WINTER",
        "token": "legacy-verification-token",
        "trigger_id": TRIGGER,
        "view": {**view, "id": "V0BLOCKER", "hash": "1.abc", "state": {"values": state}},
        "response_urls": [],
        "is_enterprise_install": False,
    }


def blocker_lines(post: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        b for b in post["blocks"] if b["type"] == "section" and "“" in b["text"]["text"] and "#" in b["text"]["text"]
    ]


def the_blocker(engine) -> Blocker:
    with session_scope(engine) as session:
        return session.exec(select(Blocker)).one()


def test_raised_at_check_in_answered_from_the_brief_told_and_resolved_at_the_next(
    slack_server, slack_api, engine, programme, scheme_ids, ctx
):
    with time_machine.travel(at(MON, 10), tick=True):
        check_in(slack_server, slack_api, scheme_ids, blockers=WORDS, comment="Quiet otherwise")
    blocker = the_blocker(engine)

    with time_machine.travel(at(TUE, 8, 30), tick=True):
        post = brief_post(ctx, programme, slack_api, TUE)
        [line] = blocker_lines(post)
        assert line["text"]["text"] == f"#{blocker.id} Home Carers Ltd: “{WORDS}” (new)"
        assert line["accessory"]["value"] == str(blocker.id)
        said_texts = "\n".join(b.get("text", {}).get("text", "") for b in post["blocks"])
        assert said_texts.count(WORDS) == 1 and "Quiet otherwise" in said_texts  # not quoted again

        press_reply(slack_server, slack_api, post, blocker.id, BOB, "bob")  # a partner: told, no form
        [told] = slack_api.wait_for("response_url")
        assert "Only the programme's leads answer blockers" in told["text"] and told["response_type"] == "ephemeral"
        opened = len(slack_api.calls("views.open"))  # Bob's check-in form only
        press_reply(slack_server, slack_api, post, blocker.id, LEAD, "alice")
        view = slack_api.wait_for("views.open", opened + 1)[-1]["view"]
        check_modal(view)
        assert view["private_metadata"] == str(blocker.id) and WORDS in view["blocks"][0]["text"]["text"]

        empty = slack_server.interact(submission(view, "  ", "reply", LEAD)).json()
        assert empty["response_action"] == "errors" and "needs a note" in empty["errors"][NOTE_BLOCK]
        forged = slack_server.interact(submission(view, "I'll do it", "reply", BOB)).json()
        assert "Only the programme's leads can reply" in forged["errors"][NOTE_BLOCK]
        sent = slack_server.interact(submission(view, "Council drivers from Thursday", "reply", LEAD))
        assert sent.status_code == 200 and sent.text in ("", "null")  # the form closes

        with session_scope(engine) as session:
            alice = session.exec(select(Member).where(Member.platform_user_id == LEAD)).one()
            events = session.exec(select(BlockerEvent).where(BlockerEvent.blocker_id == blocker.id)).all()
        assert [(e.action, e.member_id, e.note) for e in events][1:] == [
            ("reply", alice.id, "Council drivers from Thursday")
        ]
        [told] = [r for r in watch_pass(ctx, at(TUE, 8, 31)) if r.job == "blocker-reply"]
        assert told.sent == 1
        dms = [c["text"] for c in slack_api.calls("chat.postMessage") if c["channel"] == BOB]
        [dm] = [text for text in dms if "your blocker" in text]  # the other: the level 3 escalation's copy
        assert dm.startswith(f"Alice Lead (Council) replied to your blocker #{blocker.id}")
        assert "Council drivers from Thursday" in dm

    with time_machine.travel(at(TUE, 10), tick=True):
        view = check_in(slack_server, slack_api, scheme_ids, **{blocker_key(blocker.id): "resolved"})
        assert blocker_key(blocker.id) in typed_into(view)
        assert the_blocker(engine).status == "resolved"
        assert said(slack_server.command("blockers", LEAD))[0].startswith("No blockers open")

    with time_machine.travel(at(WED, 8, 30), tick=True):
        assert blocker_lines(brief_post(ctx, programme, slack_api, WED)) == []

    # The weekly digest, to the programme channel. Its week is Tue 5 to Fri 8 Jan (New Year's Day
    # moved the last one to Mon 4 Jan): the blocker was raised before it and answered in it.
    with time_machine.travel(at(FRI, 15, 1), tick=True):
        before = len(slack_api.calls("chat.postMessage"))
        assert run_weekly_digest(ctx, programme, at(FRI, 15, 1)).sent >= 1
        posted = slack_api.calls("chat.postMessage")[before:]
        blocks = [b for post in posted for b in post.get("blocks") or []]
        texts = [b.get("text", {}).get("text", "") for b in blocks]
        heading = texts.index("*You said, we did*")
        text = "\n".join(texts[heading:])
        assert f"“{WORDS}” (Home Carers Ltd, Mon 4 Jan)" in text
        assert "Alice Lead (Council) replied: “Council drivers from Thursday”" in text
        assert "resolved" in text


def test_an_old_blocker_nobody_answered_stays_in_the_brief_until_a_lead_takes_it_on(
    slack_server, slack_api, engine, programme, scheme_ids, ctx
):
    with time_machine.travel(at(MON, 10), tick=True):
        check_in(slack_server, slack_api, scheme_ids, blockers=WORDS)
    blocker = the_blocker(engine)
    with time_machine.travel(at(WED, 8, 30), tick=True):
        [line] = blocker_lines(brief_post(ctx, programme, slack_api, WED))
        assert line["text"]["text"].endswith("(open 2 working days, no answer yet)")
        opened = len(slack_api.calls("views.open"))  # Bob's check-in form
        press_reply(slack_server, slack_api, {"ts": None}, blocker.id, LEAD, "alice")
        view = slack_api.wait_for("views.open", opened + 1)[-1]["view"]
        assert view["callback_id"] == "blocker_reply"
        assert slack_server.interact(submission(view, None, "take", LEAD)).text in ("", "null")
        assert the_blocker(engine).status == "working"
        listing, _ = said(slack_server.command("blockers", LEAD))
        assert "being worked on, taken on by Council" in listing
