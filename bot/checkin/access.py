"""Who may check in: partners, for their own organisation, on a programme they are on.

Checked on every action from the platform's own user id, never from ids a client sent back.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from bot.checkin.prompts import PROMPTED_ROLES
from bot.common.asking import JOIN_TEXT
from bot.people.membership import memberships
from models.tables import Member, Programme
from models.vocabulary import A_ROLE, Role


@dataclass(frozen=True)
class Refusal:
    """Why someone has no check-in to answer, in words to show them."""

    reason: str


def checkin_member(
    session: Session,
    platform: str,
    user_id: str,
    *,
    programme_id: int | None = None,
    slug: str | None = None,
) -> Member | Refusal:
    """The member whose check-in this user answers, on the given programme (by id or
    slug) or on their only one."""
    found = checkin_membership(session, platform, user_id, programme_id=programme_id, slug=slug)
    return found if isinstance(found, Refusal) else found[0]


def checkin_membership(
    session: Session,
    platform: str,
    user_id: str,
    *,
    programme_id: int | None = None,
    slug: str | None = None,
) -> tuple[Member, Programme] | Refusal:
    """As checkin_member, with the member's programme."""
    rows = memberships(session, platform, user_id)
    if not rows:
        return Refusal(JOIN_TEXT)
    chosen = _on_programme(rows, programme_id, slug)
    if isinstance(chosen, Refusal):
        return chosen
    partners = [(m, p) for m, p in chosen if Role(m.role) in PROMPTED_ROLES]
    if not partners:
        return _not_a_partner(*chosen[0])
    if len(partners) > 1:
        slugs = " or ".join(p.slug for _, p in partners)
        return Refusal(f"You check in for more than one programme: add its short name after checkin, {slugs}.")
    return partners[0]


def _on_programme(
    rows: list[tuple[Member, Programme]], programme_id: int | None, slug: str | None
) -> list[tuple[Member, Programme]] | Refusal:
    if programme_id is not None:
        rows = [(m, p) for m, p in rows if p.id == programme_id]
        return rows or Refusal("You are no longer on that programme, so there is no check-in for you there.")
    if slug:
        mine = ", ".join(p.slug for _, p in rows)
        rows = [(m, p) for m, p in rows if p.slug == slug.strip().lower()]
        return rows or Refusal(f"You are not on a programme called {slug.strip()!r}. Yours: {mine}.")
    return rows


def _not_a_partner(member: Member, programme: Programme) -> Refusal:
    return Refusal(
        "Check-ins are answered by partners, for their organisation's schemes and services. "
        f"You are {A_ROLE[Role(member.role)]} on {programme.name}, so there is no check-in for you to answer."
    )


GONE = (
    "winterbot no longer has you on a programme, so this link has no check-in to open. Ask your lead if that is wrong."
)


def checkin_membership_by_id(session: Session, member_id: int) -> tuple[Member, Programme] | Refusal:
    """As checkin_membership, for a member named by id (a signed link's, never a client's own
    claim): they must still be on the programme, and be one who checks in."""
    member = session.get(Member, member_id)
    if member is None or member.archived_at is not None:
        return Refusal(GONE)
    programme = session.get(Programme, member.programme_id)
    if programme is None:
        return Refusal(GONE)
    if Role(member.role) not in PROMPTED_ROLES:
        return _not_a_partner(member, programme)
    return member, programme
