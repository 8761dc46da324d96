"""View listeners (modal submissions): the check-in, and the risk forms."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from handlers.slack.context import SlackContext
from handlers.slack.views import checkin_submit, risk_forms


def register(app: AsyncApp, context: SlackContext) -> None:
    checkin_submit.register(app, context)
    risk_forms.register(app, context)
