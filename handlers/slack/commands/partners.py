"""`/winter partners`: check-in response rates by sector and organisation, for leads and admins."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bot.reports.leads_view import engagement_for
from bot.views.status_cache import screens_for
from handlers.slack.blocks.partners import partners_blocks, partners_text
from models.vocabulary import Platform

if TYPE_CHECKING:
    from handlers.slack.commands.winter import Invocation


async def partners(call: Invocation) -> None:
    """The database work runs on a worker thread; the answer goes in the ack (ephemeral)."""
    user_id, now = call.command["user_id"], datetime.now(UTC)
    result = await call.context.reading(
        lambda session: engagement_for(session, Platform.SLACK, user_id, now, views=screens_for(session))
    )
    await call.ack(response_type="ephemeral", text=partners_text(result), blocks=partners_blocks(result))
