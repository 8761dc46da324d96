"""Where people's own words are kept: every column of free text someone typed (a check-in's
comment and blockers, a blocker and its replies, a note on a risk, a decision, a question and its
answers, the reason for a correction), and the words the audit trail copied from them.

Retention (bot.people.retention) and forgetting a person (bot.people.forget) both remove words
here, never a number, level, date or count: a column that cannot be empty gets a marker, so a row
still counts (a check-in with blockers is still one), and the figures read the same. The export
of a person (bot.people.person_export) reads the same list, so what is exported is what is removed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlmodel import Session, SQLModel, col

from models.tables import (
    AuditEvent,
    Blocker,
    BlockerEvent,
    CheckIn,
    Decision,
    Question,
    QuestionAnswer,
    Risk,
    RiskEvent,
    SpendReport,
    table_of,
)

AFTER_RETENTION = "[words removed after the retention period]"
ON_REQUEST = "[words removed at the writer's request]"
MARKERS = (AFTER_RETENTION, ON_REQUEST)

# The audit trail's copies of what someone wrote: a decision's or question's text, a correction's reason.
AUDIT_WORD_KEYS = ("text", "reason", "note")


@dataclass(frozen=True)
class Words:
    """One column of free text: `kind` names it to people (plural), `author` is the column naming
    whoever wrote it, and `parent` and `link` reach the programme for rows that do not carry it."""

    kind: str
    model: type[SQLModel]
    column: str
    author: str | None
    parent: type[SQLModel] | None = None
    link: str | None = None
    people_only: bool = False  # only rows someone wrote (a risk's history also holds the rules' own notes)

    def _c(self, name: str, model: type[SQLModel] | None = None) -> Any:
        return table_of(model or self.model).c[name]

    def field(self) -> Any:
        return self._c(self.column)

    def in_programme(self, programme_id: int) -> ColumnElement[bool]:
        if self.parent is None:
            return self._c("programme_id") == programme_id
        assert self.link is not None
        parents = select(self._c("id", self.parent)).where(self._c("programme_id", self.parent) == programme_id)
        return self._c(self.link).in_(parents)

    def by(self, member_ids: Iterable[int]) -> ColumnElement[bool]:
        assert self.author is not None
        return self._c(self.author).in_(list(member_ids))

    def not_by(self, member_id: int) -> ColumnElement[bool]:
        """Rows someone else wrote, or nobody (a rule's note): NULL authors included."""
        assert self.author is not None
        author = self._c(self.author)
        return or_(author.is_(None), author != member_id)

    def still_there(self) -> ColumnElement[bool]:
        """Rows whose words are still there: not empty and not already a marker."""
        field = self.field()
        held = and_(field.is_not(None), field != "", field.not_in(MARKERS))
        if self.people_only and self.author is not None:
            return and_(held, self._c(self.author).is_not(None))
        return held


WORDS: tuple[Words, ...] = (
    Words("check-in comments", CheckIn, "comment", "member_id"),
    Words("check-in blockers", CheckIn, "blockers", "member_id"),
    Words("blockers", Blocker, "text", "raised_by_member_id"),
    Words("replies on blockers", BlockerEvent, "note", "member_id", Blocker, "blocker_id"),
    Words("notes on risks", RiskEvent, "note", "member_id", Risk, "risk_id", people_only=True),
    Words("decisions", Decision, "text", "member_id"),
    Words("questions", Question, "text", "member_id"),
    Words("answers to questions", QuestionAnswer, "text", "member_id", Question, "question_id"),
    Words("reasons for corrections", SpendReport, "correction_reason", "member_id"),
)

# The risk register's own details, which may quote a blocker's words (bot.risks.blocker_rules):
# removed at retention with the rest; for one person, those about their blockers (bot.people.forget).
RISK_DETAILS = Words("risk details", Risk, "detail", None)


def count_words(session: Session, words: Words, where: ColumnElement[bool]) -> int:
    statement = select(func.count()).select_from(table_of(words.model)).where(where, words.still_there())
    return int(session.execute(statement).scalar_one())


def remove_words(session: Session, words: Words, where: ColumnElement[bool], marker: str, *, dry_run: bool) -> int:
    """Replace the words in the rows `where` picks with `marker`; how many rows had words. Counted
    first, so a run with nothing to remove writes nothing (on SQLite an UPDATE takes the lock)."""
    found = count_words(session, words, where)
    if found and not dry_run:
        session.execute(
            update(table_of(words.model)).where(where, words.still_there()).values({words.column: marker}),
            execution_options={"synchronize_session": False},
        )
    return found


def audit_words(detail: dict[str, Any]) -> list[str]:
    """The keys of an audit row's detail that hold someone's words still there."""
    return [k for k in AUDIT_WORD_KEYS if isinstance(detail.get(k), str) and detail[k] and detail[k] not in MARKERS]


def remove_audit_words(
    session: Session, where: ColumnElement[bool] | None, marker: str, *, programme_id: int, dry_run: bool
) -> int:
    """The audit trail's copies of people's words (in its JSON detail), for the programme's rows
    `where` picks; how many rows had some. JSON is read and written here, not searched in SQL,
    the same on SQLite and PostgreSQL."""
    statement = select(AuditEvent).where(col(AuditEvent.programme_id) == programme_id)
    if where is not None:
        statement = statement.where(where)
    changed = 0
    for event in session.execute(statement).scalars():
        keys = audit_words(event.detail)
        if not keys:
            continue
        changed += 1
        if not dry_run:
            event.detail = {**event.detail, **dict.fromkeys(keys, marker)}
            session.add(event)
    return changed
