"""`app_uninstalled`: the workspace removed the app; sends there stop until it is reinstalled (and,
installed through OAuth, its token is removed from the store)."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.people.workspaces import UNINSTALLED
from handlers.slack.context import SlackContext
from handlers.slack.events.marking import mark_workspace


def register(app: AsyncApp, context: SlackContext) -> None:
    async def app_uninstalled(body: dict[str, Any]) -> None:
        await mark_workspace(context, body, UNINSTALLED, "Slack sent app_uninstalled", app.installation_store)

    app.event("app_uninstalled")(app_uninstalled)
