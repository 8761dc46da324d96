"""`/winter decide TEXT`: a lead records what the leads decided.

The confirmation is ephemeral, to the lead only: the weekly digest carries decisions to everyone,
so nothing is posted to the programme channel here.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bot.reports.decisions import record_decision
from handlers.slack.blocks.decide import decide_blocks, decide_text
from models.vocabulary import Platform

if TYPE_CHECKING:
    from handlers.slack.commands.winter import Invocation


async def decide(call: Invocation) -> None:
    """Stored on a worker thread in one unit of work; the answer goes in the ack (ephemeral)."""
    user_id, text, now = call.command["user_id"], call.rest, datetime.now(UTC)
    result = await call.context.in_session(lambda session: record_decision(session, Platform.SLACK, user_id, text, now))
    await call.ack(response_type="ephemeral", text=decide_text(result), blocks=decide_blocks(result))
