"""The web process: /healthz, what is mounted, the Web API client, Socket Mode, serve()."""

from __future__ import annotations

import asyncio
import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
from aiohttp import WSMsgType, web
from slack_double import APP_ID, APP_TOKEN, BOT_TOKEN, SlackDouble
from slack_sdk.errors import SlackApiError
from slack_signing import SIGNING_SECRET, signed_headers, slash_command_body

from bot.common.config import Settings
from handlers.slack import build_slack_app
from models.db import make_engine

REPO = Path(__file__).resolve().parents[1]


def test_healthz_answers_json_after_asking_the_database(slack_server):
    response = slack_server.http.get("/healthz")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "ok": True,
        "database": "ok",
        "slack": "http",
        "teams": "off",
        "notify": "off",
        "web": "off",
    }


def test_healthz_is_503_when_the_database_does_not_answer(tmp_path, start_app):
    broken = make_engine(f"sqlite:///{tmp_path / 'no-such-dir' / 'x.db'}")
    with start_app(Settings(), broken) as server:
        response = server.http.get("/healthz")
    assert response.status_code == 503
    assert response.json()["ok"] is False
    assert response.json()["database"] == "unreachable"


def test_healthz_reports_notify_and_the_web_pages_when_they_are_set_up(database_url, engine, start_app):
    settings = Settings(
        database_url=database_url,
        public_url="https://winterbot.example.org",
        web_secret="k",
        notify_api_key="winterbot-26785a09-ab16-4eb0-8407-a37497a57506-3d844edf-8d35-48ac-975b-e847b4f122b0",
        notify_callback_token="t",
    )
    with start_app(settings, engine) as server:
        health = server.http.get("/healthz").json()
        styles = server.http.get("/static/nhsuk/nhsuk-frontend.min.css")
    assert (health["notify"], health["web"]) == ("on+receipts", "on")
    assert styles.status_code == 200 and "nhsuk-" in styles.text and "https://" not in styles.text


def test_without_slack_credentials_only_healthz_is_served(database_url, engine, start_app):
    with start_app(Settings(database_url=database_url), engine) as server:
        health = server.http.get("/healthz")
        body = slash_command_body("help")
        events = server.http.post("/slack/events", content=body, headers=signed_headers(body))
    assert health.json() == {
        "ok": True,
        "database": "ok",
        "slack": "off",
        "teams": "off",
        "notify": "off",
        "web": "off",
    }
    assert events.status_code == 404
    assert server.app.state.slack_app is None


def _client(slack_api: SlackDouble):
    """The built app's Web API client; its database is never touched here."""
    settings = Settings(slack_bot_token=BOT_TOKEN, slack_signing_secret=SIGNING_SECRET, slack_api_url=slack_api.url)
    return build_slack_app(settings, make_engine("sqlite://")).client


def test_the_web_api_client_goes_to_the_double(slack_api):
    result = asyncio.run(_client(slack_api).chat_postMessage(channel="C0X", text="hi"))
    assert result["ok"] is True
    assert result["channel"] == "C0X"
    call = slack_api.last("chat.postMessage")
    assert call.token == BOT_TOKEN
    assert call["text"] == "hi"


def test_a_429_is_retried_after_its_retry_after(slack_api):
    slack_api.fail_next("chat.postMessage", status=429, retry_after=1)
    result = asyncio.run(_client(slack_api).chat_postMessage(channel="C0X", text="hi"))
    first, second = slack_api.calls("chat.postMessage")
    assert result["ok"] is True
    assert second.at - first.at >= 1.0


@pytest.mark.parametrize("status", [500, 503])
def test_a_server_error_is_retried(slack_api, status):
    slack_api.fail_next("chat.postMessage", status=status)
    result = asyncio.run(_client(slack_api).chat_postMessage(channel="C0X", text="hi"))
    assert result["ok"] is True
    assert len(slack_api.calls("chat.postMessage")) == 2


def test_rate_limiting_that_does_not_stop_gives_up_with_an_error(slack_api):
    slack_api.fail_next("chat.postMessage", status=429, retry_after=0, times=10)
    with pytest.raises(SlackApiError) as raised:
        asyncio.run(_client(slack_api).chat_postMessage(channel="C0X", text="hi"))
    assert raised.value.response["error"] == "ratelimited"
    assert len(slack_api.calls("chat.postMessage")) == 4


# Socket Mode: a stand-in for Slack's WebSocket server, on loopback


@contextmanager
def socket_mode_server(envelope: dict[str, Any]) -> Iterator[tuple[str, queue.Queue]]:
    """Say hello, send one envelope, put what the app sends back on a queue."""
    replies: queue.Queue = queue.Queue()
    ready: queue.Queue = queue.Queue()
    loop = asyncio.new_event_loop()

    async def link(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        hello = {"type": "hello", "num_connections": 1, "connection_info": {"app_id": APP_ID}}
        await ws.send_json(hello)
        await ws.send_json(envelope)
        async for message in ws:
            if message.type == WSMsgType.TEXT:
                replies.put(json.loads(message.data))
        return ws

    async def start() -> web.AppRunner:
        app = web.Application()
        app.router.add_get("/link", link)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        ready.put(runner.addresses[0][1])
        return runner

    def run() -> None:
        asyncio.set_event_loop(loop)
        runner = loop.run_until_complete(start())
        loop.run_forever()
        loop.run_until_complete(runner.cleanup())

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    port = ready.get(timeout=10)
    try:
        yield f"ws://127.0.0.1:{port}/link", replies
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)


def test_socket_mode_answers_the_same_command(database_url, engine, slack_api, add_member, start_app):
    add_member("U0LEAD", "lead")
    payload = dict(parse_qsl(slash_command_body("help", "U0LEAD"), keep_blank_values=True))
    envelope = {
        "envelope_id": "e-1",
        "type": "slash_commands",
        "accepts_response_payload": True,
        "payload": payload,
    }
    settings = Settings(
        database_url=database_url,
        slack_bot_token=BOT_TOKEN,
        slack_app_token=APP_TOKEN,
        slack_api_url=slack_api.url,
    )
    with socket_mode_server(envelope) as (ws_url, replies):
        slack_api.answer("apps.connections.open", {"ok": True, "url": ws_url})
        with start_app(settings, engine) as server:
            reply = replies.get(timeout=15)
            health = server.http.get("/healthz").json()
            events = server.http.post("/slack/events", content=b"")
    assert reply["envelope_id"] == "e-1"
    assert reply["payload"]["response_type"] == "ephemeral"
    assert "You are *a lead*" in json.dumps(reply["payload"]["blocks"])
    assert slack_api.last("apps.connections.open").token == APP_TOKEN
    assert health == {
        "ok": True,
        "database": "ok",
        "slack": "socket_mode",
        "teams": "off",
        "notify": "off",
        "web": "off",
        "socket_mode": "connected",
    }
    assert events.status_code == 404


# serve() in a process of its own


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_health(url: str, process: subprocess.Popen, seconds: float = 30) -> httpx.Response:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"serve() exited with {process.returncode}")
        try:
            return httpx.get(f"{url}/healthz", timeout=2)
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError(f"/healthz did not answer in {seconds}s")


def test_winterbot_serve_migrates_and_answers_only_signed_commands(tmp_path, slack_api, add_member):
    database = f"sqlite:///{tmp_path / 'serve.db'}"
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))}
    env.update(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=slack_api.url,
        DATABASE_URL=database,
    )
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--port", str(port), "--host", "127.0.0.1"],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=out,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            health = _wait_for_health(url, process)
            engine = make_engine(database)
            add_member("U0LEAD", "lead", engine=engine)
            engine.dispose()
            body = slash_command_body("help", "U0LEAD")
            response = httpx.post(f"{url}/slack/events", content=body, headers=signed_headers(body))
            forged = httpx.post(
                f"{url}/slack/events", content=body, headers=signed_headers(body, secret="not-the-secret")
            )
        finally:
            process.terminate()
            code = process.wait(timeout=20)
    output = log.read_text()
    assert health.json() == {
        "ok": True,
        "database": "ok",
        "slack": "http",
        "teams": "off",
        "notify": "off",
        "web": "off",
    }
    assert response.status_code == 200
    assert "You are *a lead*" in json.dumps(response.json()["blocks"])
    assert forged.status_code == 401
    assert "lead" not in forged.text
    assert code in (0, -signal.SIGTERM), output
    assert "Application shutdown complete" in output
    for secret in (SIGNING_SECRET, BOT_TOKEN, "legacy-verification-token", "trigger_id"):
        assert secret not in output
    assert "/winter help from U0LEAD" in output
