"""What the leads' own commands (`decide`, `ask`) share: which programme a lead means, why
someone else may not, when their text is refused, and the audit row each writes. Platform-neutral."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlmodel import Session

from bot.common.asking import JOIN_TEXT
from bot.common.redact import Redacted, redact
from bot.common.wording import join_words
from bot.people.membership import actor_of, memberships, senior_role
from models.tables import AuditEvent, Decision, Member, Programme, Question, row_id
from models.vocabulary import A_ROLE, Role

LEADING_ROLES = frozenset({Role.ADMIN, Role.LEAD})
Refusal = Literal["not_member", "not_lead", "which_programme", "empty", "too_long", "no_such_blocker"]


@dataclass(frozen=True)
class LeadCommand:
    member: Member
    programme: Programme
    body: str  # the text after a leading programme slug, if one was given


@dataclass(frozen=True)
class NotForYou:
    reason: Refusal
    message: str


def lead_command(
    session: Session, platform: str, user_id: str, text: str, *, doing: str, example: str, advice: str
) -> LeadCommand | NotForYou:
    """The lead's membership a command is for. The text may start with a programme slug
    (`other-fund: …`); otherwise a programme they lead wins over one they administer, and
    someone leading several is asked to say which. `example` is the command without its
    slug (`/winter decide …`), for the message that asks; `advice` follows a refusal of someone who is not a lead."""
    rows = memberships(session, platform, user_id)
    if not rows:
        return NotForYou("not_member", JOIN_TEXT)
    text = (text or "").strip()
    first, _, rest = text.partition(" ")
    word = first.rstrip(":").lower()
    named = next(((m, p) for m, p in rows if word and p.slug.lower() == word), None)
    if named is not None:
        if Role(named[0].role) not in LEADING_ROLES:
            return _not_lead(Role(named[0].role), doing, advice)
        return LeadCommand(named[0], named[1], rest.strip())
    acting = [(m, p) for m, p in rows if Role(m.role) in LEADING_ROLES]
    if not acting:
        return _not_lead(senior_role([m for m, _ in rows]), doing, advice)  # type: ignore[arg-type]  # rows is not empty
    candidates = [(m, p) for m, p in acting if Role(m.role) == Role.LEAD] or acting
    if len(candidates) > 1:
        slugs = [p.slug for _, p in candidates]
        slash, name, words = example.split(" ", 2)
        return NotForYou(
            "which_programme",
            f"You lead more than one programme ({join_words(slugs)}). Say which one first, for example "
            f"`{slash} {name} {slugs[0]} {words}`.",
        )
    member, programme = candidates[0]
    return LeadCommand(member, programme, text)


def _not_lead(role: Role, doing: str, advice: str) -> NotForYou:
    return NotForYou("not_lead", f"Only the programme's leads {doing}; you are {A_ROLE[role]}. {advice}")


def text_to_store(body: str, noun: str, most: int, *, empty: str, shorten: str) -> Redacted | NotForYou:
    """A lead's text as it is stored, NHS numbers redacted (bot.common.redact); or why not:
    `empty` when there is none, and when it is longer than `most` characters as written, how
    long it is followed by `shorten`."""
    if not body:
        return NotForYou("empty", empty)
    if len(body) > most:
        return NotForYou("too_long", f"That {noun} is {len(body):,} characters; the most is {most:,}. {shorten}")
    return redact(body)


def add_audited(
    session: Session, member: Member, row: Decision | Question, action: str, detail: dict[str, Any], now: datetime
) -> int:
    """Store a row a lead's command writes and its audit row: the action ("decision.recorded")
    on the row's kind and id ("decision:12"). Returns the row's id."""
    session.add(row)
    session.flush()
    stored = row_id(row)
    audit(session, member, action, f"{action.partition('.')[0]}:{stored}", detail, now)
    session.flush()
    return stored


def audit(session: Session, member: Member, action: str, subject: str, detail: dict[str, Any], now: datetime) -> None:
    session.add(
        AuditEvent(
            programme_id=member.programme_id,
            member_id=member.id,
            actor=actor_of(member),
            action=action,
            subject=subject,
            detail=detail,
            at=now,
        )
    )
