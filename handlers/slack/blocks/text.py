"""Small helpers for mrkdwn text."""

from __future__ import annotations

from bot.common.wording import join_words

__all__ = ["escape", "join_words", "verbatim"]


def escape(text: str) -> str:
    """Slack's three control characters, so user text cannot mention @channel or link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def verbatim(text: str, limit: int = 40) -> str:
    """Someone's own words shown back inside `code`: escaped, no backticks, kept short."""
    cleaned = escape(text.replace("`", "'"))
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"
