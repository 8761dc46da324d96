"""How Slack shows `/winter spend`: the spend position, only to the asker, or a lead's entry
recorded (or refused). A position's Block Kit is built once for it while the cache of views
holds it (handlers/rendered.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.spend.entry import EntryRefused, LeadEntry
from bot.spend.position import SpendPosition
from handlers.rendered import Rendered
from handlers.slack.blocks.spend import spend_blocks, spend_text

if TYPE_CHECKING:
    from handlers.slack.commands.invocation import Invocation


RENDERED: Rendered[tuple[str, list[dict[str, Any]]]] = Rendered()


async def show_spend(call: Invocation, result: SpendPosition | LeadEntry | EntryRefused) -> None:
    if isinstance(result, SpendPosition):
        said, blocks = RENDERED.of((result,), lambda: (spend_text(result), spend_blocks(result)))
    else:
        said, blocks = spend_text(result), spend_blocks(result)
    await call.ack(response_type="ephemeral", text=said, blocks=blocks)
