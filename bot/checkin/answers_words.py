"""What a lead reading the questions of the last two weeks and their answers is told, alike on
every platform. Commands are named as Slack types them (`/winter ask`); Teams drops the
`/winter ` (handlers.teams.cards.text.teams_words)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from bot.checkin.question_words import audience_words
from bot.checkin.questions import LOOK_BACK_DAYS, QuestionWithAnswers
from bot.common.wording import plural

HOW_TO_ASK = "Ask another with `/winter ask QUESTION`; `community:` or `statutory:` first asks one sector."
NO_QUESTIONS = (
    f"No questions in the last {LOOK_BACK_DAYS} days. Ask one with `/winter ask QUESTION`: it goes "
    "on every partner's next check-in (start it with `community:` or `statutory:` for one sector)."
)


def footer(more: int) -> str:
    """How to ask another, after how many older questions are left out."""
    return (f"{plural(more, 'older question')} not shown. " if more else "") + HOW_TO_ASK


def asked_line(question: QuestionWithAnswers, today: date, escape: Callable[[str], str]) -> str:
    """Who asked, when and of whom, whether it is still open and how many answered, in italics."""
    status = (
        f"open until {question.closes_on:%a %-d %b}"
        if question.closes_on >= today
        else f"closed {question.closes_on:%a %-d %b}"
    )
    organisation = question.asked_by_organisation
    asker = escape(question.asked_by) + (f" ({escape(organisation)})" if organisation else "")
    return (
        f"_Asked by {asker} on {question.asked_on:%a %-d %b} of {audience_words(question.audience)}, {status}. "
        f"{question.answered} of {question.asked} answered._"
    )
