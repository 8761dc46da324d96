"""Slack: the Bolt app, its listeners and the Block Kit renderers."""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncApp
from sqlalchemy.engine import Engine

from bot.config import Settings
from handlers.slack import commands
from handlers.slack.context import SlackContext
from handlers.slack.web import make_web_client


def build_slack_app(settings: Settings, engine: Engine) -> AsyncApp:
    """The one Bolt app that answers over HTTP and over Socket Mode alike."""
    app = AsyncApp(
        name="winterbot",
        client=make_web_client(settings),
        signing_secret=settings.slack_signing_secret or "",
        request_verification_enabled=True,
        logger=logging.getLogger("winterbot.slack"),
    )
    commands.register(app, SlackContext(settings=settings, engine=engine))
    return app
