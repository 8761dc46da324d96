"""Settings from the environment. Secrets are kept out of repr so they never reach a log."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from models.db import DEFAULT_URL

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_NOTIFY_API_URL = "https://api.notifications.service.gov.uk"
DEFAULT_GRAPH_API_URL = "https://graph.microsoft.com/v1.0"
DEFAULT_ENTRA_LOGIN_URL = "https://login.microsoftonline.com"
DEFAULT_MAX_BODY_BYTES = 1024 * 1024  # Slack's and Teams' payloads are a few kilobytes
DEFAULT_SLACK_POSTS_PER_SECOND = 50  # a workspace's posts, all processes together
DEFAULT_TEAMS_SENDS_PER_SECOND = 50  # a tenant's sends, all processes together
DEFAULT_KEEP_WORDS_DAYS = 180  # what people wrote, kept this long after a programme's deadline


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_URL
    slack_bot_token: str | None = field(default=None, repr=False)
    slack_signing_secret: str | None = field(default=None, repr=False)
    slack_app_token: str | None = field(default=None, repr=False)
    slack_api_url: str = DEFAULT_SLACK_API_URL
    # Installed by many workspaces through Slack's OAuth flow (SLACK_CLIENT_ID, SLACK_CLIENT_SECRET):
    # each workspace's token is kept in the database, and SLACK_BOT_TOKEN is not used.
    slack_client_id: str | None = None
    slack_client_secret: str | None = field(default=None, repr=False)
    slack_posts_per_second: int = DEFAULT_SLACK_POSTS_PER_SECOND
    timezone: str = "Europe/London"
    teams_client_id: str | None = None
    teams_client_secret: str | None = field(default=None, repr=False)
    teams_tenant_id: str | None = None
    teams_service_url: str | None = None
    teams_sends_per_second: int = DEFAULT_TEAMS_SENDS_PER_SECOND
    # Microsoft Graph and Entra's sign-in, for `teams: by-email` members (GRAPH_API_URL, ENTRA_LOGIN_URL).
    graph_api_url: str = DEFAULT_GRAPH_API_URL
    entra_login_url: str = DEFAULT_ENTRA_LOGIN_URL
    # Never read from the environment: a token source instead of a client secret (the SDK's
    # TokenCredentials) and switching off the check of Teams' signed tokens are for tests.
    teams_token: Callable[..., Any] | None = field(default=None, repr=False, compare=False)
    teams_allow_unauthenticated: bool = False
    # Never read from the environment: the SDK's CloudEnvironment (where Teams' signing keys are
    # fetched from), for tests against a loopback double; the SDK itself reads CLOUD.
    teams_cloud: Any = field(default=None, repr=False, compare=False)
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    # The web pages (check-in, huddle board): where people reach this service, and the key
    # that signs their links (WINTERBOT_PUBLIC_URL, WINTERBOT_WEB_SECRET).
    public_url: str | None = None
    web_secret: str | None = field(default=None, repr=False)
    # GOV.UK Notify, for members reached by email or text message.
    notify_api_key: str | None = field(default=None, repr=False)
    notify_api_url: str = DEFAULT_NOTIFY_API_URL
    notify_templates: dict[str, str] = field(default_factory=dict)
    notify_callback_token: str | None = field(default=None, repr=False)
    keep_words_days: int = DEFAULT_KEEP_WORDS_DAYS

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
            slack_client_id=env.get("SLACK_CLIENT_ID") or None,
            slack_client_secret=env.get("SLACK_CLIENT_SECRET") or None,
            slack_posts_per_second=_whole(env, "SLACK_POSTS_PER_SECOND", DEFAULT_SLACK_POSTS_PER_SECOND, 1),
            timezone=env.get("WINTERBOT_TZ") or "Europe/London",
            teams_client_id=env.get("CLIENT_ID") or None,
            teams_client_secret=env.get("CLIENT_SECRET") or None,
            teams_tenant_id=env.get("TENANT_ID") or None,
            teams_service_url=env.get("SERVICE_URL") or None,
            teams_sends_per_second=_whole(env, "TEAMS_SENDS_PER_SECOND", DEFAULT_TEAMS_SENDS_PER_SECOND, 1),
            graph_api_url=(env.get("GRAPH_API_URL") or DEFAULT_GRAPH_API_URL).rstrip("/"),
            entra_login_url=(env.get("ENTRA_LOGIN_URL") or DEFAULT_ENTRA_LOGIN_URL).rstrip("/"),
            max_body_bytes=_max_body_bytes(env.get("WINTERBOT_MAX_BODY_BYTES")),
            public_url=(env.get("WINTERBOT_PUBLIC_URL") or "").rstrip("/") or None,
            web_secret=env.get("WINTERBOT_WEB_SECRET") or None,
            notify_api_key=env.get("NOTIFY_API_KEY") or None,
            notify_api_url=(env.get("NOTIFY_API_URL") or DEFAULT_NOTIFY_API_URL).rstrip("/"),
            notify_templates=notify_templates(env.get("NOTIFY_TEMPLATES") or ""),
            notify_callback_token=env.get("NOTIFY_CALLBACK_TOKEN") or None,
            keep_words_days=_whole(env, "WINTERBOT_KEEP_WORDS_DAYS", DEFAULT_KEEP_WORDS_DAYS, 0),
        )

    @property
    def slack_oauth(self) -> bool:
        """Many workspaces, each installing through /slack/install with a token of its own."""
        return bool(self.slack_client_id and self.slack_client_secret)

    @property
    def slack_enabled(self) -> bool:
        if self.slack_oauth:
            return bool(self.slack_signing_secret)
        return bool(self.slack_bot_token and (self.slack_signing_secret or self.slack_app_token))

    @property
    def teams_enabled(self) -> bool:
        """The Teams SDK's variables: CLIENT_ID with CLIENT_SECRET (TENANT_ID for a single-tenant app)."""
        return bool(self.teams_client_id and (self.teams_client_secret or self.teams_token))

    @property
    def socket_mode(self) -> bool:
        return bool(self.slack_app_token)

    @property
    def web_enabled(self) -> bool:
        """The check-in page and the huddle board need both where they live and a key to sign links."""
        return bool(self.public_url and self.web_secret)

    @property
    def notify_enabled(self) -> bool:
        return bool(self.notify_api_key)


def _whole(env: dict[str, str], name: str, default: int, least: int) -> int:
    value = (env.get(name) or "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) < least:
        raise ValueError(f"{name} must be a whole number, at least {least} (the default is {default}); it is {value!r}")
    return int(value)


def _max_body_bytes(value: str | None) -> int:
    if not value:
        return DEFAULT_MAX_BODY_BYTES
    if not value.strip().isdigit() or int(value) < 1024:
        raise ValueError(
            f"WINTERBOT_MAX_BODY_BYTES must be a whole number of bytes, at least 1024 (the default is "
            f"{DEFAULT_MAX_BODY_BYTES}); it is {value!r}"
        )
    return int(value)


NOTIFY_PURPOSES = ("prompt", "notice", "digest")
NOTIFY_KINDS = ("email", "sms")


def notify_templates(value: str) -> dict[str, str]:
    """NOTIFY_TEMPLATES: `name=template-id` pairs separated by commas. `email` and `sms` are the
    templates used for anything without its own; `prompt-email`, `digest-sms` and the like
    override them for one purpose (bot.sending.notify_words says what each is sent)."""
    known = {*NOTIFY_KINDS, *(f"{p}-{k}" for p in NOTIFY_PURPOSES for k in NOTIFY_KINDS)}
    templates: dict[str, str] = {}
    for pair in filter(None, (part.strip() for part in value.split(","))):
        name, _, template_id = pair.partition("=")
        name, template_id = name.strip(), template_id.strip()
        if name not in known or not template_id:
            raise ValueError(
                f"NOTIFY_TEMPLATES has {pair!r}: write name=template-id pairs separated by commas, "
                f"the names being {', '.join(sorted(known))}"
            )
        templates[name] = template_id
    return templates
