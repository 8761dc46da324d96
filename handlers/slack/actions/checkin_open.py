"""The prompt's "Open check-in" (and the answered prompt's "Amend") button: open the modal."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.checkin import Refusal
from handlers.slack.actions.pressing import on_press
from handlers.slack.actions.replies import tell_privately
from handlers.slack.blocks.prompt import OPEN_CHECKIN
from handlers.slack.context import SlackContext
from handlers.slack.views.metadata import programme_from
from handlers.slack.views.opening import load_form, show_form


def register(app: AsyncApp, context: SlackContext) -> None:
    on_press(app, OPEN_CHECKIN, context, pressed)


async def pressed(context: SlackContext, body: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond) -> None:
    programme_id = programme_from(body["actions"][0].get("value"))
    form = await load_form(context, body["user"]["id"], programme_id=programme_id)
    if isinstance(form, Refusal):
        await tell_privately(respond, form.reason)
        return
    container = body.get("container") or {}
    failed = await show_form(client, body["trigger_id"], form, container.get("channel_id"), container.get("message_ts"))
    if failed is not None:
        await tell_privately(respond, failed.reason)
