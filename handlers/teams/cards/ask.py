"""`ask`: a question confirmed to the lead who asked it, or the questions of the last two
weeks with their answers, or why not.

Every answer shown is quoted whole and attributed to its organisation and person. A Teams
message holds at most 28 KB, so answers are shared out between the questions in turn until
CARD_BYTES is reached (an early question with many answers cannot crowd out the rest), and
what does not fit is counted ("N more answers") rather than cut.
"""

from __future__ import annotations

from microsoft_teams.cards import CardElement

from bot.checkin import answers_words
from bot.checkin.question_words import audience_words
from bot.checkin.questions import (
    AnswerView,
    Asked,
    AskRefused,
    QuestionsView,
    QuestionWithAnswers,
)
from bot.common.wording import plural
from handlers.teams.cards.base import Card, card, heading, line, plain
from handlers.teams.cards.text import quoted, said, size, teams_words

AskResult = Asked | AskRefused | QuestionsView
QUESTIONS_SHOWN = 10
CARD_BYTES = 24_000  # the body's budget, under Teams' 28 KB with room for the card's own JSON
MORE_BYTES = 200  # kept back for each question's "N more answers" line


def ask_card(result: AskResult) -> Card:
    if isinstance(result, AskRefused):
        return card([line(said(result.message))])
    if isinstance(result, Asked):
        return card(
            [
                line(f"✅ {said(result.message)}"),
                quoted(result.text),
                line(f"Asked of {audience_words(result.audience)}.", subtle=True),
            ]
        )
    return answers_card(result)


def answers_card(view: QuestionsView) -> Card:
    body: list[CardElement] = [
        heading(f"The leads' questions: {view.programme_name}"),
        line(f"Asked since {view.since:%a %-d %b %Y}, newest first.", subtle=True),
    ]
    if not view.questions:
        body.append(line(teams_words(answers_words.NO_QUESTIONS)))
        return card(body)
    shown = view.questions[:QUESTIONS_SHOWN]
    more = len(view.questions) - len(shown)
    footer = line(teams_words(answers_words.footer(more)), subtle=True)
    headings = [_heading(q, view) for q in shown]
    answers = [[_answer(a) for a in q.answers] for q in shown]
    fixed = sum(size(e) for e in [*body, footer, *(e for h in headings for e in h)]) + MORE_BYTES * len(shown)
    given = share([[sum(size(e) for e in a) for a in each] for each in answers], CARD_BYTES - fixed)
    for top, each, n in zip(headings, answers, given, strict=False):
        body += top
        body += [e for a in each[:n] for e in a]
        if len(each) > n:
            body.append(line(f"{plural(len(each) - n, 'more answer')} not shown here: the card is full.", subtle=True))
    return card([*body, footer])


def share(sizes: list[list[int]], room: int) -> list[int]:
    """How many answers each question shows: one to each question in turn while `room` bytes last;
    a question whose next answer does not fit gets no more."""
    given = [0] * len(sizes)
    open_ = set(range(len(sizes)))
    while open_:
        for index in sorted(open_):
            if given[index] == len(sizes[index]) or sizes[index][given[index]] > room:
                open_.discard(index)
                continue
            room -= sizes[index][given[index]]
            given[index] += 1
    return given


def _heading(question: QuestionWithAnswers, view: QuestionsView) -> list[CardElement]:
    first = quoted(question.text)
    first.separator = True
    first.spacing = "Large"
    return [
        first,
        line(answers_words.asked_line(question, view.today, plain), subtle=True),
    ]


def _answer(answer: AnswerView) -> list[CardElement]:
    by = line(f"**{plain(answer.organisation)}** ({plain(answer.member_name)}), {answer.answered_on:%a %-d %b}")
    return [by, quoted(answer.text)]
