"""Spend in words: percentages, the forecast in sentences and the
position as terminal text (what `winterbot status SLUG` prints)."""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from bot.common.labels import source_label
from bot.common.money import format_money, format_quantity
from bot.common.wording import shortened
from bot.spend.position import SpendPosition
from models.vocabulary import Unit


def whole_percent(part: Decimal, whole: Decimal) -> Decimal:
    """part / whole as a whole percent (ROUND_HALF_UP); `whole` is positive."""
    return (part * 100 / whole).quantize(Decimal(1), rounding=ROUND_HALF_UP)


COUNTED_WHOLE = frozenset(
    {Unit.BEDS, Unit.PACKAGES, Unit.EQUIPMENT_ITEMS, Unit.PEOPLE, Unit.VISITS, Unit.SESSIONS, Unit.ASSESSMENTS}
)


def quantity_in(value: Decimal, unit: str) -> str:
    """A computed quantity (a pro-rata expectation) as its unit is counted: whole for what is
    counted whole (people, beds, packages, ...), else to one decimal (hours, staff as WTE,
    bed-weeks); half up. Figures people entered are shown as they gave them, not through this."""
    step = Decimal(1) if unit in COUNTED_WHOLE else Decimal("0.1")
    return format_quantity(value.quantize(step, rounding=ROUND_HALF_UP))


def percent_below(part: Decimal, whole: Decimal, threshold: int) -> str:
    """part / whole as a percent for a sentence that says it is below `threshold`: whole when
    rounding keeps it below, else to one decimal rounded down, so it never reads as the
    threshold itself (89.7%, not 90%, below a 90% threshold). `whole` is positive."""
    share = whole_percent(part, whole)
    if share < threshold:
        return f"{share}%"
    return f"{(part * 100 / whole).quantize(Decimal('0.1'), rounding=ROUND_DOWN)}%"


def percent_of(part: Decimal, whole: Decimal) -> str:
    if whole <= 0:
        return "-"
    return f"{whole_percent(part, whole)}%"


def either_way(value: Decimal, under: str, over: str, exact: str, *, pence: bool = False) -> str:
    """A signed amount in words: `under` or `over` (each with {} for the amount) by its sign, `exact` at 0."""
    if value == 0:
        return exact
    return (under if value < 0 else over).format(format_money(abs(value), pence=pence))


def outlook(variance: Decimal) -> str:
    """A projected variance (forecast - allocation) as the brief, the digest and the status say it."""
    return either_way(variance, "{} underspent", "{} over the allocation", "exactly the allocation")


def variance_words(value: Decimal) -> str:
    """A projected variance to the penny, as the forecast lines say it."""
    return either_way(value, "underspend {}", "overspend {}", "on the allocation exactly", pence=True)


def pence(value: Decimal) -> str:
    return format_money(value, pence=True)


def forecast_lines(position: SpendPosition) -> list[str]:
    """The forecast in plain sentences, shared by the terminal and the chat renderers."""
    f = position.forecast
    return [
        (
            f"Working days: {f.working_days_elapsed} done, {f.working_days_left} left to "
            f"{position.deadline:%a %d %b %Y} (today is left until its figures are in; weekends and "
            "England's bank holidays do not count)"
        ),
        f"Run rate needed to spend the rest: {pence(f.run_rate_needed)} a working day",
        (
            f"Recent run rate (last {f.recent_working_days} working days): "
            f"{pence(f.recent_run_rate)} a day; outturn at the deadline {pence(f.outturn_recent)} "
            f"({variance_words(f.variance_recent)})"
        ),
        (
            f"Whole-period run rate: {pence(f.period_run_rate)} a day; outturn at the deadline "
            f"{pence(f.outturn_period)} ({variance_words(f.variance_period)})"
        ),
        (
            f"Committed basis (spent and committed, no more): outturn {pence(f.outturn_committed)} "
            f"({variance_words(f.variance_committed)})"
        ),
    ]


def format_spend(position: SpendPosition) -> str:
    """The spend position as terminal text (what `winterbot status SLUG` prints)."""
    out = [
        f"{position.programme_name} ({position.programme_slug}): spend on {position.today:%a %d %b %Y}",
        "",
        f"Allocated so far {pence(position.allocated_so_far)} of {pence(position.allocated_total)}",
        (
            f"Actual {pence(position.actual)}, committed {pence(position.committed)}, commitment "
            f"{pence(position.commitment)} ({percent_of(position.commitment, position.allocated_total)} of the allocation)"
        ),
    ]
    for s in position.by_source:
        out.append(
            f"  {source_label(s.funding_source):<22} allocated {pence(s.allocated_so_far)} of "
            f"{pence(s.allocated_total)}; actual {pence(s.actual)}, committed {pence(s.committed)}"
        )
    out += ["", *forecast_lines(position), ""]
    out.append(f"Flags ({len(position.flags)}):" if position.flags else "Flags: none")
    out += [f"  ! {flag.message}" for flag in position.flags]
    out += ["", f"{'Scheme':<28} {'Budget':>14} {'Actual':>14} {'Committed':>14} {'Activity':>18}  Last report"]
    for scheme in position.schemes:
        activity = f"{format_quantity(scheme.activity)}/{format_quantity(scheme.planned)}"
        last = f"{scheme.last_reported:%d %b}" if scheme.last_reported else "never"
        out.append(
            f"{shortened(scheme.key + ' ' + scheme.name, 28):<28} {pence(scheme.budget):>14} {pence(scheme.actual):>14} "
            f"{pence(scheme.committed):>14} {activity:>18}  {last}"
        )
    return "\n".join(out)
