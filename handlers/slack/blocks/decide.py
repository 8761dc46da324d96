"""`/winter decide TEXT`: the decision as stored, confirmed to the lead who recorded it, or why
not. Pure functions; within Slack's limits (a decision is at most 2,000 characters)."""

from __future__ import annotations

from typing import Any

from bot.common.wording import shortened
from bot.reports.decisions import DecisionRecorded, DecisionRefused
from handlers.slack.blocks.status import SECTION_TEXT, context, section
from handlers.slack.blocks.text import escape

Json = dict[str, Any]
DecideResult = DecisionRecorded | DecisionRefused


def decide_blocks(result: DecideResult) -> list[Json]:
    if isinstance(result, DecisionRefused):
        return [section(escape(result.message))]
    quoted = "\n".join(f"> {line}" if line else ">" for line in escape(result.text).splitlines())
    by = escape(result.by) + (f" ({escape(result.organisation)})" if result.organisation else "")
    return [
        section(f":white_check_mark: {escape(result.message)}"),
        section(shortened(quoted, SECTION_TEXT)),
        context(f"Recorded by {by} on {result.local_date:%a %d %b %Y}. Shown only to you."),
    ]


def decide_text(result: DecideResult) -> str:
    return result.message
