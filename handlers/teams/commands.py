"""How Teams shows each result type of bot.commands.table: a card in the personal chat. There
are no slash commands in Teams: the first word typed is the command (`status`, `away 4 Jan`,
`ask community: ...`), the same as after `/winter` in Slack, answered by the same use case."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.checkin import CheckinForm, Refusal
from bot.checkin.blockers import BlockersResult
from bot.checkin.questions import Asked, AskRefused, QuestionsView
from bot.commands.table import Help, Unknown
from bot.common.asking import parse
from bot.common.config import Settings
from bot.people.away import AwayResult
from bot.people.programme_setup import SetupOffer
from bot.reports.board import BoardLink, BoardRefused
from bot.reports.decisions import DecisionRecorded, DecisionRefused
from bot.reports.leads_view import CachedStatus, EngagementView, ViewRefused
from bot.risks.requests import RisksResult
from bot.spend.entry import EntryRefused, LeadEntry
from bot.spend.position import SpendPosition
from handlers.teams.cards.ask import ask_card
from handlers.teams.cards.away import away_card
from handlers.teams.cards.base import Card, notice_card
from handlers.teams.cards.blockers import blockers_card
from handlers.teams.cards.board import typed_board_card
from handlers.teams.cards.checkin import checkin_card
from handlers.teams.cards.decide import decide_card
from handlers.teams.cards.help import help_card, unknown_command_card
from handlers.teams.cards.partners import partners_card
from handlers.teams.cards.risks import risks_list_card
from handlers.teams.cards.spend import spend_card
from handlers.teams.cards.status import status_card


def _status(found: CachedStatus | ViewRefused) -> Card:
    return status_card(found.view if isinstance(found, CachedStatus) else found)


def _checkin(form: CheckinForm | Refusal) -> Card:
    return notice_card(form.reason) if isinstance(form, Refusal) else checkin_card(form)


Renderer = Callable[[Any, Settings], Card]

SETUP_IN_TEAMS = (
    "In Teams the programme file is loaded by your winterbot provider for your organisation: send them the "
    "file and your tenant id, and they run `winterbot load FILE --tenant TENANT-ID`. In Slack, `/winter setup` "
    "uploads it yourself."
)


def _plain(render: Callable[[Any], Card]) -> Renderer:
    """A renderer that needs only the result (all but the board's, whose link is signed)."""
    return lambda result, _settings: render(result)


SHOWN: dict[Any, Renderer] = {
    Help: _plain(help_card),
    Unknown: _plain(lambda unknown: unknown_command_card(unknown.word, unknown.help)),
    CachedStatus | ViewRefused: _plain(_status),
    CheckinForm | Refusal: _plain(_checkin),
    AwayResult: _plain(away_card),
    SpendPosition | LeadEntry | EntryRefused: _plain(spend_card),
    RisksResult: _plain(risks_list_card),
    EngagementView | ViewRefused: _plain(partners_card),
    DecisionRecorded | DecisionRefused: _plain(decide_card),
    Asked | AskRefused | QuestionsView: _plain(ask_card),
    BlockersResult: _plain(blockers_card),
    BoardLink | BoardRefused: typed_board_card,
    SetupOffer: _plain(lambda _offer: notice_card(SETUP_IN_TEAMS)),
}


def typed(text: str) -> str:
    """The command as bot.commands.table reads it, also when typed as in Slack (`/winter status`,
    `/status`)."""
    word, rest = parse(text)
    if word.lstrip("/") == "winter":
        word, rest = parse(rest)
    return f"{word.lstrip('/')} {rest}".strip()
