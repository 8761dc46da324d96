"""What the status screen says alike on every platform: the capacity grid's order, counts and
cells, who has gone quiet and today's check-ins. Each platform adds its own markup
(bot.common.markup)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from bot.common.markup import Markup
from bot.common.money import format_money
from bot.common.wording import plural, shortened
from bot.people.confidential import Aggregate, aggregate_sentence
from bot.reports.engagement import Quiet
from bot.reports.money import MoneyPanel
from bot.reports.status import CapacityCell, CapacityRow, TodayCheckins
from bot.spend.words import outlook, percent_of

NAME_WIDTH = 60


def money_lines(m: MoneyPanel) -> list[str]:
    """The status screen's money, in words every view shares (the chat status, the huddle board)."""
    return [
        f"Allocated so far {format_money(m.allocated_so_far)} of {format_money(m.allocated_total)}",
        (
            f"Spent {format_money(m.actual)} · committed {format_money(m.committed)} · commitment "
            f"{format_money(m.commitment)} ({percent_of(m.commitment, m.allocated_total)} of the allocation)"
        ),
        (
            f"At the recent pace ({format_money(m.recent_run_rate)} a working day) the outturn is "
            f"{format_money(m.outturn_recent)}: {outlook(m.variance_recent)}"
        ),
        (
            f"{format_money(m.run_rate_needed)} a working day would spend it all by "
            f"{m.deadline:%a %d %b %Y}: {plural(m.working_days_left, 'working day')} left"
        ),
    ]


def most_pressed(rows: Sequence[CapacityRow]) -> list[CapacityRow]:
    """The grid's rows, the worst level first, then the most stale cells, then by name."""
    return sorted(rows, key=_pressure)


def _pressure(row: CapacityRow) -> tuple[int, int, str, int]:
    return (-(row.worst or 0), -sum(1 for c in row.cells if c.stale), row.name.lower(), row.organisation_id)


def capacity_counts(rows: Sequence[CapacityRow], stale_after: int, markup: Markup) -> str:
    """How many services stand at each level, worst first, and how many are stale."""
    levels = [c.level for r in rows for c in r.cells]
    counts = " · ".join(f"{markup.levels[n]} {levels.count(n)}" for n in (4, 3, 2, 1))
    stale = sum(1 for r in rows for c in r.cells if c.stale)
    return f"{counts} · {markup.stale} {stale} stale (no report for {stale_after}+ working days, or never)"


def cell(cell: CapacityCell, markup: Markup) -> str:
    """One service's level; unescaped, for the platform escapes the line it stands in."""
    if cell.level is None:
        return f"{cell.label} {markup.never} never reported {markup.stale}"
    text = f"{cell.label} {markup.levels.get(cell.level, '')} {cell.level}"
    if cell.stale:
        text += f" {markup.stale} stale, {plural(cell.working_days_old or 0, 'working day')} old"
    return text


def confidential(aggregates: Sequence[Aggregate]) -> list[str]:
    """The confidential levels taken out of the grid, counted per service; unescaped."""
    return [aggregate_sentence(a) for a in aggregates]


CONFIDENTIAL_NOTE = "Confidential organisations' levels are seen by name only by the leads."


def more_organisations(rows: Sequence[CapacityRow]) -> str:
    """The rows left out of the grid counted, and the worst level among them."""
    worst = max((r.worst or 0 for r in rows), default=0)
    at_most = f", none above level {worst}" if worst else ", none reported"
    return f"{plural(len(rows), 'more organisation')} not shown{at_most}."


def quiet(q: Quiet, markup: Markup) -> str:
    last = f"last {q.last_check_in:%a %d %b}" if q.last_check_in else "never answered"
    return (
        f"{markup.text(shortened(q.name, NAME_WIDTH))} ({markup.text(shortened(q.organisation, NAME_WIDTH))}): "
        f"{plural(q.working_days_silent, 'working day')} silent, {last}"
    )


def today(t: TodayCheckins, markup: Markup) -> str:
    heading = markup.bold("Today's check-ins")
    if not t.working_day:
        return f"{heading}: nobody is asked today ({t.local_date:%a %d %b})."
    if t.expected == 0:
        return f"{heading}: no partner is due to answer today."
    share = percent_of(Decimal(t.answered), Decimal(t.expected))
    return f"{heading}: {t.answered} of {t.expected} partners have answered ({share})."
