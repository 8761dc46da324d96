"""`status` as an Adaptive Card: money, open risks, who has gone quiet, today's check-ins and
capacity by organisation (most pressed first), or why the asker cannot see it."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from microsoft_teams.cards import CardElement

from bot.leads_view import StatusView, ViewRefused
from bot.money import format_money
from bot.spend import percent_of
from bot.status import CapacityCell, CapacityRow, MoneyPanel, RiskPanel, StatusScreen, TodayCheckins
from bot.engagement import Quiet
from handlers.teams.cards.base import Card, card, facts, heading, line, plain, subheading
from handlers.teams.cards.text import teams_words

LEVEL_MARK = {1: "🟢", 2: "🟡", 3: "🟠", 4: "🔴"}
SEVERITY_MARK = {"critical": "🔴", "high": "🟠", "medium": "🟡", "low": "⚪"}
ROWS_SHOWN = 25
QUIET_SHOWN = 15
FLAGS_SHOWN = 5

StatusResult = StatusScreen | StatusView | ViewRefused


def status_card(result: StatusResult) -> Card:
    if isinstance(result, ViewRefused):
        return card([line(plain(teams_words(result.message)))])
    screen, withheld = (result.screen, result.quiet_withheld) if isinstance(result, StatusView) else (result, 0)
    m = screen.money
    body: list[CardElement] = [
        heading(f"Status: {screen.programme_name}"),
        line(f"On {screen.today:%a %d %b %Y} · deadline {m.deadline:%a %d %b %Y}, "
             f"{m.working_days_left} working day{_s(m.working_days_left)} left", subtle=True),
        *money(m),
        *risks(screen.risks),
        *quiet(screen.quiet, screen.quiet_after_working_days, withheld),
        line(today(screen.checkins_today)),
        *capacity(screen.capacity.rows, screen.capacity.stale_after_working_days),
    ]
    return card(body)


def money(m: MoneyPanel) -> list[CardElement]:
    variance = m.variance_recent
    outlook = (f"{format_money(-variance)} underspent" if variance < 0
               else f"{format_money(variance)} over" if variance > 0 else "on the allocation")
    body: list[CardElement] = [subheading("Money"), facts([
        ("Allocated so far", f"{format_money(m.allocated_so_far)} of {format_money(m.allocated_total)}"),
        ("Spent", format_money(m.actual)),
        ("Committed", format_money(m.committed)),
        ("Commitment", f"{format_money(m.commitment)} ({percent_of(m.commitment, m.allocated_total)} of the allocation)"),
        ("Outturn at the recent pace", f"{format_money(m.outturn_recent)}: {outlook}"),
        ("Needed a working day", format_money(m.run_rate_needed)),
    ])]
    body += [line(f"⚠ {plain(f.message)}", attention=True) for f in m.flags[:FLAGS_SHOWN]]
    if len(m.flags) > FLAGS_SHOWN:
        body.append(line(f"{len(m.flags) - FLAGS_SHOWN} more flags: type `spend` to see them all."))
    return body


def risks(panel: RiskPanel) -> list[CardElement]:
    if panel.total == 0:
        return [subheading("Open risks: none")]
    counts = " · ".join(f"{SEVERITY_MARK[s.value]} {n} {s.value}" for s, n in panel.by_severity if n)
    lines = [
        f"- {SEVERITY_MARK[r.severity.value]} {plain(r.title)} · "
        f"{plain(r.owner_name) if r.owner_name else 'no owner yet'} · {r.status.value} · "
        f"{r.age_working_days} working day{_s(r.age_working_days)} old"
        for r in panel.top
    ]
    if panel.total > len(panel.top):
        lines.append(f"- {panel.total - len(panel.top)} more: type `risks` to list them all.")
    return [subheading(f"Open risks: {panel.total}"), line(counts), line("\n".join(lines))]


def quiet(people: Sequence[Quiet], after: int, withheld: int) -> list[CardElement]:
    total = len(people) + withheld
    if total == 0:
        return [subheading("Gone quiet: nobody"),
                line(f"No partner has missed {after} or more check-ins in a row.", subtle=True)]
    lines = [
        f"- {plain(q.name)} ({plain(q.organisation)}): {q.working_days_silent} working day{_s(q.working_days_silent)} "
        f"silent, {f'last {q.last_check_in:%a %d %b}' if q.last_check_in else 'never answered'}"
        for q in people[:QUIET_SHOWN]
    ]
    if len(people) > QUIET_SHOWN:
        lines.append(f"- {len(people) - QUIET_SHOWN} more not shown.")
    body: list[CardElement] = [subheading(f"Gone quiet: {total}"),
                               line(f"No check-in for {after}+ working days they were asked.", subtle=True)]
    if lines:
        body.append(line("\n".join(lines)))
    if withheld:
        body.append(line(f"{withheld} in other organisations; the leads see who.", subtle=True))
    return body


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
    ordered = sorted(rows, key=lambda r: (-(r.worst or 0), -sum(c.stale for c in r.cells), r.name.lower()))
    body: list[CardElement] = [
        subheading(f"Capacity ({len(rows)} organisation{_s(len(rows))}, most pressed first)"),
        line(f"⏳ stale: no report for {stale_after}+ working days, or never", subtle=True),
        facts([(row.name, " · ".join(cell(c) for c in row.cells)) for row in ordered[:ROWS_SHOWN]]),
    ]
    if len(ordered) > ROWS_SHOWN:
        body.append(line(f"{len(ordered) - ROWS_SHOWN} more organisations not shown."))
    return body


def cell(c: CapacityCell) -> str:
    if c.level is None:
        return f"{c.label} ⚪ never reported ⏳"
    text = f"{c.label} {LEVEL_MARK.get(c.level, '')} {c.level}"
    if c.stale:
        text += f" ⏳ {c.working_days_old} working day{_s(c.working_days_old or 0)} old"
    return text


def _s(n: int) -> str:
    return "" if n == 1 else "s"
