"""Decisions: a lead records what the leads decided (`/winter decide TEXT`); the digest tells everyone.

Platform-neutral: a handler passes the chat user and the text, and renders the plain result.
Everything runs in the caller's unit of work (flushed, not committed here).

Rules:
- Only admins and leads record decisions, on a programme where their live membership has that
  role. Someone leading several programmes starts the text with the programme's slug
  (`/winter decide vale-winter-2026 Extend ...`); a lead and admin of one programme only need not.
  Where they lead one programme and are admin of others, the programme they lead is meant.
- The text is required and at most MAX_TEXT (2,000) characters as written; NHS numbers are
  redacted (bot.common.redact) before it is stored, and the answer says how many were removed.
- Each decision writes an AuditEvent ("decision.recorded") beside the Decision row.
- A decision ending "answers 12" (or "answers #12, #14") answers those blockers: a "decided" step in
  each one's thread (bot.checkin.blockers), so the partners who raised them are told and the
  digest's "you said, we did" shows it. A number not in the programme refuses the whole decision.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from bot.checkin.blockers import answered_by_decision
from bot.common.calendar import local_date
from bot.common.redact import redact, removed_sentence
from bot.people.lead_commands import NotForYou, add_audited, lead_command, text_to_store
from models.tables import Decision, Member, Organisation, row_id

MAX_TEXT = 2000
EXAMPLE = "/winter decide Extend the bridging care contract to 31 March"


@dataclass(frozen=True)
class DecisionRecorded:
    decision_id: int
    programme_id: int
    programme_name: str
    text: str  # as stored: NHS numbers redacted
    local_date: date
    decided_at: datetime
    by: str  # the member's name
    organisation: str
    redactions: int  # NHS numbers removed before storing
    message: str  # one or two plain sentences for the person who recorded it
    answers: tuple[int, ...] = ()  # the blockers it answers (`... answers 12, 14`)


DecisionRefused = NotForYou  # a lead command's refusal (bot.people.lead_commands), as `decide` gives it


@dataclass(frozen=True)
class DecisionView:
    id: int
    text: str
    local_date: date
    decided_at: datetime
    by: str | None  # None: the member row is gone
    organisation: str | None


def record_decision(
    session: Session, platform: str, user_id: str, text: str, now: datetime
) -> DecisionRecorded | DecisionRefused:
    """Record a decision from a chat user, or say why not."""
    chosen = lead_command(
        session,
        platform,
        user_id,
        text,
        doing="record decisions",
        example=EXAMPLE,
        advice="Ask one of your leads to record it.",
    )
    if isinstance(chosen, NotForYou):
        return chosen
    member, programme, body = chosen.member, chosen.programme, chosen.body
    body, answers = answered_blockers(body)
    cleaned = text_to_store(
        body,
        "decision",
        MAX_TEXT,
        empty=f"Write the decision after the command, for example `{EXAMPLE}`.",
        shorten="Shorten it (the detail can live in the minutes) and send it again.",
    )
    if isinstance(cleaned, NotForYou):
        return cleaned
    day = local_date(now, programme.timezone)
    decision = Decision(
        programme_id=row_id(programme),
        member_id=member.id,
        text=cleaned.text,
        local_date=day,
        decided_at=now,
    )
    if answers:
        refused = answered_by_decision(session, row_id(programme), row_id(member), answers, cleaned.text, now)
        if refused:
            return NotForYou("no_such_blocker", refused)
    detail = {
        "local_date": day.isoformat(),
        "text": cleaned.text,
        "redactions": cleaned.count,
        "answers": list(answers),
    }
    add_audited(session, member, decision, "decision.recorded", detail, now)
    organisation = session.get(Organisation, member.organisation_id)
    message = f"Decision recorded for {programme.name}. Every partner will see it in the weekly digest."
    if answers:
        numbers = ", ".join(f"#{i}" for i in answers)
        message += f" It answers blocker {numbers}: whoever raised it is told."
    if cleaned.count:
        message += " " + removed_sentence(cleaned.count)
    return DecisionRecorded(
        decision_id=row_id(decision),
        programme_id=row_id(programme),
        programme_name=programme.name,
        text=cleaned.text,
        local_date=day,
        decided_at=now,
        by=member.name,
        organisation=organisation.name if organisation else "",
        redactions=cleaned.count,
        message=message,
        answers=answers,
    )


_ANSWERS = re.compile(r"\s+answers?\s+((?:#?\d+)(?:\s*(?:,|and)\s*#?\d+)*)\s*\.?\s*$", re.IGNORECASE)


def answered_blockers(body: str) -> tuple[str, tuple[int, ...]]:
    """The decision's words without a closing "answers 12" / "answers #12, #14 and 15", and those
    blockers' numbers."""
    found = _ANSWERS.search(body)
    if not found:
        return body, ()
    numbers = tuple(dict.fromkeys(int(n) for n in re.findall(r"\d+", found.group(1))))
    return body[: found.start()].rstrip(" ,;:-\u2013"), numbers


def decisions_between(session: Session, programme_id: int, start: date, end: date) -> list[DecisionView]:
    """Decisions dated from start to end (both included, local dates), newest first. One query."""
    rows = session.exec(
        select(Decision, Member.name, Organisation.name)
        .join(Member, col(Member.id) == col(Decision.member_id), isouter=True)
        .join(Organisation, col(Organisation.id) == col(Member.organisation_id), isouter=True)
        .where(
            Decision.programme_id == programme_id,
            col(Decision.local_date) >= start,
            col(Decision.local_date) <= end,
        )
        .order_by(col(Decision.decided_at).desc(), col(Decision.id).desc())
    ).all()
    return [
        DecisionView(
            id=row_id(decision),
            text=redact(decision.text).text,  # rows stored before today's rules are cleaned too
            local_date=decision.local_date,
            decided_at=decision.decided_at,
            by=by,
            organisation=organisation,
        )
        for decision, by, organisation in rows
    ]
