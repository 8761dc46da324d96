"""How Slack shows `/winter checkin [programme]`: today's check-in opens as a modal, to answer or
amend it at any time; a refusal goes in the acknowledgement."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.checkin import CheckinForm, Refusal
from handlers.slack.views.opening import show_form

if TYPE_CHECKING:
    from handlers.slack.commands.invocation import Invocation

log = logging.getLogger(__name__)


async def show_checkin(call: Invocation, form: CheckinForm | Refusal) -> None:
    """Ack at once and open the modal with the trigger_id, which lasts three seconds."""
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
