"""Partner voice: the blockers and comments of community partners' check-ins, quoted and
attributed to their organisation, as the brief (the day) and the digest (the week) show them.

Community organisations are the kinds outside models.vocabulary.STATUTORY_KINDS; an amended
check-in shows only its newest version. Each item says whether its organisation's words are
confidential (bot.people.confidential): the brief, for the leads, quotes them; the digest, for
everyone, leaves them out. Free text is redacted at storage and again here, so no
NHS number reaches a brief or a digest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from bot.checkin.audiences import COMMUNITY, sector_of
from bot.common.newest import newest_first
from bot.common.redact import redact
from bot.people.confidential import Confidentiality
from bot.reports.organisations import Organisations, organisations_by_id
from models.tables import CheckIn, Programme


@dataclass(frozen=True)
class Voice:
    """A community partner's own words, attributed to their organisation."""

    organisation: str
    kind: str
    day: date
    blockers: str | None
    comment: str | None
    organisation_id: int = 0
    confidential: bool = False  # its words reach only the leads and its own members


def partner_voice(
    session: Session,
    programme: Programme,
    start: date,
    end: date,
    organisations: Organisations | None = None,
) -> list[Voice]:
    """Community partners' blockers and comments from check-ins dated start..end, newest first.
    An amended check-in counts once (its newest version); the same words from the same
    organisation are quoted once, where they were said last (blockers carry over day to day)."""
    if organisations is None:
        organisations = organisations_by_id(session, programme)
    rows = session.exec(
        select(CheckIn)
        .where(
            CheckIn.programme_id == programme.id,
            col(CheckIn.local_date) >= start,
            col(CheckIn.local_date) <= end,
        )
        .order_by(*newest_first(CheckIn))
    ).all()
    superseded = {row.supersedes_id for row in rows if row.supersedes_id is not None}
    secret = Confidentiality.of(programme)
    seen: set[tuple[int, str, str]] = set()
    out: list[Voice] = []
    for row in rows:
        organisation = organisations.get(row.organisation_id)
        if row.id in superseded or organisation is None or sector_of(organisation.kind) != COMMUNITY:
            continue
        said: list[str | None] = []
        for field, text in (("blockers", row.blockers), ("comment", row.comment)):
            cleaned = redact((text or "").strip()).text.strip()
            key = (row.organisation_id, field, " ".join(cleaned.lower().split()))
            if not cleaned or key in seen:
                said.append(None)
                continue
            seen.add(key)
            said.append(cleaned)
        if any(said):
            out.append(
                Voice(
                    organisation.name,
                    organisation.kind,
                    row.local_date,
                    said[0],
                    said[1],
                    row.organisation_id,
                    secret.words(organisation.key),
                )
            )
    return out


def at_most(voice: list[Voice], most: int) -> tuple[tuple[Voice, ...], int]:
    """The first `most` items, and how many are left out."""
    return tuple(voice[:most]), max(0, len(voice) - most)


def voice_markdown(voice: tuple[Voice, ...], left_out: int) -> list[str]:
    if not voice:
        return ["No blockers or comments from community partners."]
    out: list[str] = []
    for v in voice:
        for label, text in (("Blockers", v.blockers), ("Comment", v.comment)):
            if text:
                quoted = "\n".join(f"> {line}" for line in text.splitlines() or [""])
                out += [f"{quoted}", f"> — {label}, *{v.organisation}*, {v.day:%a %d %b}", ""]
    if left_out:
        out.append(f"{left_out} more not shown.")
    return out
