"""A programme's organisations by id, read once per report and shared by its parts."""

from __future__ import annotations

from sqlmodel import Session, select

from models.tables import Organisation, Programme

Organisations = dict[int | None, Organisation]


def organisations_by_id(session: Session, programme: Programme) -> Organisations:
    """Every organisation of the programme, archived too, by id."""
    return {o.id: o for o in session.exec(select(Organisation).where(Organisation.programme_id == programme.id))}


def name_of(organisations: Organisations, organisation_id: int | None) -> str | None:
    """The organisation's name; None when it is not one of them (no owner yet)."""
    organisation = organisations.get(organisation_id)
    return organisation.name if organisation else None
