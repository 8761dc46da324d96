"""The leads' daily brief in Block Kit, and the paging every long report shares. Pure functions.

A report is built as one flat list of blocks and then split into messages of at most
PART_BLOCKS blocks and PART_CHARS characters, each within Slack's limits. Nothing is cut
silently: a list longer than a section goes on in another section under "(continued)", a line
longer than a section is split at a space with "(continued)" on both sides, and each message
of several says which part it is and that the next one continues it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.common.wording import shortened
from bot.reports.brief import Brief
from bot.reports.brief_words import slash_command
from bot.reports.sections import Part, Section, brief_parts, brief_subtitle
from handlers.slack.blocks.blocker_reply import reply_button
from handlers.slack.blocks.board import board_section
from handlers.slack.blocks.limits import MESSAGE_BLOCKS
from handlers.slack.blocks.markup import MRKDWN
from handlers.slack.blocks.status import context, header
from handlers.slack.blocks.text import CONTINUED, escape, split_text

Json = dict[str, Any]

SECTION_TEXT = 2900  # under Slack's 3,000
PART_BLOCKS = MESSAGE_BLOCKS - 2  # room for the "continued" notes at either end
PART_CHARS = 12_000  # a message's text in all, well inside what Slack accepts
ACTIONS_MOST = 25  # buttons in an actions block
PAGE_BREAK: Json = {"type": "_page_break"}  # a marker, never sent: the next block starts a message
ALL_FLAGS = "`/winter spend` shows them all."


@dataclass(frozen=True)
class SlackMessage:
    text: str  # the notification fallback
    blocks: list[Json]


def brief_messages(brief: Brief) -> list[SlackMessage]:
    return paginate(brief.title, brief_blocks(brief))


def brief_blocks(b: Brief) -> list[Json]:
    return [
        header(b.title),
        context(brief_subtitle(b)),
        board_section(b.programme_slug),
        *parts_blocks(brief_parts(b, MRKDWN, slash_command)),
    ]


# -- paging, shared by the digest ---------------------------------------------------------------


def section(text: str) -> Json:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def parts_blocks(parts: Sequence[Part]) -> list[Json]:
    """Each part's sections, a divider between parts."""
    blocks: list[Json] = []
    for index, part in enumerate(parts):
        if index:
            blocks.append({"type": "divider"})
        for s in part:
            title = f"*{s.heading}*" + (f" {s.aside}" if s.aside else "")
            blocks += answered_blocks(title, s) if s.answers else lines_blocks(title, s.lines)
    return blocks


def answered_blocks(title: str, s: Section) -> list[Json]:
    """The brief's blockers: a section a line, with a Reply button beside a line about one blocker
    and a row of them under a line about several (the same words from several organisations)."""
    blocks = [section(title)]
    for index, text in enumerate(s.lines):
        ids = s.answers[index] if index < len(s.answers) else ()
        block = section(shortened(text, SECTION_TEXT))
        if len(ids) == 1:
            block["accessory"] = reply_button(ids[0])
        blocks.append(block)
        if len(ids) > 1:
            buttons = [reply_button(i, f"Reply to #{i}") for i in ids[:ACTIONS_MOST]]
            blocks.append({"type": "actions", "elements": buttons})
    return blocks


def lines_blocks(title: str, lines: Iterable[str]) -> list[Json]:
    """The title and the lines packed into sections of at most SECTION_TEXT characters, never cut
    mid-line; a line too long for a section is split (see split_text); a section after the first
    starts with the title and "(continued)"."""
    chunks: list[list[str]] = [[title]]
    size = len(title)
    for line in lines:
        for piece in split_text(line, SECTION_TEXT - len(title) - len(CONTINUED) - 2):
            if size + 1 + len(piece) > SECTION_TEXT:
                chunks.append([f"{title} {CONTINUED}"])
                size = len(chunks[-1][0])
            chunks[-1].append(piece)
            size += 1 + len(piece)
    return [section("\n".join(chunk)) for chunk in chunks]


def paginate(title: str, blocks: Sequence[Json]) -> list[SlackMessage]:
    """Blocks split into messages: at most PART_BLOCKS blocks and PART_CHARS characters each,
    a new message at each PAGE_BREAK; every part of several is labelled and says what follows."""
    pages: list[list[Json]] = [[]]
    size = 0
    for block in blocks:
        if block is PAGE_BREAK or block.get("type") == PAGE_BREAK["type"]:
            if pages[-1]:
                pages.append([])
                size = 0
            continue
        n = _chars(block)
        if pages[-1] and (len(pages[-1]) >= PART_BLOCKS or size + n > PART_CHARS):
            pages.append([])
            size = 0
        pages[-1].append(block)
        size += n
    pages = [_trim(page) for page in pages]
    pages = [page for page in pages if page] or [[section(escape(title))]]
    total = len(pages)
    fallback = escape(title)
    messages = []
    for index, page in enumerate(pages):
        blocks_out = list(page)
        if index:
            blocks_out.insert(0, context(f"_{fallback}, continued: part {index + 1} of {total}_"))
        if index < total - 1:
            blocks_out.append(context(f"Continued in the next message (part {index + 2} of {total})."))
        text = fallback if total == 1 else f"{fallback} (part {index + 1} of {total})"
        messages.append(SlackMessage(text, blocks_out))
    return messages


def _trim(page: list[Json]) -> list[Json]:
    while page and page[0].get("type") == "divider":
        page = page[1:]
    while page and page[-1].get("type") == "divider":
        page = page[:-1]
    return page


def _chars(block: Json) -> int:
    text = block.get("text")
    if isinstance(text, dict):
        return len(text.get("text", ""))
    return sum(len(e.get("text", "")) for e in block.get("elements", []) if isinstance(e, dict))
