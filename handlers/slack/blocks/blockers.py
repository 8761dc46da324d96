"""`/winter blockers`: the open blockers with their threads, what a lead just did to one, or why
not. Pure functions, within Slack's limits (at most 50 blocks: the oldest 40 blockers are shown)."""

from __future__ import annotations

from typing import Any

from bot.checkin.blockers import BlockerActed, BlockerRefused, BlockersList, BlockersResult
from bot.checkin.blockers_words import acted_sentence, heading, listing_footer, listing_intro, thread
from bot.common.wording import shortened
from handlers.slack.blocks.status import SECTION_TEXT, context, section
from handlers.slack.blocks.text import escape

Json = dict[str, Any]
MOST = 40


def blockers_blocks(result: BlockersResult) -> list[Json]:
    if isinstance(result, BlockerRefused):
        return [section(escape(result.message))]
    if isinstance(result, BlockerActed):
        return [section(f":white_check_mark: {escape(acted_sentence(result))}"), _blocker(result.blocker)]
    return _listing(result)


def _listing(result: BlockersList) -> list[Json]:
    blocks = [section(escape(listing_intro(result)))]
    blocks += [_blocker(view) for view in result.blockers[:MOST]]
    left = len(result.blockers) - MOST
    footer = listing_footer(result) + (f" {left} more not shown." if left > 0 else "")
    return [*blocks, context(escape(footer) + " Shown only to you.")]


def _blocker(view: Any) -> Json:
    lines = [f"*{escape(heading(view))}*", f"> {escape(view.text)}"]
    lines += [f"• {escape(line)}" for line in thread(view)]
    return section(shortened("\n".join(lines), SECTION_TEXT))


def blockers_text(result: BlockersResult) -> str:
    if isinstance(result, BlockerRefused):
        return result.message
    if isinstance(result, BlockerActed):
        return acted_sentence(result)
    return listing_intro(result)
