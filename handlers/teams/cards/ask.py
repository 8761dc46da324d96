"""`ask`: a question confirmed to the lead who asked it, or the questions of the last two
weeks with every answer quoted and attributed to its organisation, or why not."""

from __future__ import annotations

from microsoft_teams.cards import CardElement

from bot.questions import AUDIENCE_WORDS, LOOK_BACK_DAYS, AnswerView, Asked, AskRefused, QuestionsView, QuestionWithAnswers
from handlers.teams.cards.base import Card, card, heading, line, plain
from handlers.teams.cards.text import teams_words

AskResult = Asked | AskRefused | QuestionsView
QUESTIONS_SHOWN = 10
ANSWERS_SHOWN = 30  # a question's answers in one card; the rest are counted
HOW_TO_ASK = "Ask another with `ask QUESTION`; `community:` or `statutory:` first asks one sector."


def ask_card(result: AskResult) -> Card:
    if isinstance(result, AskRefused):
        return card([line(plain(teams_words(result.message)))])
    if isinstance(result, Asked):
        return card([
            line(f"✅ {plain(result.message)}"),
            line(f"“{plain(result.text)}”"),
            line(f"Asked of {_audience(result.audience)}.", subtle=True),
        ])
    return answers_card(result)


def answers_card(view: QuestionsView) -> Card:
    body: list[CardElement] = [
        heading(f"The leads' questions: {view.programme_name}"),
        line(f"Asked since {view.since:%a %-d %b %Y}, newest first.", subtle=True),
    ]
    if not view.questions:
        body.append(line(
            f"No questions in the last {LOOK_BACK_DAYS} days. Ask one with `ask QUESTION`: it goes on every "
            "partner's next check-in (start it with `community:` or `statutory:` for one sector)."
        ))
        return card(body)
    for question in view.questions[:QUESTIONS_SHOWN]:
        body += _question(question, view)
    more = len(view.questions) - QUESTIONS_SHOWN
    body.append(line((f"{more} older questions not shown. " if more > 0 else "") + HOW_TO_ASK, subtle=True))
    return card(body)


def _question(question: QuestionWithAnswers, view: QuestionsView) -> list[CardElement]:
    status = (f"open until {question.closes_on:%a %-d %b}" if question.closes_on >= view.today
              else f"closed {question.closes_on:%a %-d %b}")
    asker = plain(question.asked_by) + (f" ({plain(question.asked_by_organisation)})" if question.asked_by_organisation else "")
    first = line(f"**“{plain(question.text)}”**")
    first.separator = True
    body: list[CardElement] = [first, line(
        f"Asked by {asker} on {question.asked_on:%a %-d %b} of {_audience(question.audience)}, {status}. "
        f"{question.answered} of {question.asked} answered.", subtle=True,
    )]
    body += [line(_answer(a)) for a in question.answers[:ANSWERS_SHOWN]]
    if len(question.answers) > ANSWERS_SHOWN:
        body.append(line(f"{len(question.answers) - ANSWERS_SHOWN} more answers not shown here.", subtle=True))
    return body


def _answer(answer: AnswerView) -> str:
    return (f"**{plain(answer.organisation)}** ({plain(answer.member_name)}), {answer.answered_on:%a %-d %b}: "
            f"“{plain(answer.text)}”")


def _audience(audience: str) -> str:
    return AUDIENCE_WORDS.get(audience, "every partner")
