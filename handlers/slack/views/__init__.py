"""View listeners (modal submissions): the check-in, the risk forms, the blocker answer form and
the programme file uploaded by `/winter setup`."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from handlers.slack.context import SlackContext
from handlers.slack.views import blocker_reply, checkin_submit, risk_forms, setup_submit


def register(app: AsyncApp, context: SlackContext) -> None:
    checkin_submit.register(app, context)
    risk_forms.register(app, context)
    blocker_reply.register(app, context)
    setup_submit.register(app, context)
