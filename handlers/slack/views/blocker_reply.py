"""The blocker answer form sent (from the brief's Reply button): the answer is stored before the
ack, as the one who sent it, so a refusal (not a lead, no note where one is needed, a blocker
gone) shows on the form's words field, to them only; otherwise the form closes. The partner who
raised it is told by the clock's watch (bot.sending.jobs.blocker_replies)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.checkin.blockers import BlockerRefused, answer_as
from handlers.slack.blocks.blocker_reply import CALLBACK, CHOICE_BLOCK, NOTE_BLOCK, blocker_id_of
from handlers.slack.context import SlackContext
from handlers.slack.views.state import view_answers
from models.vocabulary import Platform

log = logging.getLogger(__name__)

FORM_LOST = "This form no longer points at a blocker. `/winter blockers` lists them as they stand."


def register(app: AsyncApp, context: SlackContext) -> None:
    async def blocker_reply(ack: AsyncAck, body: dict[str, Any]) -> None:
        await submitted(context, ack, body)

    app.view(CALLBACK)(blocker_reply)


async def submitted(context: SlackContext, ack: AsyncAck, body: dict[str, Any]) -> None:
    user_id = body["user"]["id"]
    blocker_id = blocker_id_of(body["view"].get("private_metadata"))
    if blocker_id is None:
        await ack(response_action="errors", errors={NOTE_BLOCK: FORM_LOST})
        return
    answers = view_answers(body["view"])
    action = answers.get(CHOICE_BLOCK) or "reply"
    note = answers.get(NOTE_BLOCK)
    now = datetime.now(UTC)
    outcome = await context.in_session(
        lambda session: answer_as(session, Platform.SLACK, user_id, blocker_id, action, note, now)
    )
    if isinstance(outcome, BlockerRefused):
        log.info("blocker %s: %s by %s refused", blocker_id, action, user_id)
        await ack(response_action="errors", errors={NOTE_BLOCK: outcome.message})
        return
    log.info("blocker %s: %s by %s", blocker_id, action, user_id)
    await ack()
