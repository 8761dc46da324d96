"""Installing the app in many workspaces: Slack's OAuth v2 flow, on when SLACK_CLIENT_ID and
SLACK_CLIENT_SECRET are set.

`/slack/install` sends the admin to Slack's consent screen with a fresh state (kept in the
database, and in a cookie of the browser that started); Slack sends them back to
`/slack/oauth_redirect` with a code, exchanged at oauth.v2.access for the workspace's bot token.
Installations and bots are kept in our database by slack_sdk's SQLAlchemy store, in the tables
of models/workspaces.py. Bolt's AsyncApp wants an asynchronous store; ours is the synchronous
one on our engine, so `ThreadedInstallationStore` runs its calls on a thread.

The scopes asked for are manifest.yaml's, read from the file, so the two cannot drift; every
call (the code exchange, the token refresh) goes to SLACK_API_URL, and Slack's consent screen
is found beside it (`authorization_url`).
"""

from __future__ import annotations

import asyncio
import logging
import re
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import yaml
from slack_bolt.authorization.async_authorize import AsyncInstallationStoreAuthorize
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.engine import Engine

from bot.common.config import Settings
from handlers.slack.oauth_pages import OAuthPages
from models.workspaces import SLACK_BOTS, SLACK_INSTALLATIONS, SLACK_OAUTH_STATES

log = logging.getLogger(__name__)

MANIFEST = Path(__file__).resolve().parents[2] / "manifest.yaml"
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
STATE_SECONDS = 600  # the admin has ten minutes on Slack's consent screen
ROTATE_MINUTES = 120  # a token expiring within this is refreshed before it is used (Bolt's default)


@cache
def bot_scopes(manifest: Path = MANIFEST) -> tuple[str, ...]:
    """The bot scopes manifest.yaml asks for (oauth_config.scopes.bot)."""
    try:
        data = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    except OSError as error:
        raise ValueError(
            f"Slack's OAuth flow asks for the scopes in manifest.yaml, and {manifest} could not be read "
            f"({type(error).__name__}): run winterbot from its checkout"
        ) from error
    scopes = ((data or {}).get("oauth_config") or {}).get("scopes", {}).get("bot")
    if not isinstance(scopes, list) or not scopes or not all(isinstance(s, str) for s in scopes):
        raise ValueError(f"{manifest} has no list of bot scopes under oauth_config.scopes.bot")
    return tuple(scopes)


def redirect_uri(settings: Settings) -> str | None:
    """Where Slack sends the admin back: under WINTERBOT_PUBLIC_URL when it is set; otherwise
    Slack uses the app's one redirect URL (manifest.yaml's redirect_urls)."""
    return f"{settings.public_url}{REDIRECT_PATH}" if settings.public_url else None


def not_installed(settings: Settings) -> str:
    """What someone in a workspace with no installation is told when they use the app."""
    return (
        "winterbot is not installed in this workspace (or was uninstalled). "
        f"A workspace admin can install it from {settings.public_url or ''}{INSTALL_PATH}."
    )


def authorization_url(settings: Settings) -> str:
    """Slack's consent screen beside its Web API: https://slack.com/oauth/v2/authorize for
    https://slack.com/api/ (a test's double serves both)."""
    return urljoin(settings.slack_api_url, "../oauth/v2/authorize")


def installation_store(settings: Settings, engine: Engine) -> SQLAlchemyInstallationStore:
    """slack_sdk's store on our engine and our tables (created by the migrations)."""
    return SQLAlchemyInstallationStore(
        client_id=_client_id(settings),
        engine=engine,
        bots_table_name=SLACK_BOTS,
        installations_table_name=SLACK_INSTALLATIONS,
        logger=logging.getLogger("winterbot.slack.installations"),
    )


def _client_id(settings: Settings) -> str:
    if not settings.slack_client_id:
        raise ValueError("SLACK_CLIENT_ID is not set")
    return settings.slack_client_id


class ThreadedInstallationStore(AsyncInstallationStore):
    """The synchronous SQLAlchemy store behind Bolt's asynchronous interface, each call on a
    thread so the event loop never waits on the database."""

    def __init__(self, store: SQLAlchemyInstallationStore) -> None:
        self.store = store

    @property
    def logger(self) -> logging.Logger:
        return self.store.logger

    async def async_save(self, installation: Installation) -> None:
        await asyncio.to_thread(self.store.save, installation)

    async def async_save_bot(self, bot: Bot) -> None:
        await asyncio.to_thread(self.store.save_bot, bot)

    async def async_find_bot(
        self, *, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None = False
    ) -> Bot | None:
        return await asyncio.to_thread(
            lambda: self.store.find_bot(
                enterprise_id=enterprise_id, team_id=team_id, is_enterprise_install=is_enterprise_install
            )
        )

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        return await asyncio.to_thread(
            lambda: self.store.find_installation(
                enterprise_id=enterprise_id,
                team_id=team_id,
                user_id=user_id,
                is_enterprise_install=is_enterprise_install,
            )
        )

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await asyncio.to_thread(lambda: self.store.delete_bot(enterprise_id=enterprise_id, team_id=team_id))

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        await asyncio.to_thread(
            lambda: self.store.delete_installation(enterprise_id=enterprise_id, team_id=team_id, user_id=user_id)
        )


class ThreadedStateStore(AsyncOAuthStateStore):
    """slack_sdk's SQLAlchemy state store (each state used once, for STATE_SECONDS), on a thread."""

    def __init__(self, engine: Engine, seconds: int = STATE_SECONDS) -> None:
        self.store = SQLAlchemyOAuthStateStore(
            expiration_seconds=seconds,
            engine=engine,
            table_name=SLACK_OAUTH_STATES,
            logger=logging.getLogger("winterbot.slack.oauth_states"),
        )

    @property
    def logger(self) -> logging.Logger:
        return self.store.logger

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        return await asyncio.to_thread(self.store.issue)

    async def async_consume(self, state: str) -> bool:
        return await asyncio.to_thread(self.store.consume, state)


class WithholdCodes(logging.Filter):
    """Bolt's OAuth flow logs a code Slack did not accept, whole; the fact is kept, the code is not."""

    CODE = re.compile(r"(with code:?\s*)\S+")

    def filter(self, record: logging.LogRecord) -> bool:
        message = str(record.msg)
        if "code" in message:
            record.msg = self.CODE.sub(r"\1(withheld)", message)
        return True


def withhold_codes(logger: logging.Logger) -> None:
    if not any(isinstance(f, WithholdCodes) for f in logger.filters):
        logger.addFilter(WithholdCodes())


def oauth_settings(settings: Settings, engine: Engine, client: AsyncWebClient) -> AsyncOAuthSettings:
    """Bolt's OAuth settings: our stores, our pages, and an authorize that finds each request's
    workspace token (refreshing it when it expires within ROTATE_MINUTES) through `client`, so
    that the refresh too goes to SLACK_API_URL."""
    if not (settings.slack_client_id and settings.slack_client_secret):
        raise ValueError("Slack's OAuth flow needs SLACK_CLIENT_ID and SLACK_CLIENT_SECRET")
    store = ThreadedInstallationStore(installation_store(settings, engine))
    logger = logging.getLogger("winterbot.slack.oauth")
    made = AsyncOAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        scopes=list(bot_scopes()),
        user_scopes=[],
        redirect_uri=redirect_uri(settings),
        install_path=INSTALL_PATH,
        install_page_rendering_enabled=False,
        redirect_uri_path=REDIRECT_PATH,
        callback_options=OAuthPages(settings).callback_options(),
        authorization_url=authorization_url(settings),
        installation_store=store,
        token_rotation_expiration_minutes=ROTATE_MINUTES,
        state_store=ThreadedStateStore(engine),
        state_expiration_seconds=STATE_SECONDS,
        logger=logger,
    )
    made.authorize = AsyncInstallationStoreAuthorize(
        logger=logger,
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        token_rotation_expiration_minutes=ROTATE_MINUTES,
        installation_store=store,
        client=client,
    )
    return made
