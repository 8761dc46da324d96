"""What the Slack app does about its own installation, through the real ASGI app and the Slack
double: a message typed in the app's Messages tab is answered with help, once, however often
Slack retries it; `app_uninstalled` and `tokens_revoked` mark the workspace (bot.people.workspaces), and
the messenger then sends nothing there and says why, until the token is seen working again."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from datetime import UTC, date, datetime, timedelta

import pytest
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_double import APP_ID, BOT_ID, BOT_TOKEN, BOT_USER_ID, TEAM_ID
from slack_signing import signed_headers
from sqlmodel import select
from test_jobs import PARTNERS, london, programme  # noqa: F401

from bot.common.config import Settings
from bot.people.workspaces import REVOKED, UNINSTALLED, blocked, record, reinstalled
from bot.sending.jobs import JobContext
from bot.sending.jobs.daily_prompts import run_daily_prompts
from bot.sending.ports import SendError
from handlers.slack import build_slack_app
from handlers.slack.events.direct_message import INTRO
from handlers.slack.installation import LOOK_AGAIN, REVERIFY, Installation
from handlers.slack.messenger import SlackMessenger, sync_client
from models import Delivery, session_scope
from models.tables import WorkspaceState

BOB, CAROL = "U0TEST0002", "U0TEST0003"


def event_body(event: dict, event_id: str) -> str:
    return json.dumps(
        {
            "token": "legacy-verification-token",
            "team_id": TEAM_ID,
            "api_app_id": APP_ID,
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "event": event,
        }
    )


def post_event(server, event: dict, event_id: str, retry: int | None = None, body: str | None = None) -> str:
    """Sign and post the event as Slack does (a retry is signed anew and says which it is)."""
    body = body or event_body(event, event_id)
    headers = signed_headers(body, server.secret, content_type="application/json")
    if retry is not None:
        headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
    response = server.http.post("/slack/events", content=body.encode(), headers=headers)
    assert response.status_code == 200, response.text
    return body


def typed(user: str, channel: str, ts: str, **extra) -> dict:
    return {
        "type": "message",
        "channel_type": "im",
        "channel": channel,
        "user": user,
        "text": "help",
        "ts": ts,
        "event_ts": ts,
        **extra,
    }


def texts(call) -> str:
    return json.dumps(call.get("blocks")) + call.get("text", "")


def test_a_message_typed_to_the_app_is_answered_with_help_once_however_often_slack_retries(slack_server, slack_api):
    body = post_event(slack_server, typed(BOB, "D0BOB", "1767000000.000100"), "Ev0BOB1")
    slack_api.wait_for("chat.postMessage", 1, timeout=10)
    post_event(slack_server, {}, "Ev0BOB1", retry=1, body=body)
    post_event(slack_server, {}, "Ev0BOB1", retry=2, body=body)
    post_event(slack_server, typed(CAROL, "D0CAROL", "1767000000.000200"), "Ev0CAROL1")
    slack_api.wait_for("chat.postMessage", 2, timeout=10)
    time.sleep(0.3)  # time enough for a retry's answer to arrive, were one sent
    answers = slack_api.calls("chat.postMessage")
    assert [a["channel"] for a in answers] == ["D0BOB", "D0CAROL"]
    assert INTRO in texts(answers[0]) and "/winter help" in texts(answers[0])


def test_over_socket_mode_a_retried_message_is_answered_once_too(slack_settings, slack_api, engine):
    """Socket Mode hands events to Bolt with no HTTP endpoint in front to drop Slack's retries."""
    app = build_slack_app(slack_settings, engine)
    body = event_body(typed(BOB, "D0BOB", "1767000000.000700"), "Ev0SOCKET")

    async def deliver_twice() -> None:
        for retry in (None, "1"):
            headers = {"x-slack-retry-num": retry} if retry else {}
            response = await app.async_dispatch(AsyncBoltRequest(body=body, headers=headers, mode="socket_mode"))
            assert response.status == 200
        await asyncio.sleep(0.5)  # the listeners run after the acknowledgements

    asyncio.run(deliver_twice())
    assert [a["channel"] for a in slack_api.calls("chat.postMessage")] == ["D0BOB"]


def test_the_apps_own_messages_edits_and_joins_are_not_answered(slack_server, slack_api):
    own = typed(BOT_USER_ID, "D0BOB", "1767000000.000300", bot_id=BOT_ID)
    edited = typed(BOB, "D0BOB", "1767000000.000400", subtype="message_changed")
    for n, event in enumerate((own, edited)):
        post_event(slack_server, event, f"Ev0QUIET{n}")
    post_event(slack_server, typed(BOB, "D0BOB", "1767000000.000500"), "Ev0LOUD")
    slack_api.wait_for("chat.postMessage", 1, timeout=10)
    time.sleep(0.3)
    assert len(slack_api.calls("chat.postMessage")) == 1


class Clock:
    def __init__(self) -> None:
        self.at = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.at


def wait_for_mark(engine, seconds: float = 10.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with session_scope(engine) as session:
            mark = blocked(session, "slack", TEAM_ID)
        if mark is not None:
            return mark
        time.sleep(0.02)
    raise AssertionError("the workspace was not marked")


def messenger_with(engine, slack_api) -> SlackMessenger:
    settings = Settings(slack_bot_token=BOT_TOKEN, slack_api_url=slack_api.url)
    return SlackMessenger(sync_client(settings), engine=engine)


def test_after_tokens_revoked_a_prompt_fan_out_sends_nothing_there_and_says_why(
    slack_server, slack_api, engine, programme, caplog
):
    clock = Clock()
    messenger = messenger_with(engine, slack_api)
    messenger.installation = Installation(messenger.client, engine, now=clock)
    ctx = JobContext(engine=engine, messengers={"slack": messenger}, workers=4)
    assert run_daily_prompts(ctx, programme, london(date(2027, 1, 5), 9, 30)).sent == PARTNERS
    caplog.set_level(logging.WARNING)
    revoked = {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": [BOT_USER_ID]}}
    post_event(slack_server, revoked, "Ev0REVOKED")
    assert wait_for_mark(engine).state == REVOKED
    warnings = [r.getMessage() for r in caplog.records if r.name == "handlers.slack.events.marking"]
    assert len(warnings) == 1 and TEAM_ID in warnings[0] and "\n" not in warnings[0]
    before = len(slack_api.calls())
    clock.at += LOOK_AGAIN

    result = run_daily_prompts(ctx, programme, london(date(2027, 1, 6), 9, 30))

    assert result.sent == 0 and result.failed == PARTNERS
    assert len(slack_api.calls()) == before  # not one call to Slack
    with session_scope(engine) as session:
        errors = {d.last_error for d in session.exec(select(Delivery).where(Delivery.local_date == date(2027, 1, 6)))}
    assert len(errors) == 1
    error = errors.pop()
    assert f"the app's tokens were revoked in this workspace ({TEAM_ID}) on " in error
    assert error.endswith(": reinstall it from manifest.yaml")


def test_revoking_only_peoples_own_tokens_changes_nothing(slack_server, slack_api, engine):
    post_event(slack_server, {"type": "tokens_revoked", "tokens": {"oauth": ["U0TEST0001"], "bot": []}}, "Ev0USER")
    post_event(slack_server, typed(BOB, "D0BOB", "1767000000.000600"), "Ev0AFTER")
    slack_api.wait_for("chat.postMessage", 1, timeout=10)  # the revocation's listener has run by now, or nearly
    time.sleep(0.2)
    with session_scope(engine) as session:
        assert session.exec(select(WorkspaceState)).all() == []


def test_uninstalled_blocks_until_the_token_works_again(slack_server, slack_api, engine):
    clock = Clock()
    messenger = messenger_with(engine, slack_api)
    messenger.installation = Installation(messenger.client, engine, now=clock)
    messenger.installation.check()  # a clock process that has been sending
    post_event(slack_server, {"type": "app_uninstalled"}, "Ev0GONE")
    assert wait_for_mark(engine).state == UNINSTALLED
    slack_api.answer("auth.test", {"ok": False, "error": "token_revoked"})
    clock.at = datetime.now(UTC) + timedelta(seconds=30)
    with pytest.raises(SendError) as raised:
        messenger.installation.check()
    assert raised.value.permanent and "the app was uninstalled from this workspace" in str(raised.value)
    tries = len(slack_api.calls("auth.test"))

    clock.at += REVERIFY  # still uninstalled: one auth.test, refused, and the mark stands
    for _ in range(3):
        with pytest.raises(SendError):
            messenger.installation.check()
    assert len(slack_api.calls("auth.test")) == tries + 1

    slack_api.answer("auth.test", {"ok": True, "team_id": TEAM_ID, "user_id": BOT_USER_ID, "bot_id": BOT_ID})
    clock.at += REVERIFY  # reinstalled with the same token: it works again, and the mark goes
    messenger.installation.check()
    with session_scope(engine) as session:
        assert blocked(session, "slack", TEAM_ID) is None


def test_a_process_started_after_the_mark_whose_token_works_clears_it(slack_api, engine):
    with session_scope(engine) as session:
        record(
            session, "slack", TEAM_ID, UNINSTALLED, "Slack sent app_uninstalled", datetime.now(UTC) - timedelta(hours=1)
        )
    messenger_with(engine, slack_api).installation.check()
    with session_scope(engine) as session:
        assert blocked(session, "slack", TEAM_ID) is None


def test_a_workspace_is_marked_once_and_cleared_only_by_a_later_verification(engine):
    first, second = datetime(2027, 1, 5, 9, tzinfo=UTC), datetime(2027, 1, 5, 10, tzinfo=UTC)
    with session_scope(engine) as session:
        record(session, "slack", "T1", REVOKED, "tokens_revoked", first)
        record(session, "slack", "T1", UNINSTALLED, "app_uninstalled", second)
    with session_scope(engine) as session:
        assert len(session.exec(select(WorkspaceState)).all()) == 1
        assert reinstalled(session, "slack", "T1", verified_at=second - timedelta(minutes=1)) is None
        assert blocked(session, "slack", "T1").state == UNINSTALLED
        assert reinstalled(session, "slack", "T1", verified_at=second + timedelta(minutes=1)).state == UNINSTALLED
        assert blocked(session, "slack", "T1") is None
    with session_scope(engine) as session, pytest.raises(ValueError):
        record(session, "slack", "T1", "gone", None, first)


def test_a_dead_token_fails_sends_for_good_and_is_asked_about_once_per_reverify(slack_api, engine):
    slack_api.answer("auth.test", {"ok": False, "error": "invalid_auth"})
    messenger = messenger_with(engine, slack_api)
    for _ in range(3):
        with pytest.raises(SendError) as raised:
            messenger.installation.check()
        assert raised.value.permanent and "set SLACK_BOT_TOKEN to its new Bot User OAuth Token" in str(raised.value)
    assert len(slack_api.calls("auth.test")) == 1
