"""A message someone types to the app in its Messages tab is answered with what `/winter help`
says, once.

The app reads no typed messages (a check-in is a form, a command is `/winter`), so anything a
person writes there gets help rather than silence. The answer is given once per message: Slack
retries an event it thinks we missed (X-Slack-Retry-Num), and the message's own channel and
timestamp, kept by bot.common.replays, tell a retry from a new message. The app's own messages, edits,
joins and other subtypes are not answered. What was typed is neither stored nor logged.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.commands.table import asker_help
from bot.common.replays import request_key, seen_once
from handlers.slack.blocks.help import help_blocks, help_text
from handlers.slack.context import SlackContext
from models.vocabulary import Platform

log = logging.getLogger(__name__)

INTRO = "I don't read messages typed here. Here is what `/winter` can do for you:"


def is_typed_by_a_person(event: dict[str, Any]) -> bool:
    """A plain message a person wrote in their DM with the app."""
    return (
        event.get("channel_type") == "im"
        and "subtype" not in event
        and not event.get("bot_id")
        and bool(event.get("user"))
        and bool(event.get("channel"))
        and bool(event.get("ts"))
    )


def register(app: AsyncApp, context: SlackContext) -> None:
    async def direct_message(event: dict[str, Any], client: AsyncWebClient) -> None:
        if is_typed_by_a_person(event):
            await answer_with_help(context, client, event)

    app.event("message")(direct_message)


async def answer_with_help(context: SlackContext, client: AsyncWebClient, event: dict[str, Any]) -> None:
    user_id, channel = str(event["user"]), str(event["channel"])
    key = request_key("slack-dm", channel, str(event["ts"]))
    now = datetime.now(UTC)
    first = await context.workers.run(lambda: seen_once(context.engine, key, Platform.SLACK, now))
    if not first:
        return
    asker = await context.reading(lambda session: asker_help(session, Platform.SLACK, user_id))
    try:
        await client.chat_postMessage(
            channel=channel,
            text=f"{INTRO.replace('`', '')} {help_text(asker)}",
            blocks=[_intro(), *help_blocks(asker)],
        )
    except Exception:
        log.exception("could not answer a direct message from %s with help", user_id)


def _intro() -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": INTRO}}
