"""Who is asking: a chat user's membership of programmes."""

from __future__ import annotations

from sqlmodel import Session, col, select

from models.tables import Member, Programme


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
