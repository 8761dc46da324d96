"""`/winter away UNTIL`: pause the daily check-in prompts until the day someone is back."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bot.people.away import request_away
from handlers.slack.blocks.away import away_blocks, away_text
from models.vocabulary import Platform

if TYPE_CHECKING:
    from handlers.slack.commands.winter import Invocation


async def away(call: Invocation) -> None:
    user_id, text, now = call.command["user_id"], call.rest, datetime.now(UTC)
    result = await call.context.in_session(lambda session: request_away(session, Platform.SLACK, user_id, text, now))
    await call.ack(response_type="ephemeral", text=away_text(result), blocks=away_blocks(result))
