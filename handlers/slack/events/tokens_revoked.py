"""`tokens_revoked`: tokens of the app were revoked. Only the bot token sends anything, so a
revocation of people's own tokens alone changes nothing and is not recorded. A revoked bot token
installed through OAuth is removed from the store with its installation."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.people.workspaces import REVOKED
from handlers.slack.context import SlackContext
from handlers.slack.events.marking import mark_workspace

log = logging.getLogger(__name__)


def register(app: AsyncApp, context: SlackContext) -> None:
    async def tokens_revoked(event: dict[str, Any], body: dict[str, Any]) -> None:
        given = event.get("tokens")
        tokens = given if isinstance(given, dict) else {}
        if not tokens.get("bot"):
            log.info("Slack workspace %s revoked user tokens only: the bot token still sends", body.get("team_id"))
            return
        await mark_workspace(
            context, body, REVOKED, "Slack sent tokens_revoked for the bot token", app.installation_store
        )

    app.event("tokens_revoked")(tokens_revoked)
