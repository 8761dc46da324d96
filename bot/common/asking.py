"""What someone typed to winterbot, read the same on every platform: the first word names the
command (`/winter away 4 Jan` in Slack, `away 4 Jan` in Teams), and what a person on no programme
is told. The commands themselves are bot.commands."""

from __future__ import annotations

JOIN_TEXT = (
    "You are not on a winterbot programme yet. Ask your programme admin to add you to the "
    "programme file (the `members` section) and load it again; until then you can use `help`."
)


def parse(text: str) -> tuple[str, str]:
    """Split `/winter away 4 Jan` style text into (sub-command, rest); empty means help."""
    words = (text or "").strip().split(maxsplit=1)
    if not words:
        return "help", ""
    return words[0].lower(), words[1] if len(words) > 1 else ""
