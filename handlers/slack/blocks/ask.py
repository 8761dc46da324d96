"""`/winter ask`: a question confirmed to the lead who asked it, the questions of the last two
weeks with their answers, or why not. Pure functions.

Every answer is quoted whole and attributed to its organisation and person; a message holds at
most MESSAGE_BLOCKS blocks, so what does not fit is counted ("N more answers") rather than cut.
Answers are packed into sections of at most SECTION_TEXT characters, and the sections are shared
out between the questions in turn, so an early question with many answers cannot crowd out the rest.
"""

from __future__ import annotations

from typing import Any

from bot.checkin import answers_words
from bot.checkin.question_words import audience_words
from bot.checkin.questions import (
    LOOK_BACK_DAYS,
    AnswerView,
    Asked,
    AskRefused,
    QuestionsView,
    QuestionWithAnswers,
)
from bot.common.wording import plural, shortened
from handlers.slack.blocks.limits import MESSAGE_BLOCKS
from handlers.slack.blocks.status import SECTION_TEXT, context, header, section
from handlers.slack.blocks.text import escape

Json = dict[str, Any]
AskResult = Asked | AskRefused | QuestionsView

QUESTIONS_SHOWN = 10  # each takes a divider, a heading and (when needed) an "N more" line
_FIXED = 3  # header, the context under it, the footer


def ask_blocks(result: AskResult) -> list[Json]:
    if isinstance(result, AskRefused):
        return [section(escape(result.message))]
    if isinstance(result, Asked):
        return [
            section(f":white_check_mark: {escape(result.message)}"),
            section(shortened(quote(result.text), SECTION_TEXT)),
            context(f"Asked of {audience_words(result.audience)}. Shown only to you."),
        ]
    return answers_blocks(result)


def ask_text(result: AskResult) -> str:
    """The plain-text fallback for notifications and screen readers."""
    if isinstance(result, (Asked, AskRefused)):
        return result.message
    if not result.questions:
        return f"No questions asked of partners on {result.programme_name} in the last {LOOK_BACK_DAYS} days."
    answers = sum(q.answered for q in result.questions)
    return (
        f"{plural(len(result.questions), 'question')} asked of partners on {result.programme_name} in the last "
        f"{LOOK_BACK_DAYS} days; {plural(answers, 'answer')} so far."
    )


def answers_blocks(view: QuestionsView) -> list[Json]:
    blocks: list[Json] = [
        header(f"The leads' questions: {view.programme_name}"),
        context(f"Asked since {view.since:%a %-d %b %Y}, newest first. Shown only to you."),
    ]
    if not view.questions:
        blocks.append(section(answers_words.NO_QUESTIONS))
        return blocks
    shown = view.questions[:QUESTIONS_SHOWN]
    packed = [_pack([_answer_text(a) for a in q.answers]) for q in shown]
    room = MESSAGE_BLOCKS - _FIXED - sum(2 + (1 if chunks else 0) for chunks in packed)
    given = _share(packed, room)
    for question, chunks, n in zip(shown, packed, given, strict=False):
        blocks += [{"type": "divider"}, section(_heading(question, view))]
        blocks += [section(text) for text, _ in chunks[:n]]
        left = sum(count for _, count in chunks[n:])
        if left:
            blocks.append(context(f"{plural(left, 'more answer')} not shown here: the message is full."))
    more = len(view.questions) - len(shown)
    blocks.append(context(answers_words.footer(more)))
    return blocks


def quote(text: str) -> str:
    return "\n".join(f"> {line}" if line.strip() else ">" for line in escape(text).splitlines() or [""])


def _heading(question: QuestionWithAnswers, view: QuestionsView) -> str:
    meta = answers_words.asked_line(question, view.today, escape)
    return shortened(f"{quote(question.text)}\n{meta}", SECTION_TEXT)


def _answer_text(answer: AnswerView) -> str:
    by = f"*{escape(answer.organisation)}* ({escape(answer.member_name)}), {answer.answered_on:%a %-d %b}"
    return f"{by}\n{quote(answer.text)}"


def _pack(texts: list[str]) -> list[tuple[str, int]]:
    """Whole answers packed into sections of at most SECTION_TEXT characters: (text, answers in it)."""
    chunks: list[tuple[str, int]] = []
    for text in texts:
        text = shortened(text, SECTION_TEXT)  # an answer is at most 1,000 characters: this never cuts
        if chunks and len(chunks[-1][0]) + 2 + len(text) <= SECTION_TEXT:
            joined, count = chunks[-1]
            chunks[-1] = (f"{joined}\n\n{text}", count + 1)
        else:
            chunks.append((text, 1))
    return chunks


def _share(packed: list[list[tuple[str, int]]], room: int) -> list[int]:
    """How many sections each question gets: one at a time to each question in turn."""
    given = [0] * len(packed)
    while room > 0:
        progressed = False
        for index, chunks in enumerate(packed):
            if room > 0 and given[index] < len(chunks):
                given[index] += 1
                room -= 1
                progressed = True
        if not progressed:
            break
    return given
