"""The leads' questions: `/winter ask QUESTION` puts a question on partners' next check-ins,
the partners answer it in the check-in (bot.checkin.questions_on_form), and `/winter ask` shows the
leads the answers. The words are bot.checkin.question_words'.

Platform-neutral: a handler passes the chat user and the text, and renders the plain result.
Everything runs in the caller's unit of work (flushed, not committed here).

Rules:
- Only admins and leads ask, on a programme where their live membership has that role; the
  programme is chosen as for every lead's command (bot.people.lead_commands): a leading programme slug
  picks it, otherwise the one programme they lead (or act on).
- After the optional slug, `community:` or `statutory:` puts the question to that sector only
  (bot.checkin.audiences); otherwise it goes to every partner.
- The question is required and at most MAX_TEXT (500) characters as written; NHS numbers are
  redacted (bot.common.redact) before it is stored. Each question writes an AuditEvent ("question.asked").
- A question is put on check-ins from the day it is asked until `closes_on` (included): by
  default the OPEN_WORKING_DAYS-th (5th) working day after asking, bank holidays skipped.
- Answers are append-only: the newest answer of a member to a question is the one that counts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from bot.checkin.audiences import ALL, in_audience, partners_by_sector
from bot.checkin.question_words import EXAMPLE, NOT_A_LEAD, asked_message
from bot.common.calendar import add_working_days, local_date
from bot.people.lead_commands import NotForYou, add_audited, lead_command, text_to_store
from models.tables import CheckIn, Member, Organisation, Programme, Question, QuestionAnswer, row_id

MAX_TEXT = 500
OPEN_WORKING_DAYS = 5
LOOK_BACK_DAYS = 14
_AUDIENCE = re.compile(r"^(community|statutory|all)\s*:\s*", re.IGNORECASE)


def closing_date(asked_on: date) -> date:
    """The last day the question is put on check-ins."""
    return add_working_days(asked_on, OPEN_WORKING_DAYS)


@dataclass(frozen=True)
class Asked:
    question_id: int
    programme_id: int
    programme_name: str
    text: str  # as stored: NHS numbers redacted
    audience: str
    local_date: date
    closes_on: date
    partners: int  # how many partners will see it at their next check-in
    redactions: int
    message: str  # plain sentences for the person who asked


AskRefused = NotForYou  # a lead command's refusal (bot.people.lead_commands), as `ask` gives it


@dataclass(frozen=True)
class AnswerView:
    member_name: str
    organisation: str
    text: str
    answered_on: date
    answered_at: datetime


@dataclass(frozen=True)
class QuestionWithAnswers:
    id: int
    text: str
    audience: str
    asked_by: str
    asked_by_organisation: str
    asked_on: date
    closes_on: date
    answers: tuple[AnswerView, ...]  # the newest answer of each member, oldest first
    asked: int  # how many partners it was put to (those answering included)

    @property
    def answered(self) -> int:
        return len(self.answers)


@dataclass(frozen=True)
class QuestionsView:
    programme_id: int
    programme_name: str
    today: date
    since: date
    questions: tuple[QuestionWithAnswers, ...]  # newest first


# asking


def ask_question(session: Session, platform: str, user_id: str, text: str, now: datetime) -> Asked | AskRefused:
    """Store a question from a chat user for partners' next check-ins, or say why not."""
    chosen = _leading(session, platform, user_id, text)
    if isinstance(chosen, AskRefused):
        return chosen
    member, programme, rest = chosen
    audience, body = split_audience(rest)
    cleaned = text_to_store(
        body,
        "question",
        MAX_TEXT,
        empty=f"Write the question after the command, for example `{EXAMPLE}`. Start it with `community:` or "
        "`statutory:` to ask one sector only. `/winter ask` on its own shows the answers so far.",
        shorten="A short question gets quicker answers: shorten it and send it again.",
    )
    if isinstance(cleaned, NotForYou):
        return cleaned
    day = local_date(now, programme.timezone)
    question = Question(
        programme_id=row_id(programme),
        member_id=row_id(member),
        text=cleaned.text,
        audience=audience,
        asked_at=now,
        local_date=day,
        closes_on=closing_date(day),
    )
    detail = {
        "local_date": day.isoformat(),
        "closes_on": question.closes_on.isoformat(),
        "audience": audience,
        "text": cleaned.text,
        "redactions": cleaned.count,
    }
    add_audited(session, member, question, "question.asked", detail, now)
    partners = len(in_audience(partners_by_sector(session, row_id(programme)), audience))
    return Asked(
        question_id=row_id(question),
        programme_id=row_id(programme),
        programme_name=programme.name,
        text=cleaned.text,
        audience=audience,
        local_date=day,
        closes_on=question.closes_on,
        partners=partners,
        redactions=cleaned.count,
        message=asked_message(programme.name, audience, partners, question.closes_on, cleaned.count),
    )


def split_audience(text: str) -> tuple[str, str]:
    """("community", "How many ...") from "community: How many ..."; ("all", text) otherwise."""
    text = (text or "").strip()
    match = _AUDIENCE.match(text)
    if match is None:
        return ALL, text
    return match[1].lower(), text[match.end() :].strip()


# the answers, for the leads


def ask_or_show(
    session: Session, platform: str, user_id: str, text: str, now: datetime
) -> Asked | AskRefused | QuestionsView:
    """`ask QUESTION` asks; `ask` alone (or with only a programme's slug) shows the answers."""
    chosen = _leading(session, platform, user_id, text)
    if isinstance(chosen, AskRefused):
        return chosen
    _, programme, rest = chosen
    if rest.strip():
        return ask_question(session, platform, user_id, text, now)
    today = local_date(now, programme.timezone)
    since = today - timedelta(days=LOOK_BACK_DAYS - 1)
    return QuestionsView(
        programme_id=row_id(programme),
        programme_name=programme.name,
        today=today,
        since=since,
        questions=tuple(answers_to(session, row_id(programme), since)),
    )


def answers_to(session: Session, programme_id: int, since: date) -> list[QuestionWithAnswers]:
    """The questions asked on or after `since`, newest first, each with the newest answer of
    every member who answered it, attributed to their organisation and name. Three queries."""
    rows = session.exec(
        select(Question, Member.name, Organisation.name)
        .join(Member, col(Member.id) == col(Question.member_id))
        .join(Organisation, col(Organisation.id) == col(Member.organisation_id))
        .where(Question.programme_id == programme_id, col(Question.local_date) >= since)
        .order_by(col(Question.asked_at).desc(), col(Question.id).desc())
    ).all()
    if not rows:
        return []
    answers = _newest_answers(session, [row_id(q) for q, _, _ in rows])
    partners = partners_by_sector(session, programme_id)
    out = []
    for question, asker, organisation in rows:
        given = answers.get(row_id(question), [])
        audience = in_audience(partners, question.audience)
        out.append(
            QuestionWithAnswers(
                id=row_id(question),
                text=question.text,
                audience=question.audience,
                asked_by=asker,
                asked_by_organisation=organisation,
                asked_on=question.local_date,
                closes_on=question.closes_on,
                answers=tuple(a for _, a in given),
                asked=len(audience | {member_id for member_id, _ in given}),
            )
        )
    return out


def _newest_answers(session: Session, question_ids: list[int]) -> dict[int, list[tuple[int, AnswerView]]]:
    """Per question, (member id, answer) for each member's newest answer, oldest answer first."""
    rows = session.exec(
        select(QuestionAnswer, col(Member.name), col(Organisation.name), col(CheckIn.local_date))
        .join(Member, col(Member.id) == col(QuestionAnswer.member_id))
        .join(Organisation, col(Organisation.id) == col(QuestionAnswer.organisation_id))
        .join(CheckIn, col(CheckIn.id) == col(QuestionAnswer.checkin_id))
        .where(col(QuestionAnswer.question_id).in_(question_ids))
        .order_by(col(QuestionAnswer.id).desc())
    ).all()
    seen: set[tuple[int, int]] = set()
    found: dict[int, list[tuple[int, AnswerView]]] = {}
    for answer, name, organisation, day in rows:
        if (answer.question_id, answer.member_id) in seen:
            continue
        seen.add((answer.question_id, answer.member_id))
        view = AnswerView(name, organisation, answer.text, day, answer.answered_at)
        found.setdefault(answer.question_id, []).append((answer.member_id, view))
    for given in found.values():
        given.reverse()
    return found


# who is asking


def _leading(session: Session, platform: str, user_id: str, text: str) -> tuple[Member, Programme, str] | AskRefused:
    """The lead's membership the command is for (bot.people.lead_commands), and the text after a
    leading programme slug."""
    chosen = lead_command(
        session, platform, user_id, text, doing="ask partners questions", example=EXAMPLE, advice=NOT_A_LEAD
    )
    if isinstance(chosen, NotForYou):
        message = chosen.message
        if chosen.reason == "which_programme":
            message = message.rstrip(".") + ", or just the short name for the answers so far."
        return NotForYou(chosen.reason, message)
    return chosen.member, chosen.programme, chosen.body
