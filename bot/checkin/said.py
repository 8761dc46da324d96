"""What a member is told after a check-in, in words both platforms show; each platform passes
its own way of setting a name in bold (and of escaping it)."""

from __future__ import annotations

from collections.abc import Callable

from bot.checkin.form import quantity_text
from bot.checkin.ledger import CheckinResult, ReportedScheme
from models.vocabulary import Unit

Bold = Callable[[str], str]


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


def activity_words(scheme: ReportedScheme) -> str:
    figures = scheme.figures
    if scheme.unit == Unit.STAFF_WTE:
        return f"{quantity_text(figures.activity)} of {quantity_text(scheme.planned)} staff (WTE) recruited"
    return f"{quantity_text(figures.activity)} {scheme.unit_label} to date"
