"""`/winter risks`: the open risks of the asker's programmes, shown only to them; buttons
for leads and admins, the register read-only for partners and observers."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING

from bot.risk_actions import risks_command
from handlers.slack.blocks.risks import risks_list
from models.vocabulary import Platform

if TYPE_CHECKING:
    from handlers.slack.commands.winter import Invocation


async def risks(call: Invocation) -> None:
    user_id, now = call.command["user_id"], datetime.now(timezone.utc)
    result = await call.context.in_session(lambda session: risks_command(session, Platform.SLACK, user_id, now))
    text, blocks = risks_list(result)
    await call.ack(response_type="ephemeral", text=text, blocks=blocks)
