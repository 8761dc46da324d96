"""`/winter risks`: the open risks of the asker's programmes, shown only to them; buttons
for leads and admins, the register read-only for partners and observers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from bot.risks.risk_actions import RisksOverview, RisksResult, risks_command, risks_in_memory
from handlers.rendered import Rendered
from handlers.slack.blocks.risks import risks_list
from models.vocabulary import Platform

if TYPE_CHECKING:
    from handlers.slack.commands.winter import Invocation


RENDERED: Rendered[tuple[str, list[dict[str, Any]]]] = Rendered()


async def risks(call: Invocation) -> None:
    """The registers come from the process's cache of views, from memory when the process holds
    who is asking and their programmes' versions (bot.views.directory), else on a worker thread; the
    Block Kit is built once for each set of registers and what the asker may do with them."""
    user_id, now = call.command["user_id"], datetime.now(UTC)
    directory, screens = call.context.held()
    result: RisksResult | None = risks_in_memory(directory, screens, Platform.SLACK, user_id, now)
    if result is None:
        result = await call.context.reading_as(
            Platform.SLACK, user_id, lambda session: risks_command(session, Platform.SLACK, user_id, now, screens)
        )
    if isinstance(result, RisksOverview):
        registers = result.registers
        variant = tuple((r.programme_name, r.role, r.may_act) for r in registers)
        text, blocks = RENDERED.of(tuple(r.risks for r in registers), lambda: risks_list(result), variant=variant)
    else:
        text, blocks = risks_list(result)
    await call.ack(response_type="ephemeral", text=text, blocks=blocks)
