"""Events API listeners, one per module. Each event manifest.yaml subscribes to has its
listener here, and nothing else is subscribed (tests/test_manifest.py)."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from handlers.slack.context import SlackContext
from handlers.slack.events import (
    app_home,
    app_uninstalled,
    direct_message,
    tokens_revoked,
)


def register(app: AsyncApp, context: SlackContext) -> None:
    app_home.register(app, context)
    direct_message.register(app, context)
    app_uninstalled.register(app, context)
    tokens_revoked.register(app, context)
