"""`/winter spend`: the position (totals, forecast, flags, per-scheme table), a lead's entry
confirmed, or why not. Pure functions; every message passes check_message, however many schemes.

Long lists are packed line by line into sections of at most SECTION_TEXT characters, so nothing
is cut mid-line; should a programme ever need more than Slack's 50 blocks, the last block says
how many lines were left out and where to read them all.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from bot.common.labels import source_label
from bot.common.money import format_money, format_quantity
from bot.common.wording import shortened
from bot.spend.entry import EntryRefused, LeadEntry
from bot.spend.position import SchemeSpend, SpendPosition
from bot.spend.words import forecast_lines, percent_of
from handlers.slack.blocks.limits import MESSAGE_BLOCKS
from handlers.slack.blocks.text import escape

Json = dict[str, Any]
SpendResult = SpendPosition | LeadEntry | EntryRefused
SECTION_TEXT = 2900  # under Slack's 3,000, leaving room for the code fence
HEADER_TEXT = 150
KEY_WIDTH = 22


def spend_blocks(result: SpendResult) -> list[Json]:
    if isinstance(result, SpendPosition):
        return position_blocks(result)
    if isinstance(result, LeadEntry):
        return entry_blocks(result)
    return [_section(escape(result.reason))]


def spend_text(result: SpendResult) -> str:
    """The plain-text fallback for notifications and screen readers."""
    if isinstance(result, SpendPosition):
        p = result
        return (
            f"Spend for {p.programme_name}: actual {_money(p.actual)}, committed {_money(p.committed)}; "
            f"allocated so far {_money(p.allocated_so_far)} of {_money(p.allocated_total)}; "
            f"{len(p.flags)} flag{'s' if len(p.flags) != 1 else ''}."
        )
    if isinstance(result, LeadEntry):
        return _entry_sentence(result)
    return result.reason


# -- the position ----------------------------------------------------------------------------


def position_blocks(position: SpendPosition) -> list[Json]:
    blocks: list[Json] = [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": shortened(f"Spend: {position.programme_name}", HEADER_TEXT)},
        },
        _section(_totals(position)),
        _section("*Forecast*\n" + "\n".join(escape(line) for line in forecast_lines(position))),
    ]
    flags = [f":warning: {escape(flag.message)}" for flag in position.flags]
    blocks += _packed(flags, title=f"*Flags ({len(flags)})*") if flags else [_section("*Flags*: none")]
    blocks.append({"type": "divider"})
    blocks += _packed(_table(position.schemes), title=f"*Schemes ({len(position.schemes)})*", code=True)
    blocks.append(
        _context(f"As on {position.today:%a %d %b %Y}, deadline {position.deadline:%a %d %b %Y}. Shown only to you.")
    )
    return _within_limit(blocks)


def _totals(p: SpendPosition) -> str:
    lines = [
        f"*Allocated so far* {_money(p.allocated_so_far)} of {_money(p.allocated_total)}",
        (
            f"*Actual* {_money(p.actual)}   *Committed* {_money(p.committed)}   "
            f"*Commitment* {_money(p.commitment)} ({percent_of(p.commitment, p.allocated_total)} of the allocation)"
        ),
    ]
    lines += [
        f"• {escape(source_label(s.funding_source))}: allocated {_money(s.allocated_so_far)} of "
        f"{_money(s.allocated_total)}; actual {_money(s.actual)}, committed {_money(s.committed)}"
        for s in p.by_source
    ]
    return "\n".join(lines)


def _table(schemes: Iterable[SchemeSpend]) -> list[str]:
    header = f"{'Scheme':<{KEY_WIDTH}} {'Actual':>13} {'Committed':>13} {'Budget':>13} {'Used':>5} {'Activity':>15} {'Last':>6}"
    rows = [header]
    for s in schemes:
        activity = f"{format_quantity(s.activity)}/{format_quantity(s.planned)}"
        last = f"{s.last_reported:%d %b}" if s.last_reported else "never"
        rows.append(
            f"{shortened(s.key, KEY_WIDTH):<{KEY_WIDTH}} {_money(s.actual):>13} {_money(s.committed):>13} "
            f"{_money(s.budget):>13} {percent_of(s.actual + s.committed, s.budget):>5} {activity:>15} {last:>6}"
        )
    return [escape(row) for row in rows]


def _packed(lines: list[str], *, title: str, code: bool = False) -> list[Json]:
    """Lines packed into as few sections as fit; a code table repeats no header but keeps its fence."""
    chunks: list[list[str]] = [[]]
    size = len(title) + 1
    for line in lines:
        if chunks[-1] and size + len(line) + 1 > SECTION_TEXT:
            chunks.append([])
            size = 0
        chunks[-1].append(line)
        size += len(line) + 1
    blocks = []
    for index, chunk in enumerate(chunks):
        body = "\n".join(chunk)
        if code:
            body = f"```{body}```"
        blocks.append(_section(f"{title}\n{body}" if index == 0 else body))
    return blocks


def _within_limit(blocks: list[Json]) -> list[Json]:
    """Never more than Slack allows, and never silently fewer."""
    if len(blocks) <= MESSAGE_BLOCKS:
        return blocks
    kept = blocks[: MESSAGE_BLOCKS - 1]
    left_out = len(blocks) - len(kept)
    return [*kept, _context(f"{left_out} more sections not shown here: `winterbot status` prints them all.")]


# -- an entry --------------------------------------------------------------------------------


def entry_blocks(entry: LeadEntry) -> list[Json]:
    blocks = [_section(escape(_entry_sentence(entry)))]
    if entry.previous is not None:
        p = entry.previous
        blocks.append(
            _context(
                escape(
                    f"Before: spent {_money(p.actual)}, committed {_money(p.committed)}, "
                    f"{format_quantity(p.activity)} {entry.unit}. Both stay in the ledger."
                )
            )
        )
    if entry.redactions:
        blocks.append(_context("An NHS number was removed from the reason before it was stored."))
    return blocks


def _entry_sentence(entry: LeadEntry) -> str:
    f = entry.figures
    reason = f" Correction reason: {entry.correction_reason}." if entry.correction_reason else ""
    return (
        f"Recorded for {entry.scheme_name} ({entry.scheme_key}) on {entry.local_date:%a %d %b %Y}: spent to date "
        f"{_money(f.actual)}, committed {_money(f.committed)}, {format_quantity(f.activity)} {entry.unit} to date.{reason}"
    )


# -- small pieces ----------------------------------------------------------------------------


def _money(value: Decimal) -> str:
    return format_money(value, pence=True)


def _section(text: str) -> Json:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _context(text: str) -> Json:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}
