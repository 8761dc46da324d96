"""What someone types to winterbot in Teams, where there are no slash commands: the first
word is the command (`status`, `away 4 Jan`, `ask community: ...`), the same as after
`/winter` in Slack, run by the same bot/ functions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from bot.checkin import Refusal, open_checkin
from bot.checkin.questions import ask_or_show
from bot.common.commands import parse
from bot.people.away import request_away, request_back
from bot.people.membership import asker_help
from bot.reports.decisions import record_decision
from bot.reports.leads_view import CachedStatus, cached_status_for, engagement_for
from bot.risks.risk_actions import risks_command
from bot.spend.spend_entry import spend_command
from bot.views.status_cache import screens_for
from handlers.teams.cards.ask import ask_card
from handlers.teams.cards.away import away_card
from handlers.teams.cards.base import Card
from handlers.teams.cards.checkin import checkin_card, notice_card
from handlers.teams.cards.decide import decide_card
from handlers.teams.cards.help import help_card, unknown_command_card
from handlers.teams.cards.partners import partners_card
from handlers.teams.cards.risks import risks_list_card
from handlers.teams.cards.spend import spend_card
from handlers.teams.cards.status import status_card
from handlers.teams.turn import TEAMS


@dataclass(frozen=True)
class Asked:
    user_id: str
    rest: str
    now: datetime


Command = Callable[[Session, Asked], Card]


def _status(session: Session, asked: Asked) -> Card:
    found = cached_status_for(session, TEAMS, asked.user_id, asked.now, screens_for(session))
    return status_card(found.view if isinstance(found, CachedStatus) else found)


def _checkin(session: Session, asked: Asked) -> Card:
    form = open_checkin(session, TEAMS, asked.user_id, asked.now, slug=asked.rest.strip() or None)
    return notice_card(form.reason) if isinstance(form, Refusal) else checkin_card(form)


COMMANDS: dict[str, Command] = {
    "help": lambda s, a: help_card(asker_help(s, TEAMS, a.user_id)),
    "status": _status,
    "spend": lambda s, a: spend_card(spend_command(s, TEAMS, a.user_id, a.rest, a.now, screens_for(s))),
    "risks": lambda s, a: risks_list_card(risks_command(s, TEAMS, a.user_id, a.now, screens_for(s))),
    "partners": lambda s, a: partners_card(engagement_for(s, TEAMS, a.user_id, a.now, views=screens_for(s))),
    "checkin": _checkin,
    "decide": lambda s, a: decide_card(record_decision(s, TEAMS, a.user_id, a.rest, a.now)),
    "ask": lambda s, a: ask_card(ask_or_show(s, TEAMS, a.user_id, a.rest, a.now)),
    "away": lambda s, a: away_card(request_away(s, TEAMS, a.user_id, a.rest, a.now)),
    "back": lambda s, a: away_card(request_back(s, TEAMS, a.user_id, a.now)),
}


def answer(session: Session, user_id: str, text: str, now: datetime) -> Card:
    """The card that answers one typed command, checked against the asker's role by bot/."""
    name, rest = parse(text)
    if name.lstrip("/") == "winter":  # typed as in Slack
        name, rest = parse(rest)
    command = COMMANDS.get(name.lstrip("/"))
    if command is None:
        return unknown_command_card(name, asker_help(session, TEAMS, user_id))
    return command(session, Asked(user_id=user_id, rest=rest, now=now))
