"""The Teams listeners, one per file, each registered by its `register(app, context)`."""

from __future__ import annotations

from microsoft_teams.apps import App

from bot.app.context import HandlerContext
from handlers.teams.listeners import card_action, installation, message


def register(app: App, context: HandlerContext) -> None:
    installation.register(app, context)
    message.register(app, context)
    card_action.register(app, context)
