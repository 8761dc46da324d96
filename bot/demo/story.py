"""The story of the demo's winter: who answers how often, what the leads decide and ask, and
the shape of the season (capacity levels, measures, the share of budgets spent) that
bot.demo.simulation plays day by day.

Most partners answer daily, two are patchy and the housing association goes quiet; Brightside
Home Care comes under growing pressure into January (level 4 after New Year); discharges rise
after Christmas; spend starts slowly, so the forecast flags an underspend until the leads'
mid-January decisions show in the figures (early February); the ICB's step-down top-up is
announced on 12 January (the programme file is loaded again with it); recruitment lags its plan.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import yaml

from bot.common.calendar import count_working_days

START = date(2026, 12, 1)
PERIOD_START = date(2026, 12, 7)  # the first tranches can be drawn on
TOP_UP_ANNOUNCED = date(2027, 1, 12)
LEADS_ACT = date(2027, 1, 15)  # the underspend decision; spending picks up after it
TOP_UP_TRANCHE = "icb-step-down-top-up"
STEP_DOWN = "step-down-beds"
LEAD = "U0VALE00003"  # Tom Hartley, the council's lead, works the register


@dataclass(frozen=True)
class Habit:
    answers: float  # chance of checking in on a working day
    late: float  # chance the answer comes only after the reminder
    nothing_new: float = 0.0  # chance of pressing "Nothing new today" instead of the form


HABITS: dict[str, Habit] = {
    "U0VALE00006": Habit(0.97, 0.05),  # Gareth Lewis, council
    "U0VALE00007": Habit(0.45, 0.3, nothing_new=0.9),  # Chris Adeyemi, council's second
    "U0VALE00008": Habit(0.92, 0.1),  # Sandra Okoye, hospital
    "U0VALE00009": Habit(0.9, 0.1),  # Nadia Hussain, ICB
    "U0VALE00010": Habit(0.8, 0.3),  # Joan Fielding, Age Well Vale
    "U0VALE00011": Habit(0.9, 0.2),  # Marcus Bell, Home from Hospital
    "U0VALE00012": Habit(0.98, 0.05),  # Kerry Walsh, Brightside Home Care
    "U0VALE00013": Habit(0.85, 0.2),  # Daniel Reid, Meadowbank
    "U0VALE00014": Habit(0.75, 0.25),  # Dr Sam Patel, PCN
    "U0VALE00015": Habit(0.4, 0.3, nothing_new=0.8),  # Lucy Chen, PCN's second
    "U0VALE00016": Habit(0.9, 0.15),  # Rachel Morris, community health
    "U0VALE00017": Habit(0.3, 0.5),  # Owen Jones, Vale Homes: the blind spot
    "U0VALE00018": Habit(0.95, 0.05),  # Fiona Grant, hospice
    "U0VALE00019": Habit(0.85, 0.15),  # Beth Collins, Orchard Lodge
}

# The leads' decisions; one that settles a partner's open blocker answers it ("... answers 12"): the
# blockers' story (bot.demo.voices) says which, by the decision's day.
DECISIONS: dict[date, str] = {
    date(2026, 12, 4): "Daily huddle at 08:45 on working days from Monday 7 December; the brief is read first.",
    date(2026, 12, 18): "Christmas cover: Meadowbank takes Brightside's overflow of new packages until 8 January.",
    date(2027, 1, 8): "Open ten more step-down beds at Orchard Lodge as soon as the ICB top-up is confirmed.",
    LEADS_ACT: "Underspend: bring forward equipment orders and extend bridging care to 31 March; review weekly.",
    date(2027, 1, 29): "Top-up of £600,000 confirmed: the step-down beds budget rises to £1,200,000.",
    date(2027, 2, 12): "Recruitment payments extended to agency staff moving to permanent contracts.",
    date(2027, 3, 5): "Final month: commit the remaining balance by 19 March; anything unspent is returned.",
}

QUESTION_DAY = date(2027, 1, 5)
QUESTION = "community: Are people reaching you without a medication list or a discharge letter this week?"
ANSWERS = (
    "Yes, three people this week arrived with no medication list.",
    "Letters are arriving a day late, but medication lists are fine.",
    "Not this week.",
)
REDACTION_DAY = date(2027, 1, 6)  # one comment carries an NHS number, to show it never lands


# --- the shape of the winter ------------------------------------------------------------------


def level_for(organisation: str, service: str, day: date, rng: random.Random) -> int:
    """The capacity level a service reports: Brightside under growing pressure, a January peak
    for the others, noise of a level either way now and then."""
    if organisation == "brightside-care":
        for until, level in (
            (date(2026, 12, 11), 2),
            (date(2027, 1, 1), 3),
            (date(2027, 1, 22), 4),
            (date(2027, 2, 12), 3),
        ):
            if day <= until:
                return level
        return 2
    january = date(2027, 1, 4) <= day <= date(2027, 1, 29)
    base = 2 if service in {"home_care", "gp", "community_nursing", "acute_discharge"} else 1
    if january and service in {"gp", "acute_discharge", "community_nursing"}:
        base = 3
    wobble = rng.random()
    return max(1, min(4, base + (1 if wobble > 0.93 else -1 if wobble < 0.05 else 0)))


def measures_for(service: str, level: int, day: date, rng: random.Random) -> dict[str, Decimal]:
    n = lambda lo, hi: Decimal(rng.randint(lo, hi))  # noqa: E731
    if service == "home_care":
        return {"hours_not_delivered": n(0, 4) + 18 * (level - 1), "people_waiting": n(0, 2) + 3 * (level - 1)}
    if service == "gp":
        return {"same_day_capacity_used": min(Decimal(100), 62 + 9 * level + n(0, 6))}
    if service == "vcs":
        return {"referrals_turned_away": n(0, 1) + max(0, level - 2)}
    if service == "community_nursing":
        return {"visits_deferred": n(0, 3) + 4 * (level - 1)}
    if service == "acute_discharge":
        surge = 14 if date(2027, 1, 4) <= day <= date(2027, 1, 22) else 0
        return {"discharges": n(36, 44) + surge + (day.toordinal() % 7 == 0) * 3}
    return {}


def spent_share(day: date, deadline: date) -> Decimal:
    """The cumulative share of a budget spent by `day`: slow until the leads act, then a
    catch-up that ends a little short of the whole."""
    total = count_working_days(PERIOD_START, deadline)
    elapsed = Decimal(count_working_days(PERIOD_START, day)) / total
    acted = Decimal(count_working_days(PERIOD_START, LEADS_ACT)) / total
    slow = Decimal("0.62") * min(elapsed, acted)
    if elapsed <= acted:
        return slow
    return slow + (Decimal("0.97") - slow) * (elapsed - acted) / (1 - acted)


def whole_pounds(value: Decimal) -> Decimal:
    return value.quantize(Decimal("1"), rounding=ROUND_HALF_UP)


def december_file(sample: Path, out: Path) -> Path:
    """The programme as it stood in December: no top-up tranche yet, the step-down beds
    budgeted on the ICB's first allocation alone."""
    data = yaml.safe_load(sample.read_text(encoding="utf-8"))
    data["programme"]["tranches"] = [t for t in data["programme"]["tranches"] if t["key"] != TOP_UP_TRANCHE]
    for scheme in data["schemes"]:
        if scheme["key"] == STEP_DOWN:
            scheme["budget"], scheme["planned"] = "£600,000", 500
    out.write_text(
        "# The Vale's programme file as first loaded, before the January top-up.\n"
        + yaml.safe_dump(data, sort_keys=False, allow_unicode=True),
        encoding="utf-8",
    )
    return out
