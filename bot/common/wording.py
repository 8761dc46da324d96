"""Small pieces of English shared by every platform's wording."""

from __future__ import annotations

from collections.abc import Sequence


def join_words(words: Sequence[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def plural(n: int, word: str) -> str:
    """ "1 working day", "3 working days": for nouns that take an s."""
    return f"{n} {word}{'' if n == 1 else 's'}"


def age_words(working_days: int) -> str:
    """A risk's age: "raised today", or "4 working days old"."""
    return "raised today" if working_days <= 0 else f"{plural(working_days, 'working day')} old"


def shortened(text: str, width: int) -> str:
    """The text, or its first width - 1 characters and an ellipsis."""
    return text if len(text) <= width else text[: width - 1] + "…"
