"""The Slack Web API client every outgoing call uses."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.common.config import Settings

RATE_LIMIT_RETRIES = 3
SERVER_ERROR_RETRIES = 2


def retry_handlers() -> list[AsyncRetryHandler]:
    """Retry 429s after their Retry-After, 500/503 and dropped connections with back-off."""
    return [
        AsyncConnectionErrorRetryHandler(),
        AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
        AsyncServerErrorRetryHandler(max_retry_count=SERVER_ERROR_RETRIES),
    ]


def client_settings(settings: Settings) -> dict[str, Any]:
    """What every client is made with, the clock's synchronous one too: the bot token (which
    must be set), the API's address and the log."""
    if not settings.slack_bot_token:
        raise ValueError("SLACK_BOT_TOKEN is not set")
    return {"token": settings.slack_bot_token, **tokenless_settings(settings)}


def tokenless_settings(settings: Settings) -> dict[str, Any]:
    """The API's address and the log, for a client whose token comes later: Bolt's in OAuth mode
    (each request's workspace token), the one that exchanges codes and refresh tokens."""
    return {"base_url": settings.slack_api_url, "logger": logging.getLogger("winterbot.slack.web")}


def make_web_client(settings: Settings) -> AsyncWebClient:
    """The app's client: with SLACK_BOT_TOKEN in single-workspace mode; in OAuth mode with no
    token, since Bolt gives each request's copy its workspace's token (handlers.slack.oauth)."""
    if settings.slack_oauth:
        return AsyncWebClient(retry_handlers=retry_handlers(), **tokenless_settings(settings))
    return AsyncWebClient(retry_handlers=retry_handlers(), **client_settings(settings))
