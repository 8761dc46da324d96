"""`/winter spend [programme]` shows the spend position, only to the asker;
`/winter spend SCHEME-KEY ACTUAL [COMMITTED] [ACTIVITY] [because REASON]` records a lead's figures."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING

from bot.spend_entry import spend_command
from handlers.slack.blocks.spend import spend_blocks, spend_text
from models.vocabulary import Platform

if TYPE_CHECKING:
    from handlers.slack.commands.winter import Invocation


async def spend(call: Invocation) -> None:
    """The database work runs on a worker thread; the answer goes in the ack (ephemeral)."""
    user_id, text, now = call.command["user_id"], call.rest, datetime.now(timezone.utc)
    result = await call.context.in_session(lambda session: spend_command(session, Platform.SLACK, user_id, text, now))
    await call.ack(response_type="ephemeral", text=spend_text(result), blocks=spend_blocks(result))
