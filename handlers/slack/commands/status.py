"""`/winter status`: the programme's one screen, shown only to the asker, as their role may see it."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING

from bot.leads_view import status_for
from handlers.slack.blocks.status import status_blocks, status_text
from models.vocabulary import Platform

if TYPE_CHECKING:
    from handlers.slack.commands.winter import Invocation


async def status(call: Invocation) -> None:
    """The database work runs on a worker thread; the answer goes in the ack (ephemeral)."""
    user_id, now = call.command["user_id"], datetime.now(timezone.utc)
    result = await call.context.in_session(lambda session: status_for(session, Platform.SLACK, user_id, now))
    await call.ack(response_type="ephemeral", text=status_text(result), blocks=status_blocks(result))
