"""The check-in form's own words, asked alike on both platforms: its title and button, what it
says about today's answer, and each input's placeholder and hint (bot.checkin.said has the words
about the figures and what was stored)."""

from __future__ import annotations

from bot.checkin.form import CheckinForm, MeasureOnForm, OpenBlocker, ServiceOnForm, TodaysCheckin, quantity_text
from bot.checkin.questions_on_form import QuestionOnForm
from bot.common.wording import shortened

FIGURES_TO_DATE = "Figures are to date (cumulative) and start as the last answer: change what has moved."
LEVEL_PLACEHOLDER = "Choose a level, 1 to 4"
MEASURE_PLACEHOLDER = "Optional: leave blank if you have no figure today"
QUESTION_PLACEHOLDER = "Optional: leave blank to skip"
QUESTIONS_HEADING = "The leads ask"
QUESTIONS_NOTE = "answer what you can; each question is optional"
CORRECTION_LABEL = "Correction"
COMMENT_LABEL = "Anything the leads should hear"


def form_title(form: CheckinForm) -> str:
    return "Amend today's check-in" if form.amending else "Today's check-in"


def submit_words(form: CheckinForm) -> str:
    return "Save changes" if form.amending else "Send check-in"


def checked_in_sentence(today: TodaysCheckin) -> str:
    return f"You checked in at {today.submitted_at:%H:%M}. Saving again keeps that answer in the history."


def last_level_hint(service: ServiceOnForm) -> str | None:
    if service.last_date is None:
        return None
    return f"Last: level {service.last_level} on {service.last_date:%a %-d %b}"


def last_measure_hint(measure: MeasureOnForm) -> str | None:
    """Yesterday's number is shown, never prefilled: it is not today's."""
    if measure.last_value is None or measure.last_date is None:
        return None
    return f"Last: {quantity_text(measure.last_value)} on {measure.last_date:%a %-d %b}"


def question_hint(question: QuestionOnForm) -> str:
    """Who asked the question and until when it is open."""
    asker = question.asked_by + (f" ({question.asked_by_organisation})" if question.asked_by_organisation else "")
    return f"Asked by {asker} on {question.asked_on:%a %-d %b}; open until {question.closes_on:%a %-d %b}"


BLOCKERS_LABEL = "New blockers"


def blockers_hint(form: CheckinForm, command: str = "/winter blockers") -> str:
    """Under the New blockers box: only what is new; the open ones are asked after above it."""
    if form.open_blockers:
        return "Only what is new: your organisation's open blockers are asked about above."
    return "What is getting in the way, if anything. Each one goes to the leads to answer."


OPEN_BLOCKERS_HEADING = "Your organisation's open blockers"
STANDING_LABELS = {
    "still": "Still a problem",
    "resolved": "Resolved",
    "changed": "Changed (say how under New blockers)",
}


def open_blocker_label(blocker: OpenBlocker) -> str:
    """The question about one open blocker: its number, words and age."""
    state = " (a lead is on it)" if blocker.status == "working" else ""
    return shortened(f"#{blocker.blocker_id} since {blocker.raised_on:%a %-d %b}{state}: {blocker.text}", 150)
