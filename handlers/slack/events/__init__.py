"""Events API listeners, one per module."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from handlers.slack.context import SlackContext
from handlers.slack.events import app_home


def register(app: AsyncApp, context: SlackContext) -> None:
    app_home.register(app, context)
