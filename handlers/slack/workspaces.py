"""The clock's Slack messenger for a programme, with its own workspace's token (OAuth mode).

A programme belongs to one Slack workspace (`slack_team_id`, and `slack_enterprise_id` in an
Enterprise Grid organisation), set by `winterbot load --workspace`. `SlackWorkspaces.bound`
reads that, finds the workspace's installation in the store (one made in the workspace, or else
one made organisation-wide), refreshes its bot token first when it expires within
ROTATE_MINUTES (saving the refreshed installation, as Bolt does for requests), and gives a
SlackMessenger sending with that token. A programme with no workspace, or a workspace with no
installation (never installed, or uninstalled: its installation is deleted then), gives no
messenger, so its sends are skipped: never another workspace's token.

Messengers are kept per workspace, so a workspace's throttle and pacers are shared by every job
and programme of it; its token is looked up again at most every LOOK_AGAIN, so a reinstall or a
rotation by another process is seen. A new token gets a new messenger (which checks it with
auth.test on its first send) that keeps the workspace's throttle and pacers.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from slack_sdk import WebClient
from slack_sdk.errors import SlackTokenRotationError
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.token_rotation import TokenRotator
from sqlalchemy.engine import Engine

from bot.common.config import Settings
from bot.sending.ports import Messenger
from handlers.slack.messenger import SlackMessenger, sync_client
from handlers.slack.oauth import ROTATE_MINUTES, installation_store
from handlers.slack.web import tokenless_settings
from models.db import read_scope
from models.tables import Programme

log = logging.getLogger(__name__)

LOOK_AGAIN = 30.0  # seconds a workspace's token is used before it is looked up again

Workspace = tuple[str | None, str | None]  # (enterprise id, team id)
Clock = Callable[[], float]


@dataclass
class _Kept:
    token: str
    messenger: SlackMessenger
    looked_at: float


class SlackWorkspaces:
    """Each programme's Slack messenger, with the token its workspace installed the app with."""

    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        *,
        store: SQLAlchemyInstallationStore | None = None,
        look_again: float = LOOK_AGAIN,
        clock: Clock = time.monotonic,
    ) -> None:
        if not (settings.slack_client_id and settings.slack_client_secret):
            raise ValueError("a token per workspace needs SLACK_CLIENT_ID and SLACK_CLIENT_SECRET")
        self.settings, self.engine = settings, engine
        self.store = store or installation_store(settings, engine)
        self.rotator = TokenRotator(
            client_id=settings.slack_client_id,
            client_secret=settings.slack_client_secret,
            client=WebClient(**tokenless_settings(settings)),
        )
        self.look_again, self._clock = look_again, clock
        self._lock = threading.Lock()
        self._kept: dict[Workspace, _Kept] = {}
        self._said: dict[int, str] = {}

    def bind(self, programme_id: int) -> dict[str, Messenger]:
        """For JobContext.bind: {"slack": its messenger}, or nothing when it has none."""
        messenger = self.bound(programme_id)
        return {"slack": messenger} if messenger is not None else {}

    def bound(self, programme_id: int) -> SlackMessenger | None:
        with read_scope(self.engine) as session:
            programme = session.get(Programme, programme_id)
            found = (programme.slug, programme.slack_enterprise_id, programme.slack_team_id) if programme else None
        if found is None:
            return None
        slug, enterprise_id, team_id = found
        if not team_id and not enterprise_id:
            self._say(
                programme_id,
                f"programme {slug!r} has no Slack workspace: nothing is sent to Slack for it. "
                "Load it with `winterbot load FILE --workspace TEAM_ID`",
            )
            return None
        messenger = self.messenger_for(enterprise_id, team_id)
        if messenger is None:
            self._say(
                programme_id,
                f"programme {slug!r}: winterbot is not installed in its Slack workspace {team_id or enterprise_id} "
                f"(never installed, or uninstalled): nothing is sent to Slack for it until the workspace installs "
                f"it from {self.settings.public_url or ''}/slack/install",
            )
            return None
        self._said.pop(programme_id, None)
        return messenger

    def messenger_for(self, enterprise_id: str | None, team_id: str | None) -> SlackMessenger | None:
        """The workspace's messenger, its token looked up (and refreshed if need be) when it was
        last looked up LOOK_AGAIN ago or more; None when the workspace has no installation."""
        workspace = (enterprise_id, team_id)
        with self._lock:
            kept = self._kept.get(workspace)
            now = self._clock()
            if kept is not None and now - kept.looked_at < self.look_again:
                return kept.messenger
            token = self._token(enterprise_id, team_id)
            if token is None:
                self._kept.pop(workspace, None)
                return None
            if kept is not None and kept.token == token:
                kept.looked_at = now
                return kept.messenger
            messenger = self._messenger(token, kept.messenger if kept is not None else None)
            self._kept[workspace] = _Kept(token, messenger, now)
            return messenger

    def _token(self, enterprise_id: str | None, team_id: str | None) -> str | None:
        installation = self._installation(enterprise_id, team_id)
        if installation is None or not installation.bot_token:
            return None
        try:
            rotated = self.rotator.perform_token_rotation(
                installation=installation, minutes_before_expiration=ROTATE_MINUTES
            )
        except SlackTokenRotationError as error:
            return self._unrefreshed(installation, enterprise_id, team_id, _slack_error(error))
        if rotated is None:
            return installation.bot_token
        self.store.save(rotated)
        log.info("Slack workspace %s: its bot token was refreshed", team_id or enterprise_id)
        return rotated.bot_token

    def _unrefreshed(self, tried: Installation, enterprise_id: str | None, team_id: str | None, why: str) -> str | None:
        """Slack refused the refresh: another process may have refreshed the token first (then
        the store has its successor), or the token may still have a while to run."""
        workspace = team_id or enterprise_id
        again = self._installation(enterprise_id, team_id)
        if again is not None and again.bot_token and again.bot_token != tried.bot_token:
            return again.bot_token
        expires_at = tried.bot_token_expires_at
        if expires_at is not None and expires_at > time.time():
            log.warning(
                "Slack workspace %s: its bot token could not be refreshed (%s); it is used until it expires",
                workspace,
                why,
            )
            return tried.bot_token
        log.error("Slack workspace %s: its bot token expired and could not be refreshed (%s)", workspace, why)
        return None

    def _installation(self, enterprise_id: str | None, team_id: str | None) -> Installation | None:
        """The workspace's own installation, or else its organisation's organisation-wide one."""
        if team_id:
            found = self.store.find_installation(enterprise_id=enterprise_id, team_id=team_id)
            if found is not None and found.bot_token:
                return found
        if enterprise_id:
            return self.store.find_installation(enterprise_id=enterprise_id, team_id=None, is_enterprise_install=True)
        return None

    def _messenger(self, token: str, previous: SlackMessenger | None) -> SlackMessenger:
        client = sync_client(replace(self.settings, slack_bot_token=token))
        if previous is not None:
            client.retry_handlers = previous.client.retry_handlers  # the workspace's pacers
        return SlackMessenger(
            client,
            previous.throttle if previous is not None else None,
            engine=self.engine,
            posts_per_second=self.settings.slack_posts_per_second,
        )

    def _say(self, programme_id: int, reason: str) -> None:
        """Log why a programme has no Slack messenger, once until the reason changes."""
        if self._said.get(programme_id) != reason:
            self._said[programme_id] = reason
            log.warning("%s", reason)


def _slack_error(error: SlackTokenRotationError) -> str:
    response = getattr(error.api_error, "response", None)
    data = getattr(response, "data", None)
    return str(data.get("error", "refused")) if isinstance(data, dict) else type(error.api_error).__name__
