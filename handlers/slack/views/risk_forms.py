"""The close and assign forms sent. Each checks its own answer (a close needs a note, an assign
an organisation), then the change is stored before the ack (Slack waits three seconds for it),
so a refusal can be shown in the form itself, to the person who sent it only; then every copy
of the risk is updated."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.risks.changes import RiskRefused
from handlers.slack.actions.risk_buttons import change_and_locate, decode_form, risk_id_of, show_change
from handlers.slack.blocks.risks import ASSIGN_CALLBACK, CLOSE_CALLBACK, NOTE_BLOCK, OWNER_BLOCK, notice_modal
from handlers.slack.context import SlackContext
from handlers.slack.views.state import view_answers
from models.vocabulary import Platform

log = logging.getLogger(__name__)

NOTE_NEEDED = "Say what was done, or why the risk no longer applies: the note stays in its history."
OWNER_NEEDED = "Choose the organisation that will own this risk."
FORM_LOST = "This form no longer points at a risk. Try `/winter risks` for the register as it stands."
LOGGED = {"close": ("closing", "closed"), "assign": ("assigning", "assigned")}


def register(app: AsyncApp, context: SlackContext) -> None:
    async def risk_close(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await close_submitted(context, ack, body, client)

    async def risk_assign(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await assign_submitted(context, ack, body, client)

    app.view(CLOSE_CALLBACK)(risk_close)
    app.view(ASSIGN_CALLBACK)(risk_assign)


async def close_submitted(context: SlackContext, ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
    note = (view_answers(body["view"]).get(NOTE_BLOCK) or "").strip()
    if not note:
        await ack(response_action="errors", errors={NOTE_BLOCK: NOTE_NEEDED})
        return
    await change_from_form(context, ack, client, body, "close", note=note)


async def assign_submitted(context: SlackContext, ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
    owner_id = risk_id_of(view_answers(body["view"]).get(OWNER_BLOCK))
    if owner_id is None:
        await ack(response_action="errors", errors={OWNER_BLOCK: OWNER_NEEDED})
        return
    await change_from_form(context, ack, client, body, "assign", owner_id=owner_id)


async def change_from_form(
    context: SlackContext,
    ack: AsyncAck,
    client: AsyncWebClient,
    body: dict[str, Any],
    action: str,
    *,
    note: str | None = None,
    owner_id: int | None = None,
) -> None:
    user_id = body["user"]["id"]
    risk_id, origin = decode_form(body["view"].get("private_metadata"))
    if risk_id is None:
        await ack(response_action="update", view=notice_modal(FORM_LOST))
        return
    now = datetime.now(UTC)
    located = await context.in_session(
        lambda session: change_and_locate(session, user_id, risk_id, action, note, now, origin, owner_id)
    )
    doing, done = LOGGED[action]
    if isinstance(located.outcome, RiskRefused):
        log.info("%s risk %s by %s refused", doing, risk_id, user_id)
        await ack(response_action="update", view=notice_modal(located.outcome.reason))
        return
    log.info("risk %s %s by %s", risk_id, done, user_id)
    await ack()
    await show_change(client, located.outcome.risk, located, origin)
    await context.risk_changed(risk_id, Platform.SLACK, now)
