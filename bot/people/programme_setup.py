"""`/winter setup`: a workspace's admin loads their area's programme file from inside the
workspace, without anyone running `winterbot load` on the service's machine.

Who may: a workspace admin or owner may create a programme (the platform says who is one);
a programme that exists already may be replaced by its own admins (role admin in it) or a
workspace admin. The programme becomes the workspace's (bot.programme.ownership): a file whose
slug another workspace's programme holds is refused, whoever sends it. The file is checked
before anything is written, every problem reported at once, exactly as `winterbot load` does.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.people.membership import memberships
from bot.programme.file import ProgrammeFileError, parse_programme_file
from bot.programme.guard import MAX_FILE_BYTES, Refused, decode
from bot.programme.load_report import LoadReport
from bot.programme.loader import load_programme
from bot.programme.ownership import Owner, OwnershipError, clashing
from bot.programme.people_lookup import LookupFailed, PeopleFinder, resolve, wanted
from models.db import session_scope
from models.tables import Member, Programme
from models.vocabulary import Platform, Role

SHOWN_PROBLEMS = 8  # in the form; the rest are counted


@dataclass(frozen=True)
class SetupOffer:
    """What the setup form says to this person: the programmes they administer already."""

    administers: tuple[str, ...]


@dataclass(frozen=True)
class SetupRefused:
    message: str


@dataclass(frozen=True)
class SetUp:
    report: LoadReport


def setup_offer(session: Session, platform: str, user_id: str) -> SetupOffer:
    rows = memberships(session, platform, user_id)
    return SetupOffer(tuple(programme.slug for member, programme in rows if member.role == Role.ADMIN.value))


def set_up(
    engine: Engine,
    data: bytes,
    source: str,
    owner: Owner,
    platform: str,
    user_id: str,
    *,
    workspace_admin: bool,
    finders: Mapping[Platform, PeopleFinder] | None = None,
    reachable: Collection[Platform] = (),
) -> SetUp | SetupRefused:
    """Check the file, then who is sending it, find the members named by email (`finders`: this
    workspace's directory; `reachable`: the ways of reaching people that are set up), then load
    it for `owner` in one transaction."""
    if len(data) > MAX_FILE_BYTES:
        return SetupRefused(f"The file is over {MAX_FILE_BYTES // 1000:,} KB: a programme file is far smaller.")
    try:
        spec = parse_programme_file(decode(data), source)
    except Refused as refused:
        return SetupRefused(f"{source}: {refused.message}. Nothing was loaded.")
    except ProgrammeFileError as error:
        return SetupRefused(problems_text(error))
    with session_scope(engine) as session:
        refusal = _who_may(session, spec.programme.slug, owner, platform, user_id, workspace_admin)
    if refusal is not None:
        return SetupRefused(refusal)
    try:
        if wanted(spec):
            found = resolve(spec, finders or {}, reachable)
            if found.refused:
                return SetupRefused(problems_text(ProgrammeFileError(found.problems, source)))
            spec = found.spec
        return SetUp(load_programme(engine, spec, owner=owner, actor=f"{platform}:{user_id}"))
    except LookupFailed as error:
        return SetupRefused(f"Members named by email could not be found: {error}. Nothing was loaded.")
    except ProgrammeFileError as error:
        return SetupRefused(problems_text(error))
    except OwnershipError as error:
        return SetupRefused(f"{error}. Nothing was loaded.")


def _who_may(
    session: Session, slug: str, owner: Owner, platform: str, user_id: str, workspace_admin: bool
) -> str | None:
    programme = session.exec(select(Programme).where(Programme.slug == slug)).first()
    if programme is None:
        if workspace_admin:
            return None
        return "Only an admin or owner of this workspace can set up a new programme. Ask one to run `/winter setup`."
    if clashing(programme, owner):
        return f"The name {slug!r} is taken by another area's programme. Choose another `slug:` in the file."
    if workspace_admin or _is_admin(session, programme, platform, user_id):
        return None
    return (
        f"Only the admins of {programme.name} or an admin of this workspace can replace its file. "
        "Ask one of them, or ask them to make you an admin in the file."
    )


def _is_admin(session: Session, programme: Programme, platform: str, user_id: str) -> bool:
    return (
        session.exec(
            select(Member.id).where(
                Member.programme_id == programme.id,
                Member.platform == platform,
                Member.platform_user_id == user_id,
                Member.role == Role.ADMIN.value,
                col(Member.archived_at).is_(None),
            )
        ).first()
        is not None
    )


def problems_text(error: ProgrammeFileError) -> str:
    shown = [str(problem) for problem in error.problems[:SHOWN_PROBLEMS]]
    more = len(error.problems) - len(shown)
    tail = [f"…and {more} more."] if more else []
    count = len(error.problems)
    head = f"{count} problem{'s' if count != 1 else ''} in {error.source}; nothing was loaded. Fix {'them' if count != 1 else 'it'} and upload the file again:"
    return "\n".join([head, *(f"• {line}" for line in shown), *tail])
