"""/winter: one slash command. Which use case its first word runs is bot.commands.table's to
say; this listener only asks the context for the answer and shows it (handlers/slack/commands/shown.py)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.commands.table import Unknown
from bot.common.asking import parse
from handlers.slack.commands.invocation import Invocation
from handlers.slack.commands.shown import SHOWN
from handlers.slack.context import SlackContext
from models.vocabulary import Platform

log = logging.getLogger(__name__)


def register(app: AsyncApp, context: SlackContext) -> None:
    async def winter(ack: AsyncAck, command: dict[str, Any], client: AsyncWebClient) -> None:
        await dispatch(context, ack, command, client)

    app.command("/winter")(winter)


async def dispatch(context: SlackContext, ack: AsyncAck, command: dict[str, Any], client: AsyncWebClient) -> None:
    text, user_id = command.get("text", ""), command["user_id"]
    shows, result = await context.answer(Platform.SLACK, user_id, text, datetime.now(UTC))
    log.info("/winter %s from %s", "(unknown)" if shows is Unknown else parse(text)[0], user_id)
    await SHOWN[shows](Invocation(context=context, ack=ack, command=command, client=client), result)
