"""Block action listeners (buttons), one per module."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from handlers.slack.actions import blocker_reply, board, checkin_no_change, checkin_open, risk_buttons
from handlers.slack.context import SlackContext


def register(app: AsyncApp, context: SlackContext) -> None:
    checkin_open.register(app, context)
    checkin_no_change.register(app, context)
    risk_buttons.register(app, context)
    blocker_reply.register(app, context)
    board.register(app, context)
