"""The close form sent: a note is required; then the risk is closed and every copy updated.

The change is stored before the ack (Slack waits three seconds for it), so a refusal can be
shown in the form itself, to the person who sent it only.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.risks.changes import RiskRefused
from handlers.slack.actions.risk_buttons import change_and_locate, decode_form, show_change
from handlers.slack.blocks.risks import CLOSE_CALLBACK, NOTE_BLOCK, notice_modal
from handlers.slack.context import SlackContext
from handlers.slack.views.state import view_answers
from models.vocabulary import Platform

log = logging.getLogger(__name__)

NOTE_NEEDED = "Say what was done, or why the risk no longer applies: the note stays in its history."
FORM_LOST = "This form no longer points at a risk. Try `/winter risks` for the register as it stands."


def register(app: AsyncApp, context: SlackContext) -> None:
    async def risk_close(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await submitted(context, ack, body, client)

    app.view(CLOSE_CALLBACK)(risk_close)


async def submitted(context: SlackContext, ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
    view, user_id = body["view"], body["user"]["id"]
    risk_id, origin = decode_form(view.get("private_metadata"))
    note = (view_answers(view).get(NOTE_BLOCK) or "").strip()
    if not note:
        await ack(response_action="errors", errors={NOTE_BLOCK: NOTE_NEEDED})
        return
    if risk_id is None:
        await ack(response_action="update", view=notice_modal(FORM_LOST))
        return
    now = datetime.now(UTC)
    located = await context.in_session(
        lambda session: change_and_locate(session, user_id, risk_id, "close", note, now, origin)
    )
    if isinstance(located.outcome, RiskRefused):
        log.info("closing risk %s by %s refused", risk_id, user_id)
        await ack(response_action="update", view=notice_modal(located.outcome.reason))
        return
    log.info("risk %s closed by %s", risk_id, user_id)
    await ack()
    await show_change(client, located.outcome.risk, located, origin)
    await context.risk_changed(risk_id, Platform.SLACK, now)
