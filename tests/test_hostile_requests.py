"""The web process under hostile requests (issue 14, findings 4, 5 and 6), against the real ASGI
app: a forged Teams token whose signing key is unknown stalls nobody else; a body over the limit
is refused with 413 before it is read; every malformed request gets a 400 (or 401 when it is not
signed) with a short reason, never a 500, and the log has one line, no traceback, no body."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from fixtures_slack import running_app
from slack_double import BOT_TOKEN, SlackDouble
from slack_signing import (
    SIGNING_SECRET,
    block_actions_payload,
    signed_headers,
    slash_command_body,
)
from teams_activities import TeamsUser, message
from teams_double import APP_ID, JwksDouble, TeamsDouble
from teams_double import BOT_TOKEN as TEAMS_BOT_TOKEN

from bot.app.server import build_asgi_app
from bot.common.config import DEFAULT_MAX_BODY_BYTES, Settings
from handlers.teams import tokens
from models.db import make_engine, migrate

FORM, JSON = "application/x-www-form-urlencoded", "application/json"
WORDS = "Mrs PATIENT-WORDS of 12 Acacia Avenue"  # what someone typed: never in a log
BOB = TeamsUser("8a1f0c52-0000-4000-8000-000000000b0b", "Bob Partner")


def teams_token(scope: Any, tenant_id: str | None = None) -> str:
    return TEAMS_BOT_TOKEN


# -- the app, once for the module -----------------------------------------------------------------


@pytest.fixture(scope="module")
def app(tmp_path_factory) -> Iterator[Any]:
    database = f"sqlite:///{tmp_path_factory.mktemp('hostile') / 'winterbot.db'}"
    engine = make_engine(database)
    migrate(engine)
    with SlackDouble() as slack_api, TeamsDouble() as teams_api:
        settings = Settings(
            database_url=database,
            slack_bot_token=BOT_TOKEN,
            slack_signing_secret=SIGNING_SECRET,
            slack_api_url=slack_api.url,
            teams_client_id=APP_ID,
            teams_token=teams_token,
            teams_service_url=teams_api.url,
        )
        yield build_asgi_app(settings, engine)
    engine.dispose()


def post(app: Any, path: str, content: Any, headers: dict[str, Any]) -> httpx.Response:
    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://winterbot") as client:
            return await client.post(path, content=content, headers=headers)

    return asyncio.run(send())


# -- finding 6: malformed requests ----------------------------------------------------------------


def _form(payload: Any) -> bytes:
    from urllib.parse import urlencode

    return urlencode({"payload": payload if isinstance(payload, str) else json.dumps(payload)}).encode()


def _actions(**changes: Any) -> bytes:
    payload = block_actions_payload("checkin_open", '{"programme": 1}', "U0PARTNER")
    payload["message"]["text"] = WORDS
    return _form({**payload, **changes})


def _view(state: Any = None, **changes: Any) -> bytes:
    view = {
        "id": "V0",
        "callback_id": "checkin_submit",
        "private_metadata": "{}",
        "blocks": [],
        "state": {"values": {"notes": {"notes": {"type": "plain_text_input", "value": WORDS}}}},
    }
    if state is not None:
        view["state"] = state
    user = {"id": "U0PARTNER", "team_id": "T0WINTER"}
    return _form({"type": "view_submission", "user": user, "team": {"id": "T0WINTER"}, "view": {**view, **changes}})


def _element(element: dict[str, Any]) -> dict[str, Any]:
    return {"values": {"notes": {"notes": element}}}


def _command(without: str) -> bytes:
    from urllib.parse import parse_qsl, urlencode

    form = dict(parse_qsl(slash_command_body(f"decide {WORDS}", "U0LEAD")))
    form.pop(without)
    return urlencode(form).encode()


def _event(event: Any) -> bytes:
    return json.dumps({"type": "event_callback", "team_id": "T0WINTER", "event_id": "Ev1", "event": event}).encode()


SLACK_KINDS: dict[str, tuple[bytes, str]] = {
    "payload-not-json": (b"payload=%7Bnot-json+" + WORDS.encode(), FORM),
    "payload-a-json-list": (_form([1, WORDS]), FORM),
    "payload-deeply-nested": (_form("[" * 50_000), FORM),
    "payload-without-type": (_form({"user": {"id": "U0"}, "text": WORDS}), FORM),
    "bad-percent-escapes": (b"payload=%E0%80%ZZ" + WORDS.encode(), FORM),
    "non-utf8-body": (b"command=%2Fwinter&user_id=U0&text=" + WORDS.encode() + b"\xff\xfe", FORM),
    "empty-body": (b"", FORM),
    "form-of-nothing-known": (b"text=" + WORDS.encode(), FORM),
    "empty-actions": (_actions(actions=[]), FORM),
    "actions-not-a-list": (_actions(actions=WORDS), FORM),
    "action-without-action-id": (_actions(actions=[{"type": "button", "value": WORDS}]), FORM),
    "action-value-a-number": (_actions(actions=[{"action_id": "checkin_open", "value": 5}]), FORM),
    "actions-without-trigger-id": (_actions(trigger_id=None), FORM),
    "user-missing": (_actions(user=None), FORM),
    "user-not-an-object": (_actions(user="U0PARTNER"), FORM),
    "team-not-an-object": (_actions(team=WORDS), FORM),
    "view-state-values-not-an-object": (_view({"values": WORDS}), FORM),
    "view-state-element-without-type": (_view(_element({"value": WORDS})), FORM),
    "view-state-value-a-number": (_view(_element({"type": "plain_text_input", "value": 5})), FORM),
    "view-selected-option-a-string": (_view(_element({"type": "static_select", "selected_option": WORDS})), FORM),
    "view-private-metadata-a-number": (_view(private_metadata=5), FORM),
    "view-without-callback-id": (_view(callback_id=None), FORM),
    "view-without-type": (_view(), FORM),
    "command-without-user-id": (_command("user_id"), FORM),
    "command-without-trigger-id": (_command("trigger_id"), FORM),
    "json-not-an-object": (json.dumps([WORDS]).encode(), JSON),
    "json-broken": (b'{"type": "event_callback", "text": "' + WORDS.encode(), JSON),
    "event-missing": (json.dumps({"type": "event_callback", "text": WORDS}).encode(), JSON),
    "event-a-string": (_event(WORDS), JSON),
    "event-user-a-number": (_event({"type": "app_home_opened", "user": 5, "tab": "home"}), JSON),
}


def _no_traceback_and_no_words(caplog: pytest.LogCaptureFixture) -> None:
    text = "\n".join(f"{r.name}: {r.getMessage()}" for r in caplog.records)
    assert not [r for r in caplog.records if r.exc_info], text
    assert "Traceback" not in text and "PATIENT-WORDS" not in text and "Acacia" not in text
    assert any("refused" in r.getMessage() for r in caplog.records), text


@pytest.mark.parametrize("signed", [False, True], ids=["unsigned", "signed"])
@pytest.mark.parametrize("kind", list(SLACK_KINDS))
def test_a_malformed_slack_request_is_refused_with_a_reason_never_a_500(app, caplog, kind, signed):
    body, content_type = SLACK_KINDS[kind]
    headers = signed_headers(body, content_type=content_type)
    if not signed:
        headers["X-Slack-Signature"] = "v0=" + "0" * 64
    caplog.set_level(logging.INFO)
    response = post(app, "/slack/events", body, headers)
    assert response.status_code in ({400} if signed else {400, 401})
    assert response.json()["error"]
    assert "PATIENT-WORDS" not in response.text
    _no_traceback_and_no_words(caplog)


@pytest.mark.parametrize("timestamp", ["abc", "1e9", "-1", "١٢٣", ""])
def test_a_timestamp_that_is_not_whole_seconds_is_a_400(app, caplog, timestamp):
    body = slash_command_body("help", "U0LEAD").encode()
    headers: dict[str, Any] = {**signed_headers(body), "X-Slack-Request-Timestamp": timestamp.encode()}
    caplog.set_level(logging.INFO)
    response = post(app, "/slack/events", body, headers)
    assert response.status_code == 400
    assert "X-Slack-Request-Timestamp" in response.json()["error"]
    _no_traceback_and_no_words(caplog)


def test_a_signature_with_other_characters_is_a_401(app, caplog):
    body = slash_command_body("help", "U0LEAD").encode()
    headers: dict[str, Any] = {**signed_headers(body), "X-Slack-Signature": "v0=é".encode()}
    caplog.set_level(logging.INFO)
    assert post(app, "/slack/events", body, headers).status_code == 401
    _no_traceback_and_no_words(caplog)


def _activity(**changes: Any) -> bytes:
    activity = message("http://127.0.0.1:9/teams", BOB, WORDS)
    return json.dumps({**activity, **changes}).encode()


TEAMS_KINDS: dict[str, bytes] = {
    "not-json": b"{" + WORDS.encode(),
    "non-utf8": WORDS.encode() + b"\xff",
    "a-json-list": json.dumps([WORDS]).encode(),
    "an-empty-object": b"{}",
    "type-only": json.dumps({"type": "message", "text": WORDS}).encode(),
    "without-from": _activity(**{"from": None}),
    "conversation-a-string": _activity(conversation=WORDS),
    "id-a-list": _activity(id=[WORDS]),
    "unknown-type": _activity(type=WORDS),
}


@pytest.mark.parametrize("kind", list(TEAMS_KINDS))
def test_a_malformed_teams_activity_is_a_400_never_a_500(app, caplog, kind):
    caplog.set_level(logging.INFO)
    response = post(app, "/api/messages", TEAMS_KINDS[kind], {"Content-Type": JSON, "Authorization": "Bearer x.y.z"})
    assert response.status_code == 400
    assert "PATIENT-WORDS" not in response.text
    _no_traceback_and_no_words(caplog)


def test_a_well_formed_signed_command_still_answers(app):
    body = slash_command_body("help", "U0STRANGER").encode()
    response = post(app, "/slack/events", body, signed_headers(body))
    assert response.status_code == 200
    assert response.json()["response_type"] == "ephemeral"


# -- finding 5: a limit on bodies -----------------------------------------------------------------

CHUNK = 64 * 1024


def test_a_streamed_body_over_the_limit_is_cut_off_after_the_limit(app):
    """Chunked, with no length: the would-be 200 MB body is refused once it passes 1 MiB."""
    read = 0

    async def two_hundred_megabytes() -> AsyncIterator[bytes]:
        nonlocal read
        for _ in range(200 * 1024 * 1024 // CHUNK):
            read += CHUNK
            yield b"x" * CHUNK

    response = post(app, "/slack/events", two_hundred_megabytes(), {"Content-Type": FORM})
    assert response.status_code == 413
    assert str(DEFAULT_MAX_BODY_BYTES) in response.json()["error"]
    assert read <= DEFAULT_MAX_BODY_BYTES + 2 * CHUNK


def test_a_declared_length_over_the_limit_is_refused_before_the_body_is_sent(slack_server):
    host, port = slack_server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(
            b"POST /slack/events HTTP/1.1\r\nHost: winterbot\r\nContent-Type: "
            + FORM.encode()
            + b"\r\nContent-Length: 209715200\r\n\r\n"
            + b"x" * CHUNK
        )
        answer = b""
        while chunk := sock.recv(4096):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert b"larger than 1048576 bytes" in answer


def test_the_limit_is_a_setting_and_bodies_within_it_are_served(tmp_path):
    database = f"sqlite:///{tmp_path / 'limit.db'}"
    engine = make_engine(database)
    migrate(engine)
    with SlackDouble() as slack_api:
        settings = Settings(
            database_url=database,
            slack_bot_token=BOT_TOKEN,
            slack_signing_secret=SIGNING_SECRET,
            slack_api_url=slack_api.url,
            max_body_bytes=4096,
        )
        small_app = build_asgi_app(settings, engine)
        small = slash_command_body("help", "U0STRANGER").encode()
        large = slash_command_body("decide " + "x" * 5000, "U0STRANGER").encode()
        assert post(small_app, "/slack/events", small, signed_headers(small)).status_code == 200
        assert post(small_app, "/slack/events", large, signed_headers(large)).status_code == 413
        assert (
            post(small_app, "/slack/events", small, {**signed_headers(small), "Content-Length": "4e3"}).status_code
            == 400
        )
    engine.dispose()


def test_a_bad_limit_in_the_environment_says_what_to_fix():
    assert Settings.from_env({"WINTERBOT_MAX_BODY_BYTES": "2097152"}).max_body_bytes == 2097152
    assert Settings.from_env({}).max_body_bytes == DEFAULT_MAX_BODY_BYTES
    with pytest.raises(ValueError, match="WINTERBOT_MAX_BODY_BYTES must be a whole number of bytes"):
        Settings.from_env({"WINTERBOT_MAX_BODY_BYTES": "1MB"})


# -- finding 4: Teams tokens never stall the event loop -------------------------------------------


@pytest.fixture
def fresh_key_fetches(monkeypatch) -> None:
    """The fetch budget is the process's; each test starts with a fresh one and a short timeout."""
    monkeypatch.setattr(tokens, "BUDGET", tokens._FetchBudget(tokens.FETCHES_PER_MINUTE))
    monkeypatch.setattr(tokens, "FETCH_TIMEOUT", 2.0)


def _teams_settings(database_url: str, slack_api: SlackDouble, teams_api: TeamsDouble, jwks: JwksDouble) -> Settings:
    return Settings(
        database_url=database_url,
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=slack_api.url,
        teams_client_id=APP_ID,
        teams_token=teams_token,
        teams_service_url=teams_api.url,
        teams_cloud=jwks.cloud,
    )


def _timed(call: Any) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


@pytest.mark.slow
def test_a_forged_teams_token_with_an_unknown_key_stalls_no_one_else(
    database_url, engine, slack_api, fresh_key_fetches
):
    with TeamsDouble() as teams_api, JwksDouble(delay=5.0) as jwks:
        settings = _teams_settings(database_url, slack_api, teams_api, jwks)
        with running_app(settings, engine) as server:
            activity = message(teams_api.url, BOB, "status")
            headers = {"Authorization": f"Bearer {jwks.forged(teams_api.url)}"}
            forged: dict[str, httpx.Response] = {}

            def send_forged() -> None:
                forged["answer"] = server.http.post("/api/messages", json=activity, headers=headers, timeout=30)

            sender = threading.Thread(target=send_forged)
            sender.start()
            deadline = time.monotonic() + 5
            while jwks.fetches == 0 and time.monotonic() < deadline:
                time.sleep(0.01)
            health, health_took = _timed(lambda: server.http.get("/healthz", timeout=30))
            help_, help_took = _timed(lambda: server.command("help", "U0STRANGER"))
            sender.join(timeout=30)
            again, again_took = _timed(
                lambda: server.http.post("/api/messages", json={**activity, "id": "x2"}, headers=headers, timeout=30)
            )
    assert jwks.fetches == 1
    assert health.status_code == 200 and health_took < 1.0, health_took
    assert help_.status_code == 200 and help_took < 1.0, help_took
    assert forged["answer"].status_code == 401
    assert again.status_code == 401 and again_took < 1.0, again_took  # not asked again at once
    assert teams_api.sent() == []


def test_a_genuine_teams_token_is_accepted_and_an_unknown_key_is_not_fetched_again(
    database_url, engine, slack_api, fresh_key_fetches
):
    with TeamsDouble() as teams_api, JwksDouble() as jwks:
        settings = _teams_settings(database_url, slack_api, teams_api, jwks)
        with running_app(settings, engine) as server:
            activity = message(teams_api.url, BOB, "help")
            genuine = server.http.post(
                "/api/messages", json=activity, headers={"Authorization": f"Bearer {jwks.token(teams_api.url)}"}
            )
            forged = [
                server.http.post(
                    "/api/messages",
                    json={**activity, "id": f"f{n}"},
                    headers={"Authorization": f"Bearer {jwks.forged(teams_api.url, kid=f'k{n}')}"},
                )
                for n in range(3)
            ]
            teams_api.wait_for(1)
    assert genuine.status_code == 200
    assert [f.status_code for f in forged] == [401, 401, 401]
    assert jwks.fetches == 1
    assert len(teams_api.sent()) == 1
