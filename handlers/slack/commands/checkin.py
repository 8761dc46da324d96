"""`/winter checkin [programme]`: open today's check-in at any time, to answer or amend it."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.checkin import Refusal
from handlers.slack.views.opening import load_form, show_form

if TYPE_CHECKING:
    from handlers.slack.commands.winter import Invocation

log = logging.getLogger(__name__)


async def checkin(call: Invocation) -> None:
    """Refusals go in the ack; otherwise ack at once and open the modal with the trigger_id."""
    user_id = call.command["user_id"]
    form = await load_form(call.context, user_id, slug=call.rest.strip() or None)
    if isinstance(form, Refusal):
        await call.ack(response_type="ephemeral", text=form.reason)
        return
    await call.ack()
    failed = await show_form(call.client, call.command["trigger_id"], form)
    if failed is not None:
        await _tell(call.command.get("response_url"), failed.reason)


async def _tell(response_url: str | None, text: str) -> None:
    if not response_url:
        return
    try:
        await AsyncWebhookClient(response_url).send(text=text, response_type="ephemeral")
    except Exception as error:  # noqa: BLE001 -- Slack's URL; a failure there must not crash the listener
        log.warning("could not answer through the response URL: %s", type(error).__name__)
