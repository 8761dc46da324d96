"""Replays: a signed Slack request that writes, posted again within Slack's five minutes, is not
acted on again (issue 14, finding 7). The rule (bot.common.replays) on both databases, then the real
ASGI app: `/winter decide`, `/winter ask`, a lead's spend entry and a check-in submission each
sent three times, signed identically, record once; the same words sent later (a new timestamp,
so a new signature) are a genuine second action and record again. Teams activities likewise."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from slack_signing import interactivity_body, signed_headers, slash_command_body
from sqlmodel import select
from test_slack_checkin import good_answers, submission

from bot.commands.table import command_writes
from bot.common.replays import purge_seen, request_key, seen_once
from bot.programme.loader import load_path
from models.db import session_scope
from models.tables import CheckIn, Decision, Question, RequestSeen, Scheme, SpendReport

PROGRAMME = Path(__file__).with_name("fixtures") / "checkin.yaml"
LEAD, BOB = "U0TEST0001", "U0TEST0002"
WED_20_JAN_10AM = datetime(2027, 1, 20, 10, 0, tzinfo=ZoneInfo("Europe/London"))
NOW = datetime(2027, 1, 20, 10, 0, tzinfo=UTC)


def rows(engine, table: Any) -> list[Any]:
    with session_scope(engine) as session:
        return list(session.exec(select(table)).all())


# -- the rule --------------------------------------------------------------------------------------


def test_a_key_is_seen_once_and_its_replays_are_refused(engine):
    key = request_key("slack", "v0=abc")
    assert seen_once(engine, key, "slack", NOW) is True
    assert seen_once(engine, key, "slack", NOW) is False
    assert seen_once(engine, key, "slack", NOW + timedelta(seconds=30)) is False
    assert seen_once(engine, request_key("slack", "v0=abd"), "slack", NOW) is True
    assert len(rows(engine, RequestSeen)) == 2


def test_keys_older_than_a_day_are_purged_and_the_purge_runs_now_and_then(engine):
    old, recent = request_key("slack", "old"), request_key("slack", "recent")
    seen_once(engine, old, "slack", NOW - timedelta(days=1, minutes=1))
    seen_once(engine, recent, "slack", NOW - timedelta(hours=23))
    assert purge_seen(engine, NOW) == 1
    assert [row.key for row in rows(engine, RequestSeen)] == [recent]
    seen_once(engine, old, "slack", NOW - timedelta(days=2))
    seen_once(engine, request_key("slack", "new"), "slack", NOW, purge_every=1)
    assert old not in {row.key for row in rows(engine, RequestSeen)}


def test_keys_fit_the_column_whatever_they_are_made_of():
    key = request_key("teams", "a:" + "x" * 500, "1767000000001")
    assert len(key) <= 128
    assert key != request_key("teams", "a:" + "x" * 500, "1767000000002")


@pytest.mark.parametrize(
    ("text", "writes"),
    [
        ("decide Fund the beds", True),
        ("ask How many?", True),
        ("spend hours 100", True),
        ("away 4 Jan", True),
        ("back", True),
        ("frobnicate", True),
        ("spend", False),
        ("ask", False),
        ("status", False),
        ("", False),
        ("help", False),
        ("risks", False),
        ("partners", False),
    ],
)
def test_which_commands_count_as_writing(text, writes):
    assert command_writes(text) is writes


# -- Slack, end to end ----------------------------------------------------------------------------


@pytest.fixture
def january(engine):
    load_path(engine, PROGRAMME)
    with time_machine.travel(WED_20_JAN_10AM, tick=True):
        yield


def post_thrice(server, body: str, timestamp: int | None = None) -> list[Any]:
    headers = signed_headers(body, server.secret, timestamp or int(time.time()))
    return [server.http.post("/slack/events", content=body.encode(), headers=headers) for _ in range(3)]


@pytest.mark.parametrize(
    ("text", "table"),
    [
        ("decide Fund ten more step-down beds from the January top-up", Decision),
        ("ask How many people are waiting for a package of care?", Question),
        ("spend hours £12,345.67 2.5k 420", SpendReport),
    ],
    ids=["decide", "ask", "spend-entry"],
)
def test_a_command_replayed_three_times_records_once(slack_server, engine, january, text, table):
    body = slash_command_body(text, LEAD)
    first, *replays = post_thrice(slack_server, body)
    assert first.status_code == 200 and "already" not in first.text
    for replay in replays:
        assert replay.status_code == 200
        assert replay.json()["response_type"] == "ephemeral"
        assert "already received this request" in replay.json()["text"]
    assert len(rows(engine, table)) == 1

    later = slack_server.post_signed(body, timestamp=int(time.time()) + 1)  # a genuine second time
    assert later.status_code == 200 and "already" not in later.text
    assert len(rows(engine, table)) == 2


def test_a_check_in_submission_replayed_three_times_records_once(slack_server, slack_api, engine, january):
    assert slack_server.command("checkin", BOB).status_code == 200
    view = slack_api.wait_for("views.open", 1)[-1]["view"]
    with session_scope(engine) as session:
        ids = {s.key: s.id for s in session.exec(select(Scheme))}
    body = interactivity_body(submission(view, good_answers(view, ids)))
    answers = post_thrice(slack_server, body)
    assert answers[0].json()["response_action"] == "update"
    assert [a.status_code for a in answers[1:]] == [200, 200]
    assert [a.content for a in answers[1:]] == [b"", b""]
    assert len(rows(engine, CheckIn)) == 1

    amended = slack_server.post_signed(body, timestamp=int(time.time()) + 1)
    assert amended.json()["response_action"] == "update"
    assert len(rows(engine, CheckIn)) == 2


def test_an_event_slack_retries_is_handled_once(slack_server, slack_api, engine, add_member):
    add_member(LEAD, "lead")
    event = {
        "type": "event_callback",
        "team_id": "T0WINTER",
        "event_id": "Ev0RETRY",
        "event": {"type": "app_home_opened", "user": LEAD, "tab": "home"},
    }
    body = json.dumps(event)
    first = slack_server.post_signed(body)
    retried = slack_server.http.post(
        "/slack/events",
        content=body.encode(),
        headers={
            **signed_headers(body, slack_server.secret, int(time.time()) + 2, content_type="application/json"),
            "X-Slack-Retry-Num": "1",
        },
    )
    assert first.status_code == 200 and retried.status_code == 200
    slack_api.wait_for("views.publish", 1)
    time.sleep(0.3)
    assert len(slack_api.calls("views.publish")) == 1
    keys = [row.key for row in rows(engine, RequestSeen)]
    assert keys == [request_key("slack-event", "T0WINTER", "Ev0RETRY")]


def test_reading_commands_are_not_recorded(slack_server, engine, january):
    for _ in range(2):
        slack_server.post_signed(slash_command_body("status", LEAD), timestamp=int(time.time()))
    assert rows(engine, RequestSeen) == []


# -- Teams ------------------------------------------------------------------------------------------


def test_a_teams_activity_delivered_three_times_records_once(database_url, engine, slack_api):
    from fixtures_slack import running_app
    from teams_activities import message
    from teams_double import APP_ID, TeamsDouble
    from test_teams_e2e import ALICE, bot_token
    from test_teams_e2e import PROGRAMME as TEAMS_PROGRAMME

    from bot.common.config import Settings

    load_path(engine, TEAMS_PROGRAMME)
    with TeamsDouble() as teams_api:
        settings = Settings(
            database_url=database_url,
            teams_client_id=APP_ID,
            teams_token=bot_token,
            teams_service_url=teams_api.url,
            teams_allow_unauthenticated=True,
        )
        activity = message(teams_api.url, ALICE, "decide Fund two more step-down beds from January")
        with running_app(settings, engine) as server:
            answers = [server.http.post("/api/messages", json=activity) for _ in range(3)]
            again = server.http.post("/api/messages", json={**activity, "id": activity["id"] + "0"})
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert again.status_code == 200
    assert len(rows(engine, Decision)) == 2
