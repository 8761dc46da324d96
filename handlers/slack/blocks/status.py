"""`/winter status`: the lead's one screen in Block Kit. Pure functions.

Money, the capacity grid (one line per organisation, its services' latest levels as coloured
circles, stale levels marked), open risks by severity with the most severe few, who has gone quiet,
and today's check-ins. Whatever the programme's size the message stays within Slack's limits:
lines are packed into sections of at most SECTION_TEXT characters, each part has a budget of
sections, and what does not fit is counted ("N more organisations ...") rather than cut silently.
The capacity grid lists the organisations under most pressure first, so what is counted and not
shown is the calmest.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from bot.common.money import format_money
from bot.common.wording import plural, shortened
from bot.people.confidential import Aggregate
from bot.reports import status_words
from bot.reports.engagement import Quiet
from bot.reports.leads_view import StatusView, ViewRefused
from bot.reports.money import MoneyPanel
from bot.reports.said import flag_lines
from bot.reports.status import CapacityCell, CapacityRow, RiskPanel, StatusScreen, TodayCheckins
from bot.reports.status_words import NAME_WIDTH
from bot.risks.words import PANEL_STATUS
from handlers.slack.blocks.limits import MESSAGE_BLOCKS
from handlers.slack.blocks.marks import SEVERITY_EMOJI
from handlers.slack.blocks.markup import MRKDWN
from handlers.slack.blocks.text import escape

Json = dict[str, Any]
StatusResult = StatusScreen | StatusView | ViewRefused

SECTION_TEXT = 2900  # under Slack's 3,000
HEADER_TEXT = 150
CONTEXT_TEXT = 2000
CAPACITY_SECTIONS = 24  # the grid's budget of sections in one message
QUIET_SECTIONS = 4  # room for QUIET_NAMES lines and the count
QUIET_NAMES = 40  # at most this many quiet partners named; the rest are counted
FLAGS_SHOWN = 3


def status_blocks(result: StatusResult) -> list[Json]:
    """The whole screen (a StatusScreen, or a StatusView as one role sees it), or why not."""
    if isinstance(result, ViewRefused):
        return [section(escape(result.message))]
    screen, withheld = _unpack(result)
    blocks: list[Json] = [
        header(f"Status: {screen.programme_name}"),
        context(
            f"On {screen.today:%a %d %b %Y} · deadline {screen.money.deadline:%a %d %b %Y}, "
            f"{plural(screen.money.working_days_left, 'working day')} left"
        ),
        section(money_text(screen.money)),
        {"type": "divider"},
    ]
    tail = [
        {"type": "divider"},
        *risk_blocks(screen.risks),
        *quiet_blocks(screen.quiet, screen.quiet_after_working_days, withheld),
        section(today_text(screen.checkins_today)),
        context("Shown only to you. `/winter risks` lists every open risk; `/winter spend` every scheme."),
    ]
    budget = min(CAPACITY_SECTIONS, MESSAGE_BLOCKS - len(blocks) - len(tail))
    confidential = confidential_blocks(screen.capacity.confidential)
    budget -= len(confidential)
    blocks += capacity_blocks(screen.capacity.rows, screen.capacity.stale_after_working_days, budget)
    return [*blocks, *confidential, *tail]


def status_text(result: StatusResult) -> str:
    """The plain-text fallback for notifications and screen readers."""
    if isinstance(result, ViewRefused):
        return result.message
    screen, withheld = _unpack(result)
    m, t = screen.money, screen.checkins_today
    quiet = len(screen.quiet) + withheld
    today = f"{t.answered} of {t.expected} check-ins today" if t.working_day else "no check-ins asked today"
    return (
        f"Status for {screen.programme_name}: spent {format_money(m.actual)}, committed {format_money(m.committed)} "
        f"of {format_money(m.allocated_total)}; {plural(screen.risks.total, 'open risk')}; "
        f"{plural(quiet, 'partner')} gone quiet; {today}."
    )


def _unpack(result: StatusScreen | StatusView) -> tuple[StatusScreen, int]:
    if isinstance(result, StatusView):
        return result.screen, result.quiet_withheld
    return result, 0


# -- money ---------------------------------------------------------------------------------


def money_text(m: MoneyPanel) -> str:
    lines = ["*Money*", *status_words.money_lines(m)]
    flags = flag_lines([flag.message for flag in m.flags], MRKDWN, "`/winter spend` shows them all", FLAGS_SHOWN)
    return shortened("\n".join(lines + flags), SECTION_TEXT)


# -- capacity ------------------------------------------------------------------------------


def capacity_blocks(rows: Sequence[CapacityRow], stale_after: int, budget: int) -> list[Json]:
    """One line per organisation, most pressed first; at most `budget` sections, the rest counted."""
    if not rows:
        return [section("*Capacity*: no organisation reports a service yet.")]
    ordered = status_words.most_pressed(rows)
    title = (
        f"*Capacity* ({plural(len(rows), 'organisation')}, most pressed first): "
        f"{status_words.capacity_counts(rows, stale_after, MRKDWN)}"
    )
    lines = [capacity_line(row) for row in ordered]
    return packed(lines, title=title, budget=budget, more=lambda n: status_words.more_organisations(ordered[-n:]))


def confidential_blocks(aggregates: Sequence[Aggregate]) -> list[Json]:
    """The confidential levels the viewer may not see by name, counted per service: one section."""
    if not aggregates:
        return []
    lines = [f"• {escape(text)}" for text in status_words.confidential(aggregates)]
    text = "\n".join(["*In confidence*", *lines, f"_{status_words.CONFIDENTIAL_NOTE}_"])
    return [section(shortened(text, SECTION_TEXT))]


def capacity_line(row: CapacityRow) -> str:
    cells = " · ".join(cell_text(c) for c in row.cells)
    return f"*{escape(shortened(row.name, NAME_WIDTH))}*: {cells}"


def cell_text(cell: CapacityCell) -> str:
    return escape(status_words.cell(cell, MRKDWN))


# -- risks ---------------------------------------------------------------------------------


def risk_blocks(panel: RiskPanel) -> list[Json]:
    if panel.total == 0:
        return [section("*Open risks*: none.")]
    counts = " · ".join(f"{SEVERITY_EMOJI[s]} {n} {s.value}" for s, n in panel.by_severity if n)
    lines = [f"*Open risks: {panel.total}* ({counts})"]
    for risk in panel.top:
        owner = escape(risk.owner_name) if risk.owner_name else "no owner yet"
        lines.append(
            f"{SEVERITY_EMOJI[risk.severity]} {escape(shortened(risk.title, 200))} · {owner} · "
            f"{PANEL_STATUS.get(risk.status.value, risk.status.value)} · {plural(risk.age_working_days, 'working day')} old"
        )
    if panel.total > len(panel.top):
        left = panel.total - len(panel.top)
        lines.append(f"{plural(left, 'more open risk')}: `/winter risks` lists them all.")
    return [section(shortened("\n".join(lines), SECTION_TEXT))]


# -- who has gone quiet --------------------------------------------------------------------


def quiet_blocks(quiet: Sequence[Quiet], after: int, withheld: int = 0) -> list[Json]:
    total = len(quiet) + withheld
    if total == 0:
        return [section(f"*Gone quiet*: nobody (no partner has missed {after} or more check-ins in a row).")]
    title = f"*Gone quiet: {total}* (no check-in for {after}+ working days they were asked)"
    named = list(quiet[:QUIET_NAMES])
    lines = [quiet_line(q) for q in named]
    unnamed = len(quiet) - len(named)
    blocks = packed(lines, title=title, budget=QUIET_SECTIONS, more=lambda n: f"{n} more not shown.", extra=unnamed)
    if withheld:
        blocks.append(
            context(f"{withheld} {'is' if withheld == 1 else 'are'} in other organisations; the leads see who.")
            if quiet
            else context(f"{plural(withheld, 'partner')}; the leads see who.")
        )
    return blocks


def quiet_line(q: Quiet) -> str:
    return f"• {status_words.quiet(q, MRKDWN)}"


# -- today ---------------------------------------------------------------------------------


def today_text(t: TodayCheckins) -> str:
    return status_words.today(t, MRKDWN)


# -- small pieces, shared by the other builders ----------------------------------------------


def packed(
    lines: Sequence[str],
    *,
    title: str,
    budget: int,
    more: Callable[[int], str] | None = None,
    extra: int = 0,
) -> list[Json]:
    """Lines under a title packed into sections of at most SECTION_TEXT characters, never cut
    mid-line. When they need more than `budget` blocks, the first sections are kept and the
    lines left out (plus `extra` already left out) are counted in a last context block, worded
    by `more(n)`: at most max(budget, 2) blocks in all."""
    chunks: list[list[str]] = [[title]]
    size = len(title)
    for line in lines:
        line = shortened(line, SECTION_TEXT)
        if size + 1 + len(line) > SECTION_TEXT:
            chunks.append([])
            size = -1
        chunks[-1].append(line)
        size += 1 + len(line)
    if len(chunks) <= budget and not extra:
        return [section("\n".join(chunk)) for chunk in chunks]
    keep = chunks if len(chunks) < budget else chunks[: max(budget - 1, 1)]
    shown = sum(len(chunk) for chunk in keep) - 1
    left = len(lines) - shown + extra
    blocks = [section("\n".join(chunk)) for chunk in keep]
    if left:
        blocks.append(context(more(left) if more else f"{left} more not shown."))
    return blocks


def header(text: str) -> Json:
    return {"type": "header", "text": {"type": "plain_text", "text": shortened(text, HEADER_TEXT)}}


def section(text: str) -> Json:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def context(text: str) -> Json:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": shortened(text, CONTEXT_TEXT)}]}
