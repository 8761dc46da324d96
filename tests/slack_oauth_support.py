"""For the tests of Slack's install flow (tests/test_slack_oauth*.py): settings in OAuth mode,
an installation made as an admin's browser makes it (the app's /slack/install, Slack's consent
screen on the double, back to /slack/oauth_redirect with the cookie), and programmes loaded for
a workspace from the bundled sample."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fixtures_slack import RunningApp
from slack_double import CLIENT_ID, CLIENT_SECRET, SlackDouble
from slack_double_oauth import query_of
from slack_signing import SIGNING_SECRET
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.common.config import Settings
from bot.programme.file import SAMPLE_PATH
from bot.programme.loader import load_programme, read_path
from bot.programme.ownership import Owner
from handlers.slack.oauth import installation_store
from models import Member, Programme, session_scope
from models.tables import row_id

SAMPLE_SLUG = "vale-winter-2026"
SAMPLE_USER_PREFIX = "U0VALE"


def oauth_settings(database_url: str, slack_api: SlackDouble, **more: object) -> Settings:
    return Settings(
        database_url=database_url,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=slack_api.url,
        slack_client_id=CLIENT_ID,
        slack_client_secret=CLIENT_SECRET,
        **more,  # type: ignore[arg-type]
    )


def start_install(server: RunningApp, team: str) -> httpx.Response:
    """The admin's click on /slack/install?team=…: a redirect to Slack's consent screen."""
    return server.http.get("/slack/install", params={"team": team})


def install(server: RunningApp, team: str) -> httpx.Response:
    """The whole click-through: /slack/install, Slack's consent screen (which grants at once),
    back to /slack/oauth_redirect with the code and state, in the one browser (its cookie)."""
    sent = start_install(server, team)
    assert sent.status_code == 302, sent.text
    consent = httpx.get(sent.headers["location"])
    assert consent.status_code == 302, consent.text
    return server.http.get(consent.headers["location"], headers={"Cookie": state_cookie(sent)})


def state_cookie(sent: httpx.Response) -> str:
    """The state cookie /slack/install set, as the browser sends it back. It is Secure (the
    service is reached over https), so httpx, on plain http to loopback, would not send it."""
    cookie = sent.headers["set-cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie, cookie
    return cookie.split(";", 1)[0]


def bot_token(engine: Engine, settings: Settings, team: str) -> str | None:
    bot = installation_store(settings, engine).find_bot(enterprise_id=None, team_id=team)
    return bot.bot_token if bot is not None else None


def load_for(
    engine: Engine, tmp_path: Path, slug: str, prefix: str, team: str | None, enterprise: str | None = None
) -> int:
    """The bundled sample under another slug, its members' ids starting `prefix` (6 characters,
    like U0VALE), loaded for the workspace `team` (or for none); the programme's id."""
    assert len(prefix) == len(SAMPLE_USER_PREFIX)
    text = Path(str(SAMPLE_PATH)).read_text(encoding="utf-8")
    path = tmp_path / f"{slug}.yaml"
    path.write_text(text.replace(SAMPLE_SLUG, slug).replace(SAMPLE_USER_PREFIX, prefix), encoding="utf-8")
    owner = Owner(slack_team_id=team, slack_enterprise_id=enterprise)
    load_programme(engine, read_path(path), owner=owner if owner.given else None)
    with session_scope(engine) as session:
        return row_id(session.exec(select(Programme).where(Programme.slug == slug)).one())


def partner_ids(engine: Engine, programme_id: int) -> set[str]:
    with session_scope(engine) as session:
        members = session.exec(
            select(Member).where(Member.programme_id == programme_id, Member.role == "partner")
        ).all()
        return {m.platform_user_id for m in members if m.platform_user_id}


def query(url: str) -> dict[str, str]:
    return query_of(url)


@pytest.fixture
def settings(database_url: str, slack_api: SlackDouble) -> Settings:
    """OAuth mode against the double, on the `engine` fixture's database."""
    return oauth_settings(database_url, slack_api)


@pytest.fixture
def server(settings: Settings, engine: Engine, start_app: Any, slack_api: SlackDouble) -> Iterator[RunningApp]:
    """The real app in OAuth mode, the double's consent screen sending admins back to it."""
    with start_app(settings, engine) as running:
        slack_api.oauth.redirect_url = f"{running.url}/slack/oauth_redirect"
        yield running
