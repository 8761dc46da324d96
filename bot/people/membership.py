"""Who is asking: a chat user's membership of programmes, and so what they may do."""

from __future__ import annotations

from sqlmodel import Session, col, select

from models.tables import Member, Programme
from models.vocabulary import Platform, Role

SENIORITY = {role: rank for rank, role in enumerate(Role)}


def memberships(session: Session, platform: str, user_id: str) -> list[tuple[Member, Programme]]:
    """The live memberships of one chat user, oldest programme first."""
    rows = session.exec(
        select(Member, Programme)
        .join(Programme, col(Programme.id) == col(Member.programme_id))
        .where(Member.platform == platform)
        .where(Member.platform_user_id == user_id)
        .where(col(Member.archived_at).is_(None))
        .order_by(col(Programme.id))
    ).all()
    return [(member, programme) for member, programme in rows]


def leading_first(rows: list[tuple[Member, Programme]]) -> tuple[Member, Programme] | None:
    """The membership a view is for: the first where the user leads (admin or lead), else the first."""
    if not rows:
        return None
    return next(((m, p) for m, p in rows if Role(m.role) in (Role.ADMIN, Role.LEAD)), rows[0])


def senior_role(members: list[Member]) -> Role | None:
    """The most senior role across someone's programmes (admin first, observer last)."""
    roles = [Role(member.role) for member in members]
    return min(roles, key=SENIORITY.__getitem__) if roles else None


def known_user_id(session: Session, platform: str, candidates: tuple[str, ...]) -> str:
    """Of the ids a platform gives for one person (Teams: their Entra object id and their
    Teams user id), the one the programme file names them by; the first when none is."""
    if not candidates:
        return ""
    named = set(
        session.exec(
            select(Member.platform_user_id)
            .where(Member.platform == platform, col(Member.platform_user_id).in_(candidates))
            .where(col(Member.archived_at).is_(None))
        ).all()
    )
    return next((c for c in candidates if c in named), candidates[0])


NOTIFY_PLATFORMS = frozenset({Platform.EMAIL.value, Platform.SMS.value})  # reached through GOV.UK Notify


def actor_of(member: Member) -> str:
    """Who did something, as the audit trail names them: their chat id, or for someone reached by
    email or text their member id (an address is personal data the trail need not keep)."""
    if member.platform in NOTIFY_PLATFORMS:
        return f"{member.platform}:m{member.id}"
    return f"{member.platform}:{member.platform_user_id}"
