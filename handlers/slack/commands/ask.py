"""`/winter ask QUESTION`: a lead puts a question on partners' next check-ins; `/winter ask`
alone shows the leads the questions of the last two weeks and the partners' answers.

Both answers are ephemeral, to the lead only: partners see the question in their check-in.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bot.checkin.questions import ask_or_show
from handlers.slack.blocks.ask import ask_blocks, ask_text
from models.vocabulary import Platform

if TYPE_CHECKING:
    from handlers.slack.commands.winter import Invocation


async def ask(call: Invocation) -> None:
    """Stored or read on a worker thread in one unit of work; the answer goes in the ack."""
    user_id, text, now = call.command["user_id"], call.rest, datetime.now(UTC)
    result = await call.context.in_session(lambda session: ask_or_show(session, Platform.SLACK, user_id, text, now))
    await call.ack(response_type="ephemeral", text=ask_text(result), blocks=ask_blocks(result))
