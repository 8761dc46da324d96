"""`/winter spend [programme]` shows the spend position, only to the asker;
`/winter spend SCHEME-KEY ACTUAL [COMMITTED] [ACTIVITY] [because REASON]` records a lead's figures."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from bot.spend.spend import SpendPosition
from bot.spend.spend_entry import EntryRefused, LeadEntry, only_reads, spend_command, spend_in_memory
from bot.views.status_cache import ScreenCache
from handlers.rendered import Rendered
from handlers.slack.blocks.spend import spend_blocks, spend_text
from models.vocabulary import Platform

if TYPE_CHECKING:
    from sqlmodel import Session

    from handlers.slack.commands.winter import Invocation


RENDERED: Rendered[tuple[str, list[dict[str, Any]]]] = Rendered()


async def spend(call: Invocation) -> None:
    """From memory when the process holds it all (bot.views.directory), else on a worker thread; the
    answer goes in the ack (ephemeral). The position comes from the process's cache of views,
    and its Block Kit is built once for it."""
    user_id, text, now = call.command["user_id"], call.rest, datetime.now(UTC)
    directory, screens = call.context.held()
    result: SpendPosition | LeadEntry | EntryRefused | None = spend_in_memory(
        directory, screens, Platform.SLACK, user_id, text, now
    )
    if result is None:
        result = await _from_database(call, user_id, text, now, screens)
    if isinstance(result, SpendPosition):
        said, blocks = RENDERED.of((result,), lambda: (spend_text(result), spend_blocks(result)))
    else:
        said, blocks = spend_text(result), spend_blocks(result)
    await call.ack(response_type="ephemeral", text=said, blocks=blocks)


async def _from_database(
    call: Invocation, user_id: str, text: str, now: datetime, screens: ScreenCache
) -> SpendPosition | LeadEntry | EntryRefused:
    def answer(session: Session) -> SpendPosition | LeadEntry | EntryRefused:
        return spend_command(session, Platform.SLACK, user_id, text, now, screens)

    if only_reads(text):
        return await call.context.reading_as(Platform.SLACK, user_id, answer)
    return await call.context.in_session(answer)
