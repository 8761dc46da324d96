"""Who is asking, from Slack's user id."""

from __future__ import annotations

from sqlmodel import Session

from bot.commands import Help, help_for
from bot.membership import memberships
from models.tables import Member
from models.vocabulary import Platform, Role

RANK = {role: rank for rank, role in enumerate(Role)}


def senior_role(members: list[Member]) -> Role | None:
    """The most senior role across someone's programmes (admin first, observer last)."""
    roles = [Role(member.role) for member in members]
    return min(roles, key=RANK.__getitem__) if roles else None


def asker_help(session: Session, user_id: str) -> Help:
    rows = memberships(session, Platform.SLACK.value, user_id)
    names = tuple(programme.name for _, programme in rows)
    return help_for(senior_role([member for member, _ in rows]), names)
