"""Slack: the Bolt app, its listeners and the Block Kit renderers."""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncApp
from sqlalchemy.engine import Engine

from bot.app.background import Workers
from bot.app.context import RiskHook
from bot.common.config import Settings
from handlers.slack import actions, commands, errors, events, views
from handlers.slack.context import SlackContext
from handlers.slack.oauth import not_installed, oauth_settings, withhold_codes
from handlers.slack.web import make_web_client


class _WithholdRequestBodies(logging.Filter):
    """Bolt logs the whole body of a request whose signature fails, at INFO: the legacy
    verification token and whatever the user typed. Keep the fact, drop the body."""

    def filter(self, record: logging.LogRecord) -> bool:
        if "signature" in str(record.msg).lower():
            record.msg = "Refused a request with an invalid or stale Slack signature (body withheld)"
            record.args = ()
        return True


_BOLT_VERIFICATION_LOGGERS = ("slack_bolt.RequestVerification", "slack_bolt.AsyncRequestVerification")


def _withhold_bodies_from_logs() -> None:
    for name in _BOLT_VERIFICATION_LOGGERS:
        target = logging.getLogger(name)
        if not any(isinstance(f, _WithholdRequestBodies) for f in target.filters):
            target.addFilter(_WithholdRequestBodies())


def build_slack_app(
    settings: Settings, engine: Engine, on_risk_change: RiskHook | None = None, workers: Workers | None = None
) -> AsyncApp:
    """The one Bolt app that answers over HTTP and over Socket Mode alike. `on_risk_change` is
    called after a risk changed here, to update its copies on other platforms; `workers` are
    the process's request threads and background runner (its own when not given).

    With SLACK_CLIENT_ID and SLACK_CLIENT_SECRET (settings.slack_oauth) it serves Slack's
    install flow and answers each request with its own workspace's token, found in the database
    (handlers.slack.oauth); otherwise every request uses SLACK_BOT_TOKEN."""
    client = make_web_client(settings)
    logger = logging.getLogger("winterbot.slack")
    app = AsyncApp(
        name="winterbot",
        client=client,
        signing_secret=settings.slack_signing_secret or "",
        request_verification_enabled=True,
        logger=logger,
        oauth_settings=oauth_settings(settings, engine, client) if settings.slack_oauth else None,
        user_facing_authorize_error_message=not_installed(settings) if settings.slack_oauth else None,
    )
    _withhold_bodies_from_logs()
    if settings.slack_oauth:
        withhold_codes(logger)
    context = SlackContext(
        settings=settings, engine=engine, on_risk_change=on_risk_change, workers=workers or Workers()
    )
    commands.register(app, context)
    actions.register(app, context)
    views.register(app, context)
    events.register(app, context)
    errors.register(app)
    return app
