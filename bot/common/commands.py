"""The sub-commands of /winter (and of Teams' message commands): who may use which.

Platform-neutral: a handler renders `help_for` in its own markup.
"""

from __future__ import annotations

from dataclasses import dataclass

from models.vocabulary import Role

EVERYONE = frozenset(Role)
LEADS = frozenset({Role.ADMIN, Role.LEAD})
ANSWERERS = frozenset({Role.ADMIN, Role.LEAD, Role.PARTNER})


@dataclass(frozen=True)
class Command:
    """`records`: whether it may write: "never", "with words" (after its name) or "always". A
    request that may write is kept against replays (bot.common.replays)."""

    name: str
    usage: str
    summary: str
    roles: frozenset[Role]
    records: str = "never"


COMMANDS: tuple[Command, ...] = (
    Command("help", "help", "What you can do here", EVERYONE),
    Command(
        "status",
        "status",
        "The programme on one screen: money, capacity levels, open risks, who has gone quiet, "
        "today's check-ins; shown only to you",
        EVERYONE,
    ),
    Command("checkin", "checkin", "Open today's check-in, to answer or amend it", frozenset({Role.PARTNER})),
    Command(
        "away",
        "away UNTIL",
        "Pause your prompts until the day you are back (4/1, 4 Jan, next monday)",
        ANSWERERS,
        "always",
    ),
    Command("back", "back", "Resume your check-in prompts", ANSWERERS, "always"),
    Command(
        "spend",
        "spend",
        "Spend against the deadline: totals, forecast, flags and schemes, shown only to you "
        "(leads: `spend SCHEME-KEY ACTUAL [COMMITTED] [ACTIVITY] [because REASON]` records figures)",
        EVERYONE,
        "with words",
    ),
    Command(
        "risks",
        "risks",
        "The open capacity risks, most severe first, shown only to you; the leads act on them "
        "(acknowledge, assign an owner, mitigate, close with a note)",
        EVERYONE,
    ),
    Command(
        "partners",
        "partners",
        "Check-in response rates by sector and organisation, last week and since the start",
        LEADS,
    ),
    Command(
        "decide",
        "decide TEXT",
        "Record what the leads decided; every partner sees it in the weekly digest",
        LEADS,
        "always",
    ),
    Command(
        "ask",
        "ask QUESTION",
        "Put a question on every partner's next check-in (`ask community: QUESTION` or `ask statutory: QUESTION` "
        "for one sector); `ask` alone shows the answers of the last 14 days",
        LEADS,
        "with words",
    ),
)

BY_NAME = {command.name: command for command in COMMANDS}


@dataclass(frozen=True)
class Help:
    """What one asker may do; `member_of` is empty for someone not on any programme."""

    commands: tuple[Command, ...]
    role: Role | None
    member_of: tuple[str, ...]
    how_to_join: str | None


JOIN_TEXT = (
    "You are not on a winterbot programme yet. Ask your programme admin to add you to the "
    "programme file (the `members` section) and load it again; until then you can use `help`."
)


def help_for(role: Role | None, programme_names: tuple[str, ...] = ()) -> Help:
    if role is None:
        return Help(commands=(BY_NAME["help"],), role=None, member_of=(), how_to_join=JOIN_TEXT)
    allowed = tuple(command for command in COMMANDS if role in command.roles)
    return Help(commands=allowed, role=role, member_of=programme_names, how_to_join=None)


def parse(text: str) -> tuple[str, str]:
    """Split `/winter away 4 Jan` style text into (sub-command, rest); empty means help."""
    words = (text or "").strip().split(maxsplit=1)
    if not words:
        return "help", ""
    return words[0].lower(), words[1] if len(words) > 1 else ""
