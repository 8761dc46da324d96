"""The leads' questions on a partner's check-in (bot.checkin.questions asks them).

- A question is on the check-ins of its programme's partners from the day it is asked until
  `closes_on` (included), to everyone or to the partner organisation's sector; at most
  QUESTIONS_ON_FORM on one check-in, those closing soonest first.
- A partner sees it until they answer; once answered it leaves their form, except on the day
  they answered it, so amending that day's check-in shows their answer again. Answers are
  append-only: the newest answer of a member to a question is the one that counts. An answer
  is optional free text of at most MAX_ANSWER characters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from bot.checkin.audiences import ALL, sector_of
from bot.checkin.field_keys import question_key
from models.tables import CheckIn, Member, Organisation, Question, QuestionAnswer, row_id

MAX_ANSWER = 1000
QUESTIONS_ON_FORM = 5


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
