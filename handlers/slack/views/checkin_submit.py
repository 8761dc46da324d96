"""The check-in modal sent: check the answers, store them, confirm, mark the prompt answered.

Slack waits three seconds for the answer to a view_submission, and the answer carries either
the field errors or the confirmation, so checking and storing happen before the ack, and
nothing else does: marking the prompt answered and refreshing the App Home wait until after
it, on the background runner (bot.app.background); the risk scan runs in the clock.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.checkin import CheckinResult, Refusal, Rejected, submit_checkin
from handlers.slack.blocks.checkin import (
    CALLBACK_ID,
    checkin_modal,
    confirmation_view,
    notice_view,
)
from handlers.slack.context import SlackContext
from handlers.slack.events.app_home import LOOKING, refresh_home
from handlers.slack.views.answered import mark_prompt_answered
from handlers.slack.views.metadata import FormRef, decode_ref
from handlers.slack.views.state import block_ids, view_answers
from models.vocabulary import Platform

log = logging.getLogger(__name__)

FORM_CHANGED = (
    ":information_source: Your organisation's schemes or services changed while the form was open. "
    "Here it is again as it stands now: please check it and send it again."
)


def register(app: AsyncApp, context: SlackContext) -> None:
    async def checkin_submit(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await submitted(context, ack, body, client)

    app.view(CALLBACK_ID)(checkin_submit)


async def submitted(context: SlackContext, ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
    view = body["view"]
    user_id = body["user"]["id"]
    ref = decode_ref(view.get("private_metadata"))
    answers = view_answers(view)
    now = datetime.now(UTC)
    outcome = await context.in_session(
        lambda session: submit_checkin(session, Platform.SLACK, user_id, ref.programme_id, answers, now)
    )
    if isinstance(outcome, Refusal):
        await ack(response_action="update", view=notice_view(outcome.reason))
    elif isinstance(outcome, Rejected):
        log.info("check-in from %s refused on %d field(s)", user_id, len(outcome.errors))
        await ack(**_rejection(outcome, view, ref))
    else:
        log.info("check-in %s stored from %s", outcome.checkin_id, user_id)
        await ack(response_action="update", view=confirmation_view(outcome))
        after_checkin(context, client, user_id, ref, outcome)


def after_checkin(
    context: SlackContext, client: AsyncWebClient, user_id: str, ref: FormRef, outcome: CheckinResult
) -> None:
    """Once the partner has their confirmation: the prompt shows it was answered, and their Home
    the new figures if they have been looking at it lately (handlers.slack.events.app_home).
    Neither can hold up anyone's acknowledgement."""
    if ref.prompt_message is not None:
        context.after_ack(
            f"answered:{user_id}:{ref.prompt_message[1]}", lambda: mark_prompt_answered(client, ref, outcome)
        )
    if LOOKING.lately(user_id):
        context.after_ack(f"home:{user_id}", lambda: refresh_home(client, context, user_id, after_ack=True))


def _rejection(rejected: Rejected, view: dict[str, Any], ref: FormRef) -> dict[str, Any]:
    """Errors on the fields as typed; or, when the form no longer has those fields, the form again."""
    if set(rejected.errors) <= block_ids(view):
        return {"response_action": "errors", "errors": rejected.errors}
    return {"response_action": "update", "view": checkin_modal(rejected.form, ref.encode(), notice=FORM_CHANGED)}
