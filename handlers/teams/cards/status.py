"""`status` as an Adaptive Card: money, open risks, who has gone quiet, today's check-ins and
capacity by organisation (most pressed first), or why the asker cannot see it.

However large the programme the card stays well under Teams' 28 KB: the capacity grid, the
quiet partners and the flags are shown up to a point and the rest counted, never cut silently.
"""

from __future__ import annotations

from collections.abc import Sequence

from microsoft_teams.cards import CardElement

from bot.common.money import format_money
from bot.common.wording import plural, shortened
from bot.people.confidential import Aggregate
from bot.reports import status_words
from bot.reports.engagement import Quiet
from bot.reports.leads_view import StatusView, ViewRefused
from bot.reports.money import MoneyPanel
from bot.reports.said import severity_mark
from bot.reports.status import CapacityRow, RiskPanel, StatusScreen
from bot.reports.status_words import NAME_WIDTH
from bot.risks.words import PANEL_STATUS
from bot.spend.words import outlook, percent_of
from handlers.teams.cards.base import Card, card, facts, heading, line, plain, subheading
from handlers.teams.cards.text import MARKDOWN, bullets, said

ROWS_SHOWN = 25
QUIET_SHOWN = 15
FLAGS_SHOWN = 5
TITLE_WIDTH = 200
FOOTER = "Type `risks` to list every open risk, `spend` to see every scheme."

StatusResult = StatusScreen | StatusView | ViewRefused


def status_card(result: StatusResult) -> Card:
    """The whole screen (a StatusScreen, or a StatusView as one role sees it), or why not."""
    if isinstance(result, ViewRefused):
        return card([line(said(result.message))])
    screen, withheld = (result.screen, result.quiet_withheld) if isinstance(result, StatusView) else (result, 0)
    m = screen.money
    body: list[CardElement] = [
        heading(f"Status: {screen.programme_name}"),
        line(
            f"On {screen.today:%a %d %b %Y} · deadline {m.deadline:%a %d %b %Y}, "
            f"{plural(m.working_days_left, 'working day')} left",
            subtle=True,
        ),
        *money(m),
        *risks(screen.risks),
        *quiet(screen.quiet, screen.quiet_after_working_days, withheld),
        line(status_words.today(screen.checkins_today, MARKDOWN)),
        *capacity(screen.capacity.rows, screen.capacity.stale_after_working_days),
        *confidential(screen.capacity.confidential),
        line(FOOTER, subtle=True),
    ]
    return card(body)


def money(m: MoneyPanel) -> list[CardElement]:
    body: list[CardElement] = [
        subheading("Money"),
        facts(
            [
                ("Allocated so far", f"{format_money(m.allocated_so_far)} of {format_money(m.allocated_total)}"),
                ("Spent", format_money(m.actual)),
                ("Committed", format_money(m.committed)),
                (
                    "Commitment",
                    f"{format_money(m.commitment)} ({percent_of(m.commitment, m.allocated_total)} of the allocation)",
                ),
                (
                    f"Outturn at the recent pace ({format_money(m.recent_run_rate)} a working day)",
                    f"{format_money(m.outturn_recent)}: {outlook(m.variance_recent)}",
                ),
                ("Needed to spend it all", f"{format_money(m.run_rate_needed)} a working day"),
            ]
        ),
    ]
    body += [line(f"⚠ {plain(shortened(f.message, TITLE_WIDTH))}", attention=True) for f in m.flags[:FLAGS_SHOWN]]
    if len(m.flags) > FLAGS_SHOWN:
        body.append(line(f"{plural(len(m.flags) - FLAGS_SHOWN, 'more flag')}: type `spend` to see them all."))
    return body


def risks(panel: RiskPanel) -> list[CardElement]:
    if panel.total == 0:
        return [subheading("Open risks: none")]
    counts = " · ".join(f"{severity_mark(sev, MARKDOWN)} {n} {sev.value}" for sev, n in panel.by_severity if n)
    lines = [
        f"{severity_mark(r.severity, MARKDOWN)} {plain(shortened(r.title, TITLE_WIDTH))} · "
        f"{plain(shortened(r.owner_name, NAME_WIDTH)) if r.owner_name else 'no owner yet'} · {PANEL_STATUS.get(r.status.value, r.status.value)} · "
        f"{plural(r.age_working_days, 'working day')} old"
        for r in panel.top
    ]
    if panel.total > len(panel.top):
        lines.append(f"{plural(panel.total - len(panel.top), 'more open risk')}: type `risks` to list them all.")
    return [subheading(f"Open risks: {panel.total}"), line(counts), line(bullets(lines))]


def quiet(people: Sequence[Quiet], after: int, withheld: int) -> list[CardElement]:
    total = len(people) + withheld
    if total == 0:
        return [
            subheading("Gone quiet: nobody"),
            line(f"No partner has missed {after} or more check-ins in a row.", subtle=True),
        ]
    body: list[CardElement] = [
        subheading(f"Gone quiet: {total}"),
        line(f"No check-in for {after}+ working days they were asked.", subtle=True),
    ]
    lines = [quiet_line(q) for q in people[:QUIET_SHOWN]]
    if len(people) > QUIET_SHOWN:
        lines.append(f"{len(people) - QUIET_SHOWN} more not shown.")
    if lines:
        body.append(line(bullets(lines)))
    if withheld and people:
        body.append(
            line(
                f"{withheld} {'is' if withheld == 1 else 'are'} in other organisations; the leads see who.", subtle=True
            )
        )
    elif withheld:
        body.append(line(f"{plural(withheld, 'partner')}; the leads see who.", subtle=True))
    return body


def quiet_line(q: Quiet) -> str:
    return status_words.quiet(q, MARKDOWN)


def confidential(aggregates: Sequence[Aggregate]) -> list[CardElement]:
    """The confidential levels the asker may not see by name, counted per service."""
    if not aggregates:
        return []
    return [
        subheading("In confidence"),
        line(bullets([plain(text) for text in status_words.confidential(aggregates)])),
        line(status_words.CONFIDENTIAL_NOTE, subtle=True),
    ]


def capacity(rows: Sequence[CapacityRow], stale_after: int) -> list[CardElement]:
    if not rows:
        return [subheading("Capacity"), line("No organisation reports a service yet.")]
    ordered = status_words.most_pressed(rows)
    body: list[CardElement] = [
        subheading(f"Capacity ({plural(len(rows), 'organisation')}, most pressed first)"),
        line(status_words.capacity_counts(rows, stale_after, MARKDOWN), subtle=True),
        facts(
            [
                (
                    shortened(row.name, NAME_WIDTH),
                    " · ".join(status_words.cell(c, MARKDOWN) for c in row.cells),
                )
                for row in ordered[:ROWS_SHOWN]
            ]
        ),
    ]
    left = ordered[ROWS_SHOWN:]
    if left:
        body.append(line(status_words.more_organisations(left)))
    return body
