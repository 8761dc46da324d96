"""The assign form sent: the chosen organisation owns the risk; every copy is updated."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.risks.changes import RiskRefused
from handlers.slack.actions.risk_buttons import change_and_locate, decode_form, risk_id_of, show_change
from handlers.slack.blocks.risks import ASSIGN_CALLBACK, OWNER_BLOCK, notice_modal
from handlers.slack.context import SlackContext
from handlers.slack.views.risk_close import FORM_LOST
from handlers.slack.views.state import view_answers
from models.vocabulary import Platform

log = logging.getLogger(__name__)

OWNER_NEEDED = "Choose the organisation that will own this risk."


def register(app: AsyncApp, context: SlackContext) -> None:
    async def risk_assign(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await submitted(context, ack, body, client)

    app.view(ASSIGN_CALLBACK)(risk_assign)


async def submitted(context: SlackContext, ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
    view, user_id = body["view"], body["user"]["id"]
    risk_id, origin = decode_form(view.get("private_metadata"))
    owner_id = risk_id_of(view_answers(view).get(OWNER_BLOCK))
    if owner_id is None:
        await ack(response_action="errors", errors={OWNER_BLOCK: OWNER_NEEDED})
        return
    if risk_id is None:
        await ack(response_action="update", view=notice_modal(FORM_LOST))
        return
    now = datetime.now(UTC)
    located = await context.in_session(
        lambda session: change_and_locate(session, user_id, risk_id, "assign", None, now, origin, owner_id)
    )
    if isinstance(located.outcome, RiskRefused):
        log.info("assigning risk %s by %s refused", risk_id, user_id)
        await ack(response_action="update", view=notice_modal(located.outcome.reason))
        return
    log.info("risk %s assigned by %s", risk_id, user_id)
    await ack()
    await show_change(client, located.outcome.risk, located, origin)
    await context.risk_changed(risk_id, Platform.SLACK, now)
