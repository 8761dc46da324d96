"""How Slack shows each result type of bot.commands.table: all in the acknowledgement, only to
the asker (ephemeral), except the check-in form, which opens as a modal."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bot.checkin import CheckinForm, Refusal
from bot.checkin.blockers import BlockersResult
from bot.checkin.questions import Asked, AskRefused, QuestionsView
from bot.commands.table import Help, Unknown
from bot.people.away import AwayResult
from bot.people.programme_setup import SetupOffer
from bot.reports.board import BoardLink, BoardRefused, BoardResult, board_address
from bot.reports.decisions import DecisionRecorded, DecisionRefused
from bot.reports.leads_view import CachedStatus, EngagementView, ViewRefused
from bot.risks.requests import RisksResult
from bot.spend.entry import EntryRefused, LeadEntry
from bot.spend.position import SpendPosition
from handlers.slack.blocks.ask import ask_blocks, ask_text
from handlers.slack.blocks.away import away_blocks, away_text
from handlers.slack.blocks.blockers import blockers_blocks, blockers_text
from handlers.slack.blocks.board import board_blocks, board_text
from handlers.slack.blocks.decide import decide_blocks, decide_text
from handlers.slack.blocks.help import help_blocks, help_text, unknown_command_blocks
from handlers.slack.blocks.partners import partners_blocks, partners_text
from handlers.slack.blocks.setup import setup_modal
from handlers.slack.commands.checkin import show_checkin
from handlers.slack.commands.invocation import Invocation
from handlers.slack.commands.risks import show_risks
from handlers.slack.commands.spend import show_spend
from handlers.slack.commands.status import show_status

Show = Callable[[Invocation, Any], Awaitable[None]]


def _said(text: Callable[[Any], str], blocks: Callable[[Any], list[dict[str, Any]]]) -> Show:
    async def show(call: Invocation, result: Any) -> None:
        await call.ack(response_type="ephemeral", text=text(result), blocks=blocks(result))

    return show


async def _unknown(call: Invocation, result: Unknown) -> None:
    await call.ack(
        response_type="ephemeral",
        text=f"I don't know that command. {help_text(result.help)}",
        blocks=unknown_command_blocks(result.word, result.help),
    )


async def _board(call: Invocation, result: BoardResult) -> None:
    """The board's link is signed here, with the service's address and key (bot/ holds neither)."""
    url = board_address(call.context.settings, result) if isinstance(result, BoardLink) else None
    await call.ack(response_type="ephemeral", text=board_text(result, url), blocks=board_blocks(result, url))


async def _setup(call: Invocation, offer: SetupOffer) -> None:
    """The upload form, opened as a modal (who may load is checked when the file arrives)."""
    await call.ack()
    await call.client.views_open(trigger_id=call.command["trigger_id"], view=setup_modal(offer))


SHOWN: dict[Any, Show] = {
    Help: _said(help_text, help_blocks),
    Unknown: _unknown,
    CachedStatus | ViewRefused: show_status,
    CheckinForm | Refusal: show_checkin,
    AwayResult: _said(away_text, away_blocks),
    SpendPosition | LeadEntry | EntryRefused: show_spend,
    RisksResult: show_risks,
    EngagementView | ViewRefused: _said(partners_text, partners_blocks),
    DecisionRecorded | DecisionRefused: _said(decide_text, decide_blocks),
    Asked | AskRefused | QuestionsView: _said(ask_text, ask_blocks),
    BlockersResult: _said(blockers_text, blockers_blocks),
    BoardLink | BoardRefused: _board,
    SetupOffer: _setup,
}
