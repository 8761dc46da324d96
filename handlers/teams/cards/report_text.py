"""Small wording helpers shared by the risk and report cards: the coloured marks Slack shows as
emoji codes, and long text split into pieces instead of being cut."""

from __future__ import annotations

from models.vocabulary import Severity

CONTINUED = "(continued)"
LEVEL_MARK = {1: "🟢", 2: "🟡", 3: "🟠", 4: "🔴"}
NEVER = "⚪"
STALE = "⏳"
SEVERITY_MARK = {Severity.CRITICAL: "🔴", Severity.HIGH: "🟠", Severity.MEDIUM: "🟡", Severity.LOW: "⚪"}


def split_text(text: str, width: int) -> list[str]:
    """Text in pieces of at most `width` characters, split at a line break or space where there
    is one and never between a backslash and the character it escapes; each piece but the last
    ends, and each but the first starts, with "(continued)"."""
    if len(text) <= width:
        return [text]
    room = width - 2 * (len(CONTINUED) + 1)
    pieces: list[str] = []
    rest = text
    while len(rest) > room:
        cut = _cut(rest, room)
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    pieces.append(rest)
    last = len(pieces) - 1
    return [
        (f"{CONTINUED} " if i else "") + piece + (f" {CONTINUED}" if i < last else "") for i, piece in enumerate(pieces)
    ]


def _cut(text: str, room: int) -> int:
    cut = max(text.rfind("\n", 0, room), text.rfind(" ", 0, room))
    if cut >= room // 2:
        return cut
    cut = room
    while _escapes_next(text, cut):
        cut -= 1
    return cut


def _escapes_next(text: str, cut: int) -> bool:
    """Whether text[cut - 1] is a backslash escaping text[cut] (an odd run of backslashes)."""
    run = len(text[:cut]) - len(text[:cut].rstrip("\\"))
    return run % 2 == 1
