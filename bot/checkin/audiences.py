"""Whom a leads' question is put to: every partner, or one sector's. Which organisations are
statutory is models.vocabulary.STATUTORY_KINDS' to say; every other kind is community."""

from __future__ import annotations

from typing import cast

from sqlmodel import Session, col, select

from bot.checkin.prompts import PROMPTED_ROLES
from models.tables import Member, Organisation
from models.vocabulary import STATUTORY_KINDS

ALL, COMMUNITY, STATUTORY = "all", "community", "statutory"


def sector_of(kind: str) -> str:
    return STATUTORY if kind in STATUTORY_KINDS else COMMUNITY


def partners_by_sector(session: Session, programme_id: int) -> dict[str, set[int]]:
    """The ids of the programme's live partners (those prompted to check in), by sector."""
    rows = session.exec(
        select(Member.id, Organisation.kind)
        .join(Organisation, col(Organisation.id) == col(Member.organisation_id))
        .where(
            Member.programme_id == programme_id,
            col(Member.archived_at).is_(None),
            col(Organisation.archived_at).is_(None),
            col(Member.role).in_([str(r) for r in PROMPTED_ROLES]),
        )
    ).all()
    out: dict[str, set[int]] = {COMMUNITY: set(), STATUTORY: set()}
    for member_id, kind in rows:
        out[sector_of(kind)].add(cast(int, member_id))  # Member.id: the primary key, never NULL
    return out


def in_audience(partners: dict[str, set[int]], audience: str) -> set[int]:
    """The partners of `partners_by_sector` a question to `audience` is put to."""
    return set().union(*(ids for sector, ids in partners.items() if audience in (ALL, sector)))
