"""`/winter away` and `/winter back`: what was done, or why not and what to write."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import ContextBlock, MarkdownTextObject, SectionBlock

from bot.people.away import AwayResult, Outcome
from handlers.slack.blocks.text import escape, verbatim

BACK_SOONER = "Back sooner? `/winter back`"
AWAY_HINT = "Going away? `/winter away` and the day you are back, e.g. `/winter away 4 Jan`"


def away_blocks(result: AwayResult) -> list[dict[str, Any]]:
    blocks: list[Any] = [SectionBlock(text=MarkdownTextObject(text=escape(result.text)))]
    hint = _hint(result)
    if hint:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=hint)]))
    return [block.to_dict() for block in blocks]


def away_text(result: AwayResult) -> str:
    """The plain-text fallback for notifications and screen readers."""
    if result.outcome is Outcome.BAD_DATE:
        return f"{result.text} For example: " + ", ".join(f"/winter away {e}" for e in result.examples)
    return result.text


def _hint(result: AwayResult) -> str | None:
    if result.outcome is Outcome.BAD_DATE:
        return "For example: " + " · ".join(f"`/winter away {verbatim(e)}`" for e in result.examples)
    if result.outcome is Outcome.AWAY:
        return BACK_SOONER
    if result.outcome is Outcome.NOT_AWAY:
        return AWAY_HINT
    return None
