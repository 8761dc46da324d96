"""View listeners (modal submissions), one per module."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from handlers.slack.context import SlackContext
from handlers.slack.views import checkin_submit, risk_assign, risk_close


def register(app: AsyncApp, context: SlackContext) -> None:
    checkin_submit.register(app, context)
    risk_close.register(app, context)
    risk_assign.register(app, context)
