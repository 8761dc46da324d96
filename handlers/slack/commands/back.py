"""`/winter back`: resume the daily check-in prompts."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bot.people.away import request_back
from handlers.slack.blocks.away import away_blocks, away_text
from models.vocabulary import Platform

if TYPE_CHECKING:
    from handlers.slack.commands.winter import Invocation


async def back(call: Invocation) -> None:
    user_id, now = call.command["user_id"], datetime.now(UTC)
    result = await call.context.in_session(lambda session: request_back(session, Platform.SLACK, user_id, now))
    await call.ack(response_type="ephemeral", text=away_text(result), blocks=away_blocks(result))
