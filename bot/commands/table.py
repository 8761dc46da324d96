"""The one command table: every word typed to winterbot (after `/winter` in Slack, alone in
Teams), who may use it, the use case it runs and the type of what that returns.

A platform keeps only how to show each result type (handlers/slack/commands/shown.py,
handlers/teams/commands.py), so a new command is one row here and one renderer per platform;
a new platform is one renderer per result type. Who may do what is checked again by each use
case, against the database or what the process holds, never by the table alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlmodel import Session

from bot.checkin import CheckinForm, Refusal, open_checkin
from bot.checkin.blockers import BlockersResult, blockers_command
from bot.checkin.questions import Asked, AskRefused, QuestionsView, ask_or_show
from bot.common.asking import JOIN_TEXT, parse
from bot.people.away import AwayResult, request_away, request_back
from bot.people.membership import memberships, senior_role
from bot.people.programme_setup import SetupOffer, setup_offer
from bot.reports.board import BoardLink, BoardRefused, board_link
from bot.reports.decisions import DecisionRecorded, DecisionRefused, record_decision
from bot.reports.leads_view import (
    CachedStatus,
    EngagementView,
    ViewRefused,
    cached_status_for,
    engagement_for,
    status_in_memory,
)
from bot.risks.requests import RisksResult, risks_command, risks_in_memory
from bot.spend.entry import EntryRefused, LeadEntry, spend_command, spend_in_memory
from bot.spend.position import SpendPosition
from bot.views.directory import Directory
from bot.views.status_cache import ScreenCache
from models.vocabulary import Role

EVERYONE = frozenset(Role)
LEADS = frozenset({Role.ADMIN, Role.LEAD})
ANSWERERS = frozenset({Role.ADMIN, Role.LEAD, Role.PARTNER})


@dataclass(frozen=True)
class Call:
    """One command as typed: who (their platform and their id there), the words after the
    command's name, and when."""

    platform: str
    user_id: str
    rest: str
    now: datetime


class Records(StrEnum):
    """Whether a command may write: a request that may is kept against replays
    (bot.common.replays) and runs in a unit of work; one that only reads runs without one."""

    NEVER = "never"
    WITH_WORDS = "with words"  # only when words follow its name
    ALWAYS = "always"


UseCase = Callable[[Session, Call, ScreenCache], Any]
FromMemory = Callable[[Directory, ScreenCache, Call], Any]


@dataclass(frozen=True)
class Command:
    """`result`: the type (a union) of what `run` returns, which each platform renders.
    `from_memory`: the same answer from what the process holds, or None when it is not held."""

    name: str
    usage: str
    summary: str
    roles: frozenset[Role]
    run: UseCase
    result: Any
    records: Records = Records.NEVER
    from_memory: FromMemory | None = None

    def writes(self, rest: str) -> bool:
        return self.records is Records.ALWAYS or (self.records is Records.WITH_WORDS and bool(rest.strip()))


@dataclass(frozen=True)
class Help:
    """What one asker may do; `member_of` is empty for someone not on any programme."""

    commands: tuple[Command, ...]
    role: Role | None
    member_of: tuple[str, ...]
    how_to_join: str | None


@dataclass(frozen=True)
class Unknown:
    """A word that is no command, with what the asker may do instead."""

    word: str
    help: Help


def help_for(role: Role | None, programme_names: tuple[str, ...] = ()) -> Help:
    if role is None:
        return Help(commands=(BY_NAME["help"],), role=None, member_of=(), how_to_join=JOIN_TEXT)
    allowed = tuple(command for command in COMMANDS if role in command.roles)
    return Help(commands=allowed, role=role, member_of=programme_names, how_to_join=None)


def asker_help(session: Session, platform: str, user_id: str) -> Help:
    """What this chat user may do, from every programme they are on."""
    rows = memberships(session, platform, user_id)
    names = tuple(programme.name for _, programme in rows)
    return help_for(senior_role([member for member, _ in rows]), names)


def _checkin(session: Session, call: Call, _: ScreenCache) -> CheckinForm | Refusal:
    return open_checkin(session, call.platform, call.user_id, call.now, slug=call.rest.strip() or None)


COMMANDS: tuple[Command, ...] = (
    Command(
        "help",
        "help",
        "What you can do here",
        EVERYONE,
        run=lambda session, call, _: asker_help(session, call.platform, call.user_id),
        result=Help,
    ),
    Command(
        "status",
        "status",
        "The programme on one screen: money, capacity levels, open risks, who has gone quiet, "
        "today's check-ins; shown only to you",
        EVERYONE,
        run=lambda session, call, screens: cached_status_for(session, call.platform, call.user_id, call.now, screens),
        result=CachedStatus | ViewRefused,
        from_memory=lambda held, screens, call: status_in_memory(held, screens, call.platform, call.user_id, call.now),
    ),
    Command(
        "checkin",
        "checkin",
        "Open today's check-in, to answer or amend it",
        frozenset({Role.PARTNER}),
        run=_checkin,
        result=CheckinForm | Refusal,
    ),
    Command(
        "away",
        "away UNTIL",
        "Pause your prompts until the day you are back (4/1, 4 Jan, next monday)",
        ANSWERERS,
        run=lambda session, call, _: request_away(session, call.platform, call.user_id, call.rest, call.now),
        result=AwayResult,
        records=Records.ALWAYS,
    ),
    Command(
        "back",
        "back",
        "Resume your check-in prompts",
        ANSWERERS,
        run=lambda session, call, _: request_back(session, call.platform, call.user_id, call.now),
        result=AwayResult,
        records=Records.ALWAYS,
    ),
    Command(
        "spend",
        "spend",
        "Spend against the deadline: totals, forecast, flags and schemes, shown only to you "
        "(leads: `spend SCHEME-KEY ACTUAL [COMMITTED] [ACTIVITY] [because REASON]` records figures)",
        EVERYONE,
        run=lambda session, call, screens: spend_command(
            session, call.platform, call.user_id, call.rest, call.now, screens
        ),
        result=SpendPosition | LeadEntry | EntryRefused,
        records=Records.WITH_WORDS,
        from_memory=lambda held, screens, call: spend_in_memory(
            held, screens, call.platform, call.user_id, call.rest, call.now
        ),
    ),
    Command(
        "risks",
        "risks",
        "The open capacity risks, most severe first, shown only to you; the leads act on them "
        "(acknowledge, assign an owner, mitigate, close with a note)",
        EVERYONE,
        run=lambda session, call, screens: risks_command(session, call.platform, call.user_id, call.now, screens),
        result=RisksResult,
        from_memory=lambda held, screens, call: risks_in_memory(held, screens, call.platform, call.user_id, call.now),
    ),
    Command(
        "partners",
        "partners",
        "Check-in response rates by sector and organisation, last week and since the start",
        LEADS,
        run=lambda session, call, screens: engagement_for(
            session, call.platform, call.user_id, call.now, views=screens
        ),
        result=EngagementView | ViewRefused,
    ),
    Command(
        "board",
        "board [SLUG]",
        "A link to the huddle board for the shared screen at the morning huddle: money, capacity, risks, "
        "blockers, partner voice and decisions, kept up to date; it works for 12 hours",
        LEADS,
        run=lambda session, call, _: board_link(
            session, call.platform, call.user_id, call.now, call.rest.strip() or None
        ),
        result=BoardLink | BoardRefused,
    ),
    Command(
        "decide",
        "decide TEXT",
        "Record what the leads decided; every partner sees it in the weekly digest",
        LEADS,
        run=lambda session, call, _: record_decision(session, call.platform, call.user_id, call.rest, call.now),
        result=DecisionRecorded | DecisionRefused,
        records=Records.ALWAYS,
    ),
    Command(
        "blockers",
        "blockers [reply|take|resolve|wontfix|reopen ID NOTE]",
        "The blockers partners raised and their answers, shown only to you; leads reply, take one on, "
        "resolve it or say why not (`blockers reply 12 TEXT`); partners resolve their own",
        ANSWERERS,
        run=lambda session, call, _: blockers_command(session, call.platform, call.user_id, call.rest, call.now),
        result=BlockersResult,
        records=Records.WITH_WORDS,
    ),
    Command(
        "ask",
        "ask QUESTION",
        "Put a question on every partner's next check-in (`ask community: QUESTION` or `ask statutory: QUESTION` "
        "for one sector); `ask` alone shows the answers of the last 14 days",
        LEADS,
        run=lambda session, call, _: ask_or_show(session, call.platform, call.user_id, call.rest, call.now),
        result=Asked | AskRefused | QuestionsView,
        records=Records.WITH_WORDS,
    ),
    Command(
        "setup",
        "setup",
        "Load or replace your area's programme file from here (workspace admins, and the programme's admins)",
        frozenset({Role.ADMIN}),
        run=lambda session, call, _: setup_offer(session, call.platform, call.user_id),
        result=SetupOffer,
    ),
)

BY_NAME = {command.name: command for command in COMMANDS}


def command_for(text: str) -> tuple[Command | None, str, str]:
    """The command a typed text names (None for an unknown word), its word and the rest."""
    word, rest = parse(text)
    return BY_NAME.get(word), word, rest


def command_writes(text: str) -> bool:
    """Whether `/winter TEXT` (or the same typed in Teams) may record something. Unknown words
    count as writing: a replay of them is refused, never acted on twice."""
    command, _, rest = command_for(text)
    return True if command is None else command.writes(rest)
