"""How Slack sets bot/'s words (bot.common.markup): mrkdwn escaping and bold, block quotes, and
the emoji codes for flags, arrows, severities and capacity levels."""

from __future__ import annotations

from handlers.slack.blocks.marks import LEVEL_EMOJI, NEVER, SEVERITY_EMOJI, STALE
from handlers.slack.blocks.text import escape, split_text

QUOTED_PIECE = 2700  # a quoted piece and its attribution stay inside one 2,900-character section


class Mrkdwn:
    warning = ":warning:"
    paragraph = "\n"
    bullet = "•"
    up = ":arrow_up:"
    down = ":arrow_down:"
    severities = SEVERITY_EMOJI
    levels = LEVEL_EMOJI
    never = NEVER
    stale = STALE

    def text(self, words: str) -> str:
        return escape(words)

    def bold(self, words: str) -> str:
        return f"*{escape(words)}*"

    def quoted(self, words: str) -> list[str]:
        """Each piece a block quote, line by line."""
        pieces = split_text(escape(words), QUOTED_PIECE)
        return ["\n".join(f">{line}" for line in piece.splitlines() or [""]) for piece in pieces]


MRKDWN = Mrkdwn()
