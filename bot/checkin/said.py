"""The check-in's own words, on the form and after it, shown alike on both platforms; where a
name is set in bold each platform passes its own way of doing it (and of escaping it)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.checkin.form import SchemeOnForm, amount_text, quantity_text
from bot.checkin.ledger import CheckinResult, ReportedScheme
from models.vocabulary import Unit

Bold = Callable[[str], str]

NO_PATIENT_DETAILS = (
    "No patient details, please: aggregate figures only. NHS numbers are removed before anything is stored."
)
CAPACITY_HEADING = "Capacity today"
CAPACITY_LEVELS = "worded like the NHS OPEL levels: 1 is steady; at 4, safety may be at risk"
CORRECTION_HINT = (
    "Only when spend or activity to date is lower than last reported: say why. Both figures stay in the audit trail."
)
MONEY_LABELS = {"actual": "Spent to date (£)", "committed": "Committed, not yet spent (£)"}


@dataclass(frozen=True)
class FigureWords:
    """How one of a scheme's three figures is asked for; `hint` is empty when there is no plan
    to show and no earlier answer."""

    label: str
    placeholder: str
    hint: str


def figure_words(scheme: SchemeOnForm, figure: str) -> FigureWords:
    last = _last_answer(scheme, figure)
    if figure == "activity":
        plan = f"Plan: {quantity_text(scheme.planned)} {scheme.unit_label} by the deadline"
        return FigureWords(scheme.activity_label, "e.g. 1,250", " · ".join(p for p in (plan, last) if p))
    return FigureWords(MONEY_LABELS[figure], "e.g. £12,500 or 12.5k", last or "")


def _last_answer(scheme: SchemeOnForm, figure: str) -> str | None:
    if scheme.last is None:
        return None
    value = scheme.last.get(figure)
    shown = quantity_text(value) if figure == "activity" else amount_text(value)
    return f"Last: {shown} on {scheme.last.local_date:%a %-d %b}"


def headline(result: CheckinResult, bold: Bold) -> str:
    org = bold(result.organisation_name)
    when = f"{result.local_date:%a %-d %b} at {result.submitted_at:%H:%M}"
    if not result.recorded:
        return (
            f"You had already checked in for {org} today ({result.submitted_at:%H:%M}), so nothing more "
            "was recorded. Open the check-in to change anything."
        )
    if result.no_change:
        return f"Recorded: nothing new today for {org} ({when}). Your last figures stand for today."
    if result.amended:
        return f"Today's check-in for {org} is amended ({when}). The earlier answer stays in the history."
    return f"Thank you: today's check-in for {org} is in ({when})."


def redaction_sentence(count: int) -> str:
    numbers = "an NHS number" if count == 1 else f"{count} NHS numbers"
    return (
        f"I removed {numbers} from what you wrote before storing it. Chat is no place for "
        "patient-identifiable details: please give aggregate figures only."
    )


def questions_answered_sentence(count: int) -> str:
    asked = "1 of the leads' questions" if count == 1 else f"{count} of the leads' questions"
    return f"You answered {asked}: thank you, the leads will see it."


def activity_words(scheme: ReportedScheme) -> str:
    figures = scheme.figures
    if scheme.unit == Unit.STAFF_WTE:
        return f"{quantity_text(figures.activity)} of {quantity_text(scheme.planned)} staff (WTE) recruited"
    return f"{quantity_text(figures.activity)} {scheme.unit_label} to date"
