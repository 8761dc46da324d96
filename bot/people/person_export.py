"""Everything held about one person (`winterbot export-person`), for a subject access request: on
each programme they are on, their member row, their check-ins with the figures, levels and words
in them, the blockers they raised and what they said on any, their notes on risks and the risks
about them, their decisions, questions and answers, corrections, the messages sent to them, their
away dates and the audit rows about them, and the Teams chats kept for them.

Others' words are left out (a reply to their blocker is someone else's; a question they answered
is shown by its id and date), so the file can be handed to them as it is. Money and quantities are
written as exact decimal strings, instants in ISO 8601 with their offset (UTC), dates as ISO dates.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import or_
from sqlalchemy import select as wide_select  # more than the four columns SQLModel's select types
from sqlmodel import Session, SQLModel, col, select

from bot.people.membership import actor_of
from bot.people.person import their_conversations
from models.tables import (
    AuditEvent,
    Blocker,
    BlockerEvent,
    CapacityReport,
    CheckIn,
    Decision,
    Delivery,
    Member,
    Programme,
    Question,
    QuestionAnswer,
    Risk,
    RiskEvent,
    SpendReport,
    row_id,
)
from models.vocabulary import Platform
from models.workspaces import slack_installations

FORMAT = "winterbot person export, version 1"


def plain(value: Any) -> Any:
    """A value JSON can hold without losing anything: Decimal as its exact string, instants and
    dates in ISO 8601. A naive datetime is refused: every instant we keep is timezone-aware."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("a naive datetime cannot be exported: its zone is unknown")
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not exported")


def _row(row: SQLModel, leave_out: tuple[str, ...] = ()) -> dict[str, Any]:
    return {k: v for k, v in row.model_dump().items() if k not in leave_out}


def _rows(session: Session, statement: Any, leave_out: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    return [_row(each, leave_out) for each in session.exec(statement).all()]


def membership_export(session: Session, member: Member, programme: Programme) -> dict[str, Any]:
    """What one programme holds about one member row."""
    mid, pid = row_id(member), row_id(programme)
    chats = their_conversations(session, member)
    uid = member.platform_user_id
    deliveries = select(Delivery).where(
        col(Delivery.programme_id) == pid,
        or_(
            col(Delivery.member_id) == mid,
            col(Delivery.target).contains(uid, autoescape=True),
            col(Delivery.key).contains(uid, autoescape=True),
        ),
    )
    audit = select(AuditEvent).where(
        col(AuditEvent.programme_id) == pid,
        or_(
            col(AuditEvent.member_id) == mid,
            col(AuditEvent.subject) == f"member:{mid}",
            col(AuditEvent.actor) == actor_of(member),
        ),
    )
    return {
        "programme": {"slug": programme.slug, "name": programme.name, "deadline": programme.deadline},
        "member": _row(member),
        "away_until": member.away_until,
        "check_ins": _rows(session, select(CheckIn).where(col(CheckIn.member_id) == mid).order_by(col(CheckIn.id))),
        "spend_reports": _rows(session, select(SpendReport).where(col(SpendReport.member_id) == mid)),
        "capacity_reports": _rows(session, select(CapacityReport).where(col(CapacityReport.member_id) == mid)),
        "answers_to_questions": _rows(session, select(QuestionAnswer).where(col(QuestionAnswer.member_id) == mid)),
        "questions_answered": _rows(
            session,
            select(Question).where(
                col(Question.id).in_(select(QuestionAnswer.question_id).where(col(QuestionAnswer.member_id) == mid))
            ),
            leave_out=("text", "member_id"),  # a lead's words, not theirs
        ),
        "blockers_raised": _rows(session, select(Blocker).where(col(Blocker.raised_by_member_id) == mid)),
        "their_steps_on_blockers": _rows(session, select(BlockerEvent).where(col(BlockerEvent.member_id) == mid)),
        "their_steps_on_risks": _rows(session, select(RiskEvent).where(col(RiskEvent.member_id) == mid)),
        "risks_about_them": _rows(
            session, select(Risk).where(col(Risk.programme_id) == pid, col(Risk.subject) == f"member:{mid}")
        ),
        "decisions": _rows(session, select(Decision).where(col(Decision.member_id) == mid)),
        "questions_asked": _rows(session, select(Question).where(col(Question.member_id) == mid)),
        "messages_sent_to_them": _rows(session, deliveries, leave_out=("lease_owner", "claimed_until")),
        "audit_events": _rows(session, audit.order_by(col(AuditEvent.id))),
        "teams_chats": [_row(c) for c in chats],
        "slack_installations_they_made": _installations(session, member),
    }


def _installations(session: Session, member: Member) -> list[dict[str, Any]]:
    """The Slack installations they made: where and when, never a token (a secret, not data about them)."""
    if member.platform != Platform.SLACK.value:
        return []
    t = slack_installations
    shown = (t.c.enterprise_id, t.c.team_id, t.c.user_id, t.c.user_scopes, t.c.installed_at)
    rows = session.execute(wide_select(*shown).where(t.c.user_id == member.platform_user_id)).mappings()
    return [{**row, "installed_at": _utc(row["installed_at"])} for row in rows]


def _utc(value: datetime | None) -> datetime | None:
    """slack_sdk's column is a plain DateTime that SQLite hands back naive: it is written in UTC."""
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def person_export(session: Session, rows: list[tuple[Member, Programme]], named_by: str) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "named_by": named_by,
        "memberships": [membership_export(session, member, programme) for member, programme in rows],
    }


def as_json(export: dict[str, Any]) -> str:
    return json.dumps(export, default=plain, indent=2, ensure_ascii=False) + "\n"


def summary(export: dict[str, Any]) -> Counter[str]:
    """How many rows of each kind, across their programmes (for the terminal, never the words)."""
    counts: Counter[str] = Counter({"member records": len(export["memberships"])})
    for each in export["memberships"]:
        for kind, value in each.items():
            if isinstance(value, list):
                counts[kind.replace("_", " ")] += len(value)
    return counts
