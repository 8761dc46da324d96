"""`/winter spend [programme]` shows the spend position, only to the asker;
`/winter spend SCHEME-KEY ACTUAL [COMMITTED] [ACTIVITY] [because REASON]` records a lead's figures."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from bot.spend import SpendPosition
from bot.spend_entry import only_reads, spend_command
from bot.status_cache import screens_for
from handlers.rendered import Rendered
from handlers.slack.blocks.spend import spend_blocks, spend_text
from models.vocabulary import Platform

if TYPE_CHECKING:
    from handlers.slack.commands.winter import Invocation


RENDERED: Rendered[tuple[str, list[dict[str, Any]]]] = Rendered()


async def spend(call: Invocation) -> None:
    """The database work runs on a worker thread; the answer goes in the ack (ephemeral). The
    position comes from the process's cache of views, and its Block Kit is built once for it."""
    user_id, text, now = call.command["user_id"], call.rest, datetime.now(timezone.utc)
    run = call.context.reading if only_reads(text) else call.context.in_session
    result = await run(lambda session: spend_command(session, Platform.SLACK, user_id, text, now, screens_for(session)))
    if isinstance(result, SpendPosition):
        said, blocks = RENDERED.of((result,), lambda: (spend_text(result), spend_blocks(result)))
    else:
        said, blocks = spend_text(result), spend_blocks(result)
    await call.ack(response_type="ephemeral", text=said, blocks=blocks)
