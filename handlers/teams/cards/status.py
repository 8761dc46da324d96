"""`status` as an Adaptive Card: money, open risks, who has gone quiet, today's check-ins and
capacity by organisation (most pressed first), or why the asker cannot see it.

However large the programme the card stays well under Teams' 28 KB: the capacity grid, the
quiet partners and the flags are shown up to a point and the rest counted, never cut silently.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from microsoft_teams.cards import CardElement

from bot.common.money import format_money
from bot.common.wording import plural, shortened
from bot.reports.brief import outlook
from bot.reports.engagement import Quiet
from bot.reports.leads_view import StatusView, ViewRefused
from bot.reports.status import CapacityCell, CapacityRow, MoneyPanel, RiskPanel, StatusScreen, TodayCheckins
from bot.spend.spend import percent_of
from handlers.teams.cards.base import Card, card, facts, heading, line, plain, subheading
from handlers.teams.cards.report_text import LEVEL_MARK, NEVER, severity_mark
from handlers.teams.cards.text import bullets, said

STALE = "⏳"
ROWS_SHOWN = 25
QUIET_SHOWN = 15
FLAGS_SHOWN = 5
NAME_WIDTH = 60
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
        line(today(screen.checkins_today)),
        *capacity(screen.capacity.rows, screen.capacity.stale_after_working_days),
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
    counts = " · ".join(f"{severity_mark(sev)} {n} {sev.value}" for sev, n in panel.by_severity if n)
    lines = [
        f"{severity_mark(r.severity)} {plain(shortened(r.title, TITLE_WIDTH))} · "
        f"{plain(shortened(r.owner_name, NAME_WIDTH)) if r.owner_name else 'no owner yet'} · {r.status.value} · "
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
    last = f"last {q.last_check_in:%a %d %b}" if q.last_check_in else "never answered"
    return (
        f"{plain(shortened(q.name, NAME_WIDTH))} ({plain(shortened(q.organisation, NAME_WIDTH))}): "
        f"{plural(q.working_days_silent, 'working day')} silent, {last}"
    )


def today(t: TodayCheckins) -> str:
    if not t.working_day:
        return f"**Today's check-ins**: nobody is asked today ({t.local_date:%a %d %b})."
    if t.expected == 0:
        return "**Today's check-ins**: no partner is due to answer today."
    share = percent_of(Decimal(t.answered), Decimal(t.expected))
    return f"**Today's check-ins**: {t.answered} of {t.expected} partners have answered ({share})."


def capacity(rows: Sequence[CapacityRow], stale_after: int) -> list[CardElement]:
    if not rows:
        return [subheading("Capacity"), line("No organisation reports a service yet.")]
    ordered = sorted(rows, key=_pressure)
    levels = [c.level for r in rows for c in r.cells]
    stale = sum(1 for r in rows for c in r.cells if c.stale)
    counts = " · ".join(f"{LEVEL_MARK[n]} {levels.count(n)}" for n in (4, 3, 2, 1))
    body: list[CardElement] = [
        subheading(f"Capacity ({plural(len(rows), 'organisation')}, most pressed first)"),
        line(f"{counts} · {STALE} {stale} stale (no report for {stale_after}+ working days, or never)", subtle=True),
        facts(
            [(shortened(row.name, NAME_WIDTH), " · ".join(cell(c) for c in row.cells)) for row in ordered[:ROWS_SHOWN]]
        ),
    ]
    left = ordered[ROWS_SHOWN:]
    if left:
        worst = max((r.worst or 0 for r in left), default=0)
        at_most = f", none above level {worst}" if worst else ", none reported"
        body.append(line(f"{plural(len(left), 'more organisation')} not shown{at_most}."))
    return body


def _pressure(row: CapacityRow) -> tuple[int, int, str, int]:
    return (-(row.worst or 0), -sum(1 for c in row.cells if c.stale), row.name.lower(), row.organisation_id)


def cell(c: CapacityCell) -> str:
    if c.level is None:
        return f"{c.label} {NEVER} never reported {STALE}"
    text = f"{c.label} {LEVEL_MARK.get(c.level, '')} {c.level}"
    if c.stale:
        text += f" {STALE} stale, {plural(c.working_days_old or 0, 'working day')} old"
    return text
