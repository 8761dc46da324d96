"""Fixtures for Slack end-to-end tests: the Web API double, the real ASGI app under
uvicorn with its client pointed at the double, and members inserted straight into the DB.

Use with `pytest_plugins = ["fixtures_slack"]` in a test module (or in conftest.py).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import date
from datetime import time as clock
from typing import Any

import httpx
import pytest
import uvicorn
from slack_bolt.async_app import AsyncApp
from slack_double import BOT_TOKEN, SlackDouble
from slack_signing import (
    SIGNING_SECRET,
    interactivity_body,
    signed_headers,
    slash_command_body,
)
from sqlalchemy.engine import Engine
from sqlmodel import select
from starlette.applications import Starlette

from bot.app.server import build_asgi_app
from bot.common.config import Settings
from models.db import session_scope
from models.tables import Member, Organisation, Programme

STARTUP_SECONDS = 15.0


@dataclass
class RunningApp:
    """The real ASGI app serving on loopback, and a client to send it Slack's requests."""

    url: str
    app: Starlette
    http: httpx.Client = field(repr=False)
    secret: str = SIGNING_SECRET

    @property
    def slack_app(self) -> AsyncApp:
        return self.app.state.slack_app

    def post_signed(
        self,
        body: str,
        *,
        secret: str | None = None,
        timestamp: int | None = None,
        path: str = "/slack/events",
    ) -> httpx.Response:
        headers = signed_headers(body, secret or self.secret, timestamp)
        return self.http.post(path, content=body.encode(), headers=headers)

    def command(
        self,
        text: str = "",
        user_id: str = "U0STRANGER",
        *,
        secret: str | None = None,
        timestamp: int | None = None,
        **fields: Any,
    ) -> httpx.Response:
        """Send `/winter {text}` as `user_id`, signed as Slack would sign it."""
        body = slash_command_body(text, user_id, **fields)
        return self.post_signed(body, secret=secret, timestamp=timestamp)

    def interact(self, payload: dict[str, Any], **kw: Any) -> httpx.Response:
        return self.post_signed(interactivity_body(payload), **kw)


def said(response: httpx.Response) -> tuple[str, str]:
    """(all the blocks' text, the fallback text) of an ephemeral answer in the ack, after
    checking it is ephemeral and within Block Kit's limits."""
    from handlers.slack.blocks.limits import check_message

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["response_type"] == "ephemeral"
    check_message(body["blocks"])
    texts = []
    for block in body["blocks"]:
        if "text" in block:
            texts.append(block["text"]["text"])
        texts += [element["text"] for element in block.get("elements", [])]
    return "\n".join(texts), body["text"]


@contextmanager
def running_app(settings: Settings, engine: Engine) -> Iterator[RunningApp]:
    """Serve build_asgi_app(settings, engine) with uvicorn on 127.0.0.1 in a thread."""
    app = build_asgi_app(settings, engine)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, lifespan="on", log_level="warning", timeout_graceful_shutdown=2)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        _wait_until_started(server, thread)
        url = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=url, timeout=15) as http:
            secret = settings.slack_signing_secret or ""
            yield RunningApp(url=url, app=app, http=http, secret=secret)
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()


def _wait_until_started(server: uvicorn.Server, thread: threading.Thread) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the ASGI app stopped while starting (see the log above)")
        if time.monotonic() > deadline:
            raise RuntimeError(f"the ASGI app did not start in {STARTUP_SECONDS}s")
        time.sleep(0.01)


@pytest.fixture
def slack_api() -> Iterator[SlackDouble]:
    with SlackDouble() as double:
        yield double


@pytest.fixture
def slack_settings(database_url: str, slack_api: SlackDouble) -> Settings:
    """Slack over HTTP, its Web API at the double, the database of the `engine` fixture."""
    return Settings(
        database_url=database_url,
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=slack_api.url,
    )


@pytest.fixture
def slack_server(slack_settings: Settings, engine: Engine) -> Iterator[RunningApp]:
    with running_app(slack_settings, engine) as running:
        yield running


def insert_member(
    engine: Engine,
    user_id: str,
    role: str = "partner",
    *,
    name: str | None = None,
    programme: str = "vale",
    programme_name: str = "Vale winter discharge fund",
    organisation: str = "vale-council",
    kind: str = "local_authority",
    platform: str = "slack",
) -> Member:
    """A member on a programme, creating the programme and organisation when missing."""
    with session_scope(engine) as session:
        prog = session.exec(select(Programme).where(Programme.slug == programme)).first()
        if prog is None:
            prog = _programme(programme, programme_name)
            session.add(prog)
            session.flush()
        org = session.exec(
            select(Organisation).where(Organisation.programme_id == prog.id).where(Organisation.key == organisation)
        ).first()
        if org is None:
            org = Organisation(programme_id=prog.id, key=organisation, name=organisation, kind=kind)
            session.add(org)
            session.flush()
        member = Member(
            programme_id=prog.id,
            organisation_id=org.id,
            platform=platform,
            platform_user_id=user_id,
            name=name or user_id,
            role=role,
        )
        session.add(member)
    return member


def _programme(slug: str, name: str) -> Programme:
    return Programme(
        slug=slug,
        name=name,
        deadline=date(2027, 3, 31),
        channel="C0WINTER",
        checkin_time=clock(9, 30),
        reminder_time=clock(14),
        brief_time=clock(8, 30),
        digest_time=clock(15),
    )


@pytest.fixture
def add_member(request: pytest.FixtureRequest) -> Callable[..., Member]:
    """`add_member("U1", "lead")` on the `engine` fixture's database, or on `engine=`;
    see insert_member for the other arguments."""

    def add(user_id: str, role: str = "partner", *, engine: Engine | None = None, **kw: Any) -> Member:
        return insert_member(engine or request.getfixturevalue("engine"), user_id, role, **kw)

    return add


@pytest.fixture
def start_app() -> Callable[[Settings, Engine], AbstractContextManager[RunningApp]]:
    """`with start_app(settings, engine) as server:` for a test that needs its own settings."""
    return running_app
