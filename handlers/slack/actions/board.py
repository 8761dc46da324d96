"""The brief's Huddle board button: a link to the board for whoever pressed it, shown only to
them, when they lead the brief's programme (bot.reports.board.board_link checks, from the id Slack
gives for the presser); a partner is told why not. The answer's own URL button opens the board
in the browser; Slack still sends its press, which is only acknowledged."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.reports.board import BoardLink, board_address, board_link
from handlers.slack.actions.pressing import on_press
from handlers.slack.blocks.board import BUTTON_ID, LINK_ID, board_blocks, board_text
from handlers.slack.context import SlackContext
from models.vocabulary import Platform

log = logging.getLogger(__name__)


def register(app: AsyncApp, context: SlackContext) -> None:
    on_press(app, BUTTON_ID, context, pressed)

    async def opened(ack: AsyncAck) -> None:
        await ack()

    app.action(LINK_ID)(opened)


async def pressed(context: SlackContext, body: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond) -> None:
    user_id = body["user"]["id"]  # the presser, as Slack says
    value = body["actions"][0].get("value")
    slug = value if isinstance(value, str) and value else None
    now = datetime.now(UTC)
    result = await context.reading(lambda session: board_link(session, Platform.SLACK, user_id, now, slug))
    url = board_address(context.settings, result) if isinstance(result, BoardLink) else None
    log.info("board link from the brief for %s: %s", user_id, type(result).__name__)
    try:
        await respond(
            text=board_text(result, url),
            blocks=board_blocks(result, url),
            response_type="ephemeral",
            replace_original=False,
        )
    except Exception as error:  # noqa: BLE001 -- the response URL is Slack's; a failure there must not crash the listener
        log.warning("could not answer the board button through the response URL: %s", type(error).__name__)
