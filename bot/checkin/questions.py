"""The leads' questions: `/winter ask QUESTION` puts a question on partners' next check-ins,
the partners answer it in the check-in, and `/winter ask` shows the leads the answers.

Platform-neutral: a handler passes the chat user and the text, and renders the plain result.
Everything runs in the caller's unit of work (flushed, not committed here).

Rules:
- Only admins and leads ask, on a programme where their live membership has that role; the
  programme is chosen as for every lead's command (bot.people.lead_commands): a leading programme slug
  picks it, otherwise the one programme they lead (or act on).
- After the optional slug, `community:` or `statutory:` puts the question to that sector only
  (models.vocabulary.STATUTORY_KINDS decides which organisations are statutory); otherwise
  it goes to every partner.
- The question is required and at most MAX_TEXT (500) characters as written; NHS numbers are
  redacted (bot.common.redact) before it is stored. Each question writes an AuditEvent ("question.asked").
- A question is put on check-ins from the day it is asked until `closes_on` (included): by
  default the OPEN_WORKING_DAYS-th (5th) working day after asking, bank holidays skipped.
- A partner sees it until they answer; once answered it leaves their form, except on the day
  they answered it, so amending that day's check-in shows their answer again. Answers are
  append-only: the newest answer of a member to a question is the one that counts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import cast

from sqlmodel import Session, col, select

from bot.checkin.prompts import PROMPTED_ROLES
from bot.common.calendar import add_working_days, local_date
from bot.common.redact import redact
from bot.people.lead_commands import NotForYou, Refusal, audit, lead_command
from models.tables import CheckIn, Member, Organisation, Programme, Question, QuestionAnswer, row_id
from models.vocabulary import STATUTORY_KINDS

MAX_TEXT = 500
MAX_ANSWER = 1000
OPEN_WORKING_DAYS = 5
LOOK_BACK_DAYS = 14
QUESTIONS_ON_FORM = 5  # at most this many on one check-in, those closing soonest first

ALL, COMMUNITY, STATUTORY = "all", "community", "statutory"
AUDIENCE_WORDS = {ALL: "every partner", COMMUNITY: "community partners", STATUTORY: "statutory partners"}


def audience_words(audience: str) -> str:
    """Whom a question was asked of, in words: "community partners"."""
    return AUDIENCE_WORDS.get(audience, AUDIENCE_WORDS[ALL])


EXAMPLE = "/winter ask How many people are waiting for a package of care today?"
USAGE = "ask [community: | statutory:] QUESTION"
_AUDIENCE = re.compile(r"^(community|statutory|all)\s*:\s*", re.IGNORECASE)
NOT_A_LEAD = "If there is something the leads should ask, tell one of them, or say it in your check-in."


def question_key(question_id: int) -> str:
    """The check-in field of a question: "question:12"."""
    return f"question:{question_id}"


def sector_of(kind: str) -> str:
    return STATUTORY if kind in STATUTORY_KINDS else COMMUNITY


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


@dataclass(frozen=True)
class AskRefused:
    reason: Refusal
    message: str


@dataclass(frozen=True)
class QuestionOnForm:
    """An open question on one member's check-in; `answer` is their answer given today, if any."""

    id: int
    text: str
    asked_by: str
    asked_by_organisation: str
    asked_on: date
    closes_on: date
    answer: str | None = None

    @property
    def key(self) -> str:
        return question_key(self.id)


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
    if not body:
        return AskRefused(
            "empty",
            f"Write the question after the command, for example `{EXAMPLE}`. Start it with `community:` or "
            "`statutory:` to ask one sector only. `/winter ask` on its own shows the answers so far.",
        )
    if len(body) > MAX_TEXT:
        return AskRefused(
            "too_long",
            f"That question is {len(body):,} characters; the most is {MAX_TEXT:,}. "
            "A short question gets quicker answers: shorten it and send it again.",
        )
    cleaned = redact(body)
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
    session.add(question)
    session.flush()
    detail = {
        "local_date": day.isoformat(),
        "closes_on": question.closes_on.isoformat(),
        "audience": audience,
        "text": cleaned.text,
        "redactions": cleaned.count,
    }
    audit(session, member, "question.asked", f"question:{question.id}", detail, now)
    session.flush()
    partners = len(_audience_members(session, row_id(programme), audience))
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
        message=_asked_message(programme.name, audience, partners, question.closes_on, cleaned.count),
    )


def split_audience(text: str) -> tuple[str, str]:
    """("community", "How many ...") from "community: How many ..."; ("all", text) otherwise."""
    text = (text or "").strip()
    match = _AUDIENCE.match(text)
    if match is None:
        return ALL, text
    return match[1].lower(), text[match.end() :].strip()


def _asked_message(programme: str, audience: str, partners: int, closes_on: date, redactions: int) -> str:
    who = "partner" if audience == ALL else f"{audience} partner"
    if partners:
        people = f"1 {who}" if partners == 1 else f"{partners} {who}s"
        message = (
            f"Question asked on {programme}: {people} will see it at their next check-in, "
            f"until {closes_on:%a %-d %b}. `/winter ask` shows the answers."
        )
    else:
        message = (
            f"Question stored on {programme}, but no {who} is on the programme yet, so nobody will see it "
            f"unless one joins by {closes_on:%a %-d %b}."
        )
    if redactions:
        numbers = "1 NHS number was" if redactions == 1 else f"{redactions} NHS numbers were"
        message += f" {numbers} removed before it was stored: no patient details in chat, please."
    return message


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
    partners = _partners_by_sector(session, programme_id)
    out = []
    for question, asker, organisation in rows:
        given = answers.get(row_id(question), [])
        audience = set().union(*(ids for sector, ids in partners.items() if question.audience in (ALL, sector)))
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


def _partners_by_sector(session: Session, programme_id: int) -> dict[str, set[int]]:
    rows = session.exec(
        select(Member.id, Organisation.kind)
        .join(Organisation, col(Organisation.id) == col(Member.organisation_id))
        .where(
            Member.programme_id == programme_id,
            col(Member.archived_at).is_(None),
            col(Organisation.archived_at).is_(None),
            col(Member.role).in_([str(r) for r in PROMPTED_ROLES]),
        )
    ).all()
    out: dict[str, set[int]] = {COMMUNITY: set(), STATUTORY: set()}
    for member_id, kind in rows:
        out[sector_of(kind)].add(cast(int, member_id))  # Member.id: the primary key, never NULL
    return out


def _audience_members(session: Session, programme_id: int, audience: str) -> set[int]:
    partners = _partners_by_sector(session, programme_id)
    return set().union(*(ids for sector, ids in partners.items() if audience in (ALL, sector)))


# on the check-in


def open_questions_for(session: Session, member: Member, today: date) -> list[QuestionOnForm]:
    """The questions on this member's check-in today: of their programme, asked on or before
    today, not closed, to everyone or to their organisation's sector, and not answered by them
    before today. At most QUESTIONS_ON_FORM, those closing soonest first."""
    organisation = session.get(Organisation, member.organisation_id)
    if organisation is None:
        return []
    rows = session.exec(
        select(Question, Member.name, Organisation.name)
        .join(Member, col(Member.id) == col(Question.member_id))
        .join(Organisation, col(Organisation.id) == col(Member.organisation_id))
        .where(
            Question.programme_id == member.programme_id,
            col(Question.local_date) <= today,
            col(Question.closes_on) >= today,
            col(Question.audience).in_([ALL, sector_of(organisation.kind)]),
        )
        .order_by(col(Question.closes_on), col(Question.id))
    ).all()
    if not rows:
        return []
    answered = _members_answers(session, row_id(member), [row_id(q) for q, _, _ in rows])
    out = []
    for question, asker, asker_organisation in rows:
        last = answered.get(row_id(question))
        if last is not None and last[1] != today:
            continue
        out.append(
            QuestionOnForm(
                id=row_id(question),
                text=question.text,
                asked_by=asker,
                asked_by_organisation=asker_organisation,
                asked_on=question.local_date,
                closes_on=question.closes_on,
                answer=last[0] if last is not None else None,
            )
        )
    return out[:QUESTIONS_ON_FORM]


def _members_answers(session: Session, member_id: int, question_ids: list[int]) -> dict[int, tuple[str, date]]:
    """The member's newest answer to each question, and the local date of its check-in."""
    rows = session.exec(
        select(col(QuestionAnswer.question_id), col(QuestionAnswer.text), col(CheckIn.local_date))
        .join(CheckIn, col(CheckIn.id) == col(QuestionAnswer.checkin_id))
        .where(QuestionAnswer.member_id == member_id, col(QuestionAnswer.question_id).in_(question_ids))
        .order_by(col(QuestionAnswer.id).desc())
    ).all()
    found: dict[int, tuple[str, date]] = {}
    for question_id, text, day in rows:
        found.setdefault(question_id, (text, day))
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
        return AskRefused(chosen.reason, message)
    return chosen.member, chosen.programme, chosen.body
