"""Small helpers for mrkdwn text."""

from __future__ import annotations

from bot.common.wording import join_words

__all__ = ["CONTINUED", "escape", "join_words", "split_text", "verbatim"]

CONTINUED = "(continued)"


def escape(text: str) -> str:
    """Slack's three control characters, so user text cannot mention @channel or link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def verbatim(text: str, limit: int = 40) -> str:
    """Someone's own words shown back inside `code`: escaped, no backticks, kept short."""
    cleaned = escape(text.replace("`", "'"))
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


def split_text(text: str, width: int) -> list[str]:
    """Text in pieces of at most `width` characters, split at a line break or space where there
    is one, never inside an &entity;, each piece but the last ending and each but the first
    starting with "(continued)"."""
    room = width - len(CONTINUED) * 2 - 4
    if len(text) <= width:
        return [text]
    pieces: list[str] = []
    rest = text
    while len(rest) > room:
        cut = max(rest.rfind("\n", 0, room), rest.rfind(" ", 0, room))
        if cut < room // 2:
            cut = room
            amp = rest.rfind("&", max(0, cut - 5), cut)
            if amp != -1 and ";" not in rest[amp:cut]:
                cut = amp
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    pieces.append(rest)
    return [
        (f"{CONTINUED} " if i else "") + piece + (f" {CONTINUED}" if i < len(pieces) - 1 else "")
        for i, piece in enumerate(pieces)
    ]
