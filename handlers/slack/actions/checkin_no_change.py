"""The prompt's "Nothing new today" button: record a no-change check-in, once a day."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.checkin import Refusal, checkin_no_change
from handlers.slack.actions.pressing import on_press
from handlers.slack.actions.replies import tell_privately
from handlers.slack.blocks.prompt import NO_CHANGE
from handlers.slack.context import SlackContext
from handlers.slack.events.app_home import LOOKING, refresh_home
from handlers.slack.views.answered import mark_prompt_answered
from handlers.slack.views.metadata import FormRef, programme_from
from models.vocabulary import Platform


def register(app: AsyncApp, context: SlackContext) -> None:
    on_press(app, NO_CHANGE, context, pressed)


async def pressed(context: SlackContext, body: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond) -> None:
    user_id = body["user"]["id"]
    programme_id = programme_from(body["actions"][0].get("value"))
    now = datetime.now(UTC)
    outcome = await context.in_session(
        lambda session: checkin_no_change(session, Platform.SLACK, user_id, programme_id, now)
    )
    if isinstance(outcome, Refusal):
        await tell_privately(respond, outcome.reason)
        return
    container = body.get("container") or {}
    prompt = FormRef(outcome.programme_id, container.get("channel_id"), container.get("message_ts"))
    await mark_prompt_answered(client, prompt, outcome)
    if outcome.recorded and LOOKING.lately(user_id):
        context.after_ack(f"home:{user_id}", lambda: refresh_home(client, context, user_id, after_ack=True))
