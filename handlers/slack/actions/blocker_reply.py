"""The Reply button beside a blocker in the leads' brief: checks that the presser leads the
blocker's programme (a partner or a stale button is told at once, privately), then opens the
answer form (views/blocker_reply.py takes what is sent)."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.checkin.blockers import BlockerRefused, may_answer
from handlers.slack.actions.pressing import on_press
from handlers.slack.actions.replies import tell_privately
from handlers.slack.blocks.blocker_reply import BUTTON_ID, blocker_id_of, reply_modal
from handlers.slack.context import SlackContext
from models.vocabulary import Platform

log = logging.getLogger(__name__)

STALE_BUTTON = "That button no longer points at a blocker. `/winter blockers` lists them as they stand."


def register(app: AsyncApp, context: SlackContext) -> None:
    on_press(app, BUTTON_ID, context, pressed)


async def pressed(context: SlackContext, body: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond) -> None:
    user_id = body["user"]["id"]  # the presser, as Slack says: never anyone named in the button
    blocker_id = blocker_id_of(body["actions"][0].get("value"))
    if blocker_id is None:
        await tell_privately(respond, STALE_BUTTON)
        return
    view = await context.reading(lambda session: may_answer(session, Platform.SLACK, user_id, blocker_id))
    if isinstance(view, BlockerRefused):
        log.info("blocker %s: the form refused to %s", blocker_id, user_id)
        await tell_privately(respond, view.message)
        return
    try:
        await client.views_open(trigger_id=body["trigger_id"], view=reply_modal(view))
    except SlackApiError as error:
        code = error.response.get("error", "unknown_error") if error.response is not None else "unknown_error"
        log.warning("views.open for blocker %s failed: %s", blocker_id, code)
        await tell_privately(respond, f"I could not open the form just then (Slack said {code}). Please try again.")
