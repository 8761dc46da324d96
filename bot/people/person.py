"""Finding one person in the database by what an information request names them by: a chat user id,
an email address or a mobile number, as the programme file gave it. Shared by `winterbot forget`
(bot.people.forget) and `winterbot export-person` (bot.people.person_export).

Member rows archived by a later load are found too (they still hold what the person wrote), and a
person on several programmes is found on each: one member row a programme.
"""

from __future__ import annotations

import re

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from bot.programme.lookup import get_programme
from models.tables import ConversationRef, Member, Programme

_SEPARATORS = re.compile(r"[\s().-]")


def mobile_forms(given: str) -> list[str]:
    """A UK mobile as it is stored (+447…) and as people write it (07…), when `given` looks like one."""
    digits = _SEPARATORS.sub("", given)
    if digits.startswith("+44") and digits[3:].isdigit():
        return [digits, "0" + digits[3:]]
    if digits.startswith("0") and digits.isdigit() and len(digits) >= 10:
        return ["+44" + digits[1:], digits]
    return []


def find_person(session: Session, given: str, slug: str | None = None) -> list[tuple[Member, Programme]]:
    """The member rows `given` names (their chat user id, email address or mobile), on the programme
    `slug` or on every one, oldest programme first. Raises UnknownProgramme for a slug not loaded."""
    given = given.strip()
    if not given:
        return []
    mobiles = mobile_forms(given)
    named = or_(
        col(Member.platform_user_id) == given,
        func.lower(col(Member.email)) == given.lower(),
        col(Member.mobile).in_(mobiles or [given]),
    )
    statement = (
        select(Member, Programme)
        .join(Programme, col(Programme.id) == col(Member.programme_id))
        .where(named)
        .order_by(col(Programme.id), col(Member.id))
    )
    if slug is not None:
        statement = statement.where(col(Programme.id) == get_programme(session, slug).id)
    return [(member, programme) for member, programme in session.exec(statement).all()]


def their_conversations(session: Session, member: Member) -> list[ConversationRef]:
    """The Teams personal chats the bot kept for this person (by either of Teams' ids for them)."""
    return list(
        session.exec(
            select(ConversationRef).where(
                or_(
                    col(ConversationRef.user_id) == member.platform_user_id,
                    col(ConversationRef.aad_object_id) == member.platform_user_id,
                )
            )
        ).all()
    )


def identifiers(member: Member, conversations: list[ConversationRef]) -> list[str]:
    """Every string that identifies the person: chat ids (Teams' second id from their chats too),
    email, mobile in both forms, and their name as the programme file gave it."""
    found = [member.platform_user_id, member.email or "", member.name]
    if member.mobile:
        found += mobile_forms(member.mobile) or [member.mobile]
    for ref in conversations:
        found += [ref.user_id or "", ref.aad_object_id or ""]
    return sorted({each for each in found if each.strip()}, key=len, reverse=True)
