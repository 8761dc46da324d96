"""The composition root for scheduled sending: which messenger serves which platform.
Like bot/server.py and bot/cli.py, the one kind of module in bot/ that may import handlers/."""

from __future__ import annotations

from bot.config import Settings
from bot.ports import Messenger


def build_messengers(settings: Settings) -> dict[str, Messenger]:
    messengers: dict[str, Messenger] = {}
    if settings.slack_bot_token:
        from handlers.slack.messenger import SlackMessenger, sync_client

        messengers["slack"] = SlackMessenger(sync_client(settings))
    return messengers
