"""How Slack shows `/winter risks`: the open risks of the asker's programmes, only to them;
buttons for leads and admins, the register read-only for partners and observers. The Block Kit
is built once for each set of registers and what the asker may do with them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.risks.requests import RisksOverview, RisksResult
from handlers.rendered import Rendered
from handlers.slack.blocks.risks import risks_list

if TYPE_CHECKING:
    from handlers.slack.commands.invocation import Invocation


RENDERED: Rendered[tuple[str, list[dict[str, Any]]]] = Rendered()


async def show_risks(call: Invocation, result: RisksResult) -> None:
    if isinstance(result, RisksOverview):
        registers = result.registers
        variant = tuple((r.programme_name, r.role, r.may_act) for r in registers)
        text, blocks = RENDERED.of(tuple(r.risks for r in registers), lambda: risks_list(result), variant=variant)
    else:
        text, blocks = risks_list(result)
    await call.ack(response_type="ephemeral", text=text, blocks=blocks)
