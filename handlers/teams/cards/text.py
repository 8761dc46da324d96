"""Words written for Slack, said the Teams way, and the small pieces the command cards share."""

from __future__ import annotations

import json

from microsoft_teams.cards import CardElement, Container

from handlers.teams.cards.base import line, plain
from handlers.teams.cards.report_text import LEVEL_MARK, NEVER, SEVERITY_MARK, STALE, split_text

QUOTED_PIECE = 3_000  # a very long comment goes on in another block


def teams_words(text: str) -> str:
    """bot/ sentences name Slack's `/winter X`; in Teams the command is typed as `X`."""
    return text.replace("/winter ", "")


def said(text: str) -> str:
    """A bot/ sentence, which may carry what someone typed, in Teams' words and escaped."""
    return plain(teams_words(text))


def paragraphs(text: str) -> str:
    """Teams joins single newlines in a TextBlock into one line; a blank line between keeps them."""
    return "\n\n".join(part for part in text.splitlines() if part.strip())


def quoted(text: str) -> Container:
    """Someone's own words, whole and shaded, as Slack's block quote shows them."""
    return Container(style="emphasis", items=[line(paragraphs(plain(text)) or " ")])


def bullets(lines: list[str]) -> str:
    return "\n".join(f"- {text}" for text in lines)


def size(element: CardElement) -> int:
    """Bytes the element adds to a card's JSON, to keep a message under Teams' 28 KB."""
    return len(json.dumps(element.model_dump(by_alias=True, exclude_none=True)).encode()) + 1


class TeamsMarkdown:
    """How Teams sets bot/'s words (bot.common.markup): markdown escaping and bold, quotation
    marks, and emoji for flags, arrows, severities and capacity levels."""

    warning = "⚠️"
    paragraph = "\n\n"
    bullet = "-"
    up = "⬆️"
    down = "⬇️"
    severities = SEVERITY_MARK
    levels = LEVEL_MARK
    never = NEVER
    stale = STALE

    def text(self, words: str) -> str:
        return plain(words)

    def bold(self, words: str) -> str:
        return f"**{plain(words)}**"

    def quoted(self, words: str) -> list[str]:
        return [f"“{piece}”" for piece in split_text(plain(words), QUOTED_PIECE)]


MARKDOWN = TeamsMarkdown()
