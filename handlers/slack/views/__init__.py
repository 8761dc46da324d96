"""View listeners (modal submissions): the check-in, the risk forms, and the blocker answer form."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from handlers.slack.context import SlackContext
from handlers.slack.views import blocker_reply, checkin_submit, risk_forms


def register(app: AsyncApp, context: SlackContext) -> None:
    checkin_submit.register(app, context)
    risk_forms.register(app, context)
    blocker_reply.register(app, context)
