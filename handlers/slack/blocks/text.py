"""Small helpers for mrkdwn text."""

from __future__ import annotations


def escape(text: str) -> str:
    """Slack's three control characters, so user text cannot mention @channel or link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def verbatim(text: str, limit: int = 40) -> str:
    """Someone's own words shown back inside `code`: escaped, no backticks, kept short."""
    cleaned = escape(text.replace("`", "'"))
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


def join_words(words: tuple[str, ...] | list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]
