"""The spend flags: pure rules over a position and its period, each a sentence a lead can act on.

Flags:
- underspend_risk: the recent-rate outturn below `underspend_risk_percent` of the total
  allocation (programme file thresholds), with hysteresis: raised after
  `underspend_after_working_days` working days below, cleared after as many at or above
  (bot.spend.underspend decides; the sentence gives today's figures and the day it was raised).
- overcommitted: actual + committed above the total allocation; per scheme, above its budget.
- silent_scheme: no ledger row for `silent_after_working_days` working days or more, counted
  from the day after the last row to yesterday (a scheme that never reported: from the start).
- activity_behind_plan: activity to date below 75% of planned x (working days elapsed / working
  days in the period), judged once 10% of the period's working days have passed.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from bot.common.calendar import silent_working_days
from bot.common.labels import unit_label
from bot.common.money import format_money, format_quantity
from bot.common.thresholds import thresholds_of
from bot.common.wording import plural
from bot.spend.period import Period
from bot.spend.position import Flag, SchemeSpend, SpendPosition
from bot.spend.underspend import UnderspendState
from bot.spend.words import percent_below, percent_of, quantity_in
from models.tables import Programme

BEHIND_PLAN_SHARE = Decimal("0.75")  # activity below 75% of the pro-rata plan is behind
BEHIND_PLAN_AFTER = Decimal("0.10")  # judged only once 10% of the period's working days have passed


@dataclass(frozen=True)
class SpendThresholds:
    """The programme file's thresholds the spend flags use (bot.common.thresholds fills them);
    the status screen counts a stale capacity report as a silent scheme is counted."""

    underspend_risk_percent: int = 90
    silent_after_working_days: int = 3
    underspend_after_working_days: int = 3


def spend_thresholds(programme: Programme) -> SpendThresholds:
    return thresholds_of(SpendThresholds, programme.settings)


def spend_flags(
    position: SpendPosition, period: Period, thresholds: SpendThresholds, underspend: UnderspendState
) -> tuple[Flag, ...]:
    flags = [
        *_underspend(position, thresholds, underspend),
        *_overcommitted(position),
    ]
    for scheme in position.schemes:
        flags += _silent(scheme, period, thresholds.silent_after_working_days)
        flags += _behind_plan(scheme, period)
    return tuple(flags)


def _underspend(position: SpendPosition, thresholds: SpendThresholds, state: UnderspendState) -> list[Flag]:
    """Raised or not by the readings of the working days before (bot.spend.underspend); the
    sentence gives today's forecast, which may already be back at or above the threshold."""
    forecast, allocation = position.forecast, position.allocated_total
    percent, after = thresholds.underspend_risk_percent, thresholds.underspend_after_working_days
    if state.raised_on is None or allocation <= 0:
        return []
    outturn = forecast.outturn_recent
    clears = ""
    if outturn * 100 < allocation * percent:
        where = f"{percent_below(outturn, allocation, percent)} of the {format_money(allocation)} allocation, below"
    else:
        where = f"{percent_of(outturn, allocation)} of the {format_money(allocation)} allocation, back at or above"
        clears = f" The flag clears after {plural(after, 'working day')} in a row at or above it."
    return [
        Flag(
            "underspend_risk",
            position.programme_slug,
            f"Underspend risk (raised {state.raised_on:%a %d %b}): at the recent run rate "
            f"({format_money(forecast.recent_run_rate)} a working day) the forecast outturn is "
            f"{format_money(outturn)}, {where} the {percent}% threshold; "
            f"{format_money(forecast.run_rate_needed)} a working day is needed to spend it all.{clears}",
            raised_on=state.raised_on,
        )
    ]


def _overcommitted(position: SpendPosition) -> list[Flag]:
    flags = []
    if position.commitment > position.allocated_total:
        flags.append(
            Flag(
                "overcommitted",
                position.programme_slug,
                f"Overcommitted: spent and committed {format_money(position.commitment, pence=True)} is "
                f"{format_money(position.commitment - position.allocated_total, pence=True)} more than the "
                f"{format_money(position.allocated_total, pence=True)} allocation.",
            )
        )
    for s in position.schemes:
        commitment = s.actual + s.committed
        if commitment > s.budget:
            flags.append(
                Flag(
                    "overcommitted",
                    s.key,
                    f"{s.name} is overcommitted: spent and committed {format_money(commitment, pence=True)} is "
                    f"{format_money(commitment - s.budget, pence=True)} over its budget of "
                    f"{format_money(s.budget, pence=True)}.",
                )
            )
    return flags


def _silent(scheme: SchemeSpend, period: Period, after: int) -> list[Flag]:
    days = silent_working_days(scheme.last_reported, period.start, period.judged_until)
    if days < after:
        return []
    since = f"last report {scheme.last_reported:%a %d %b}" if scheme.last_reported else "never reported"
    return [
        Flag(
            "silent_scheme",
            scheme.key,
            f"{scheme.name} ({scheme.owner}) has not reported for {days} working days ({since}).",
        )
    ]


def _behind_plan(scheme: SchemeSpend, period: Period) -> list[Flag]:
    """Activity below 75% of the plan pro rata to the working days elapsed; judged once 10% of
    the period has passed. Compared exactly: activity x total < 0.75 x planned x elapsed."""
    if scheme.planned <= 0 or period.total == 0 or period.share_elapsed < BEHIND_PLAN_AFTER:
        return []
    if scheme.activity * period.total >= BEHIND_PLAN_SHARE * scheme.planned * period.elapsed:
        return []
    expected = quantity_in(scheme.planned * period.elapsed / period.total, scheme.unit)
    unit = unit_label(scheme.unit)
    return [
        Flag(
            "activity_behind_plan",
            scheme.key,
            f"{scheme.name} is behind plan: {format_quantity(scheme.activity)} {unit} to date against "
            f"{expected} expected by now ({format_quantity(scheme.planned)} planned by the deadline).",
        )
    ]
