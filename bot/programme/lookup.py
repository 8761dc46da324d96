"""Finding programmes by slug, with a message that says what there is."""

from __future__ import annotations

from sqlmodel import Session, col, select

from models.tables import Programme


class UnknownProgramme(LookupError):
    pass


def get_programme(session: Session, slug: str) -> Programme:
    programme = session.exec(select(Programme).where(Programme.slug == slug)).first()
    if programme is None:
        known = ", ".join(session.exec(select(Programme.slug).order_by(Programme.slug)).all())
        hint = f" (there is: {known})" if known else "; load one first with `winterbot load FILE.yaml`"
        raise UnknownProgramme(f"no programme called {slug!r}{hint}")
    return programme


def all_programmes(session: Session) -> list[Programme]:
    return list(session.exec(select(Programme).order_by(col(Programme.id))))
