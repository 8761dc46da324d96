"""Slack accounts found by email address (users.lookupByEmail), for `slack: by-email` members.

users.lookupByEmail is a Tier 3 method: about 50 calls a minute per workspace. `SlackPeopleFinder`
lets a first BURST through and then spaces the calls PER_MINUTE a minute, and waits out any 429
for as long as Slack's Retry-After says. The address is sent in a POST body, never a URL, and
slack_sdk is given a logger that says nothing: its INFO lines on a retry carry the request URL,
and its DEBUG lines the body, and addresses never reach a log.

The token is the workspace's: SLACK_BOT_TOKEN for one workspace, or, for an app that many
workspaces install, the bot token slack_sdk's installation store keeps for the workspace.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from sqlalchemy.engine import Engine

from bot.programme.people_lookup import LookupFailed
from handlers.slack.api_errors import refusal
from models.workspaces import SLACK_BOTS, SLACK_INSTALLATIONS

METHOD = "users.lookupByEmail"
PER_MINUTE = 50  # Tier 3
BURST = 20  # let through before the calls are spaced
MAX_WAITS = 20  # 429s waited out for one address before giving up
TIMEOUT = 15  # seconds for one call

Clock = Callable[[], float]
Sleep = Callable[[float], None]


class _Unheard(logging.Logger):
    """A logger that drops everything. Made directly, not through logging.getLogger, so no
    logging configuration (a dictConfig naming a parent, say) can give it handlers again."""

    def isEnabledFor(self, level: int) -> bool:
        return False

    def handle(self, record: logging.LogRecord) -> None:
        return None


_SILENT = _Unheard("winterbot.slack_lookup_sdk")


def pacing_seconds(count: int) -> float:
    """About how long `count` lookups take at Slack's pace."""
    return max(0, count - BURST) * 60 / PER_MINUTE


class Budget:
    """A token bucket: BURST calls at once, then PER_MINUTE a minute."""

    def __init__(self, burst: int = BURST, per_minute: int = PER_MINUTE, clock: Clock = time.monotonic) -> None:
        self.capacity, self.rate, self._clock = float(burst), per_minute / 60, clock
        self._tokens, self._at = float(burst), clock()

    def wait_before_next(self) -> float:
        """Seconds to wait before the next call; the call is counted as made then."""
        now = self._clock()
        self._tokens = min(self.capacity, self._tokens + (now - self._at) * self.rate)
        self._at = now
        self._tokens -= 1
        return 0.0 if self._tokens >= 0 else -self._tokens / self.rate


class SlackPeopleFinder:
    """users.lookupByEmail with one workspace's bot token."""

    def __init__(
        self,
        token: str,
        api_url: str,
        *,
        budget: Budget | None = None,
        sleep: Sleep = time.sleep,
    ) -> None:
        self._client = WebClient(token=token, base_url=api_url, timeout=TIMEOUT, logger=_SILENT, retry_handlers=[])
        self._host = urlsplit(api_url).netloc
        self._budget = budget or Budget()
        self._sleep = sleep
        self.waited = 0.0  # seconds spent waiting, paced or refused: reported to the admin

    def find(self, email: str) -> str | None:
        for _ in range(MAX_WAITS + 1):
            self._wait(self._budget.wait_before_next())
            try:
                # The method written out: tests/test_manifest.py reads the scopes the code needs from it.
                response = self._client.api_call("users.lookupByEmail", http_verb="POST", data={"email": email})
            except SlackApiError as error:
                answer = error.response
                if answer is not None and answer.status_code == 429:
                    self._wait(_retry_after(answer.headers))
                    continue
                body = answer.data if answer is not None and isinstance(answer.data, dict) else {}
                code = str(body.get("error", "unknown_error"))
                if code == "users_not_found":
                    return None
                raise LookupFailed(str(refusal(code, body, METHOD))) from None
            except OSError as error:  # urllib's URLError, a refused connection, a timeout
                reason = type(error).__name__
                raise LookupFailed(
                    f"could not reach Slack at {self._host} ({reason}) to look people up by email"
                ) from None
            user: Any = response.get("user") or {}
            if user.get("deleted") or user.get("is_bot") or not user.get("id"):
                return None
            return str(user["id"])
        raise LookupFailed(f"Slack kept refusing {METHOD} as too many calls ({MAX_WAITS} times): try again later")

    def _wait(self, seconds: float) -> None:
        if seconds > 0:
            self.waited += seconds
            self._sleep(seconds)


def _retry_after(headers: Mapping[str, Any] | None) -> float:
    """Slack's Retry-After in seconds (one when it gives none or nonsense)."""
    for name, value in (headers or {}).items():
        if name.lower() == "retry-after":
            first = value[0] if isinstance(value, list) and value else value
            try:
                return max(0.0, min(float(first), 300.0))
            except (TypeError, ValueError):
                break
    return 1.0


def installed_token(client_id: str, engine: Engine, team_id: str | None, enterprise_id: str | None) -> str | None:
    """The bot token slack_sdk's installation store keeps for the workspace (or, on Enterprise
    Grid, for an installation across the organisation), or None where the app is not installed."""
    store = SQLAlchemyInstallationStore(
        client_id=client_id,
        engine=engine,
        bots_table_name=SLACK_BOTS,
        installations_table_name=SLACK_INSTALLATIONS,
        logger=_SILENT,
    )
    bot = store.find_bot(enterprise_id=enterprise_id, team_id=team_id)
    if bot is None and enterprise_id is not None:
        bot = store.find_bot(enterprise_id=enterprise_id, team_id=None, is_enterprise_install=True)
    return bot.bot_token if bot is not None and bot.bot_token else None
