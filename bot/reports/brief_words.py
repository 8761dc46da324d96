"""The brief in words: the sentences every renderer shares, and the brief as plain Markdown."""

from __future__ import annotations

from decimal import Decimal

from bot.common.money import format_money
from bot.common.wording import plural
from bot.reports.brief import Brief, CapacityChange, CheckinsDay, MoneyChange, RiskChange
from bot.reports.voice import voice_markdown
from bot.spend.words import either_way, outlook, percent_of


def signed(value: Decimal) -> str:
    return either_way(value, "-{}", "+{}", "no change")


def checkins_sentence(c: CheckinsDay) -> str:
    if c.expected == 0:
        return "No partner was asked to check in."
    sectors = ", ".join(f"{s.sector} {s.answered} of {s.expected}" for s in c.by_sector if s.expected)
    return (
        f"{c.answered} of {c.expected} partners answered ({percent_of(Decimal(c.answered), Decimal(c.expected))}): "
        f"{sectors}."
    )


def money_sentences(m: MoneyChange) -> list[str]:
    return [
        (
            f"Spent {format_money(m.actual)} ({signed(m.actual_change)} since {m.before:%a %d %b}), committed "
            f"{format_money(m.committed)} ({signed(m.committed_change)}), of {format_money(m.allocated_total)} "
            f"({format_money(m.allocated_so_far)} available so far)."
        ),
        (
            f"Forecast at the recent pace ({format_money(m.recent_run_rate)} a working day): "
            f"{format_money(m.outturn_recent)} by {m.deadline:%a %d %b %Y}, {outlook(m.variance_recent)}; "
            f"{format_money(m.run_rate_needed)} a working day would spend it all in the "
            f"{plural(m.working_days_left, 'working day')} left."
        ),
    ]


def capacity_sentence(c: CapacityChange) -> str:
    way = "up" if c.worse else "down"
    return f"{c.organisation}: {c.label} {way} from level {c.level_from} to {c.level_to}"


def risk_sentence(r: RiskChange) -> str:
    what = "new" if r.new else ", ".join(r.actions)
    owner = r.owner or "no owner yet"
    return f"{r.title} ({r.severity}, {r.status}, {owner}): {what}"


def brief_markdown(b: Brief) -> str:
    out = [
        f"# {b.title}",
        "",
        f"{b.today:%A %d %B %Y}, covering {b.day:%A %d %B}.",
        "",
        f"## Check-ins on {b.day:%a %d %b}",
        "",
        checkins_sentence(b.checkins),
    ]
    if b.checkins.not_heard_from:
        out.append(f"Not heard from: {', '.join(b.checkins.not_heard_from)}.")
    out += ["", "## Money", "", *money_sentences(b.money)]
    out += [f"- Flag: {flag.message}" for flag in b.money.flags]
    out += ["", "## Capacity changes", ""]
    out += [f"- {capacity_sentence(c)}" for c in b.capacity] or ["No service changed level."]
    out += ["", "## Risks new or changed", ""]
    out += [f"- {risk_sentence(r)}" for r in b.risks] or ["None."]
    out += ["", "## Partner voice", ""]
    out += voice_markdown(b.voice, b.voice_left_out)
    return "\n".join(out).rstrip() + "\n"
