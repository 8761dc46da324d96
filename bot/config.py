"""Settings from the environment. Secrets are kept out of repr so they never reach a log."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from models.db import DEFAULT_URL

DEFAULT_SLACK_API_URL = "https://slack.com/api/"


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_URL
    slack_bot_token: str | None = field(default=None, repr=False)
    slack_signing_secret: str | None = field(default=None, repr=False)
    slack_app_token: str | None = field(default=None, repr=False)
    slack_api_url: str = DEFAULT_SLACK_API_URL
    timezone: str = "Europe/London"
    teams_client_id: str | None = None
    teams_client_secret: str | None = field(default=None, repr=False)
    teams_tenant_id: str | None = None
    teams_service_url: str | None = None
    # Never read from the environment: a token source instead of a client secret (the SDK's
    # TokenCredentials) and switching off the check of Teams' signed tokens are for tests.
    teams_token: Callable[..., Any] | None = field(default=None, repr=False, compare=False)
    teams_allow_unauthenticated: bool = False

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        api_url = env.get("SLACK_API_URL") or DEFAULT_SLACK_API_URL
        return cls(
            database_url=env.get("DATABASE_URL") or DEFAULT_URL,
            slack_bot_token=env.get("SLACK_BOT_TOKEN") or None,
            slack_signing_secret=env.get("SLACK_SIGNING_SECRET") or None,
            slack_app_token=env.get("SLACK_APP_TOKEN") or None,
            slack_api_url=api_url if api_url.endswith("/") else api_url + "/",
            timezone=env.get("WINTERBOT_TZ") or "Europe/London",
            teams_client_id=env.get("CLIENT_ID") or None,
            teams_client_secret=env.get("CLIENT_SECRET") or None,
            teams_tenant_id=env.get("TENANT_ID") or None,
            teams_service_url=env.get("SERVICE_URL") or None,
        )

    @property
    def slack_enabled(self) -> bool:
        return bool(self.slack_bot_token and (self.slack_signing_secret or self.slack_app_token))

    @property
    def teams_enabled(self) -> bool:
        """The Teams SDK's variables: CLIENT_ID with CLIENT_SECRET (TENANT_ID for a single-tenant app)."""
        return bool(self.teams_client_id and (self.teams_client_secret or self.teams_token))

    @property
    def socket_mode(self) -> bool:
        return bool(self.slack_app_token)
