"""Slash command listeners."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from handlers.slack.commands import winter
from handlers.slack.context import SlackContext


def register(app: AsyncApp, context: SlackContext) -> None:
    winter.register(app, context)
