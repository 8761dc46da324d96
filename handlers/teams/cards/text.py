"""Words written for Slack, said the Teams way."""

from __future__ import annotations

import re

_SLACK_LINK = re.compile(r"<(https?://[^|>]+)\|([^>]+)>")
_SLACK_BOLD = re.compile(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])")


def teams_words(text: str) -> str:
    """bot/ sentences name Slack's `/winter X`; in Teams the command is typed as `X`. Slack's
    *bold* and <url|text> become Teams markdown."""
    text = text.replace("/winter ", "").replace("`/winter`", "`help`")
    text = _SLACK_LINK.sub(r"[\2](\1)", text)
    return _SLACK_BOLD.sub(r"**\1**", text)
