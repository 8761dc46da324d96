"""Whether a chat request may be acted on in the workspace it came from.

A programme belongs to one Slack workspace (or Enterprise Grid organisation) and one Teams
tenant (bot.programme.ownership). Every use case finds what someone may do from their
memberships alone, so a request is checked before any of them runs: when the person it names
is on any programme that is not this workspace's, nothing is done for them here. Refusing
the whole request, rather than hiding the other programmes, means no use case has to know about
workspaces, and an id carried by a crafted payload (a programme, a risk, a check-in of another
workspace) never reaches one as someone who could act on it.

The rule, per platform:

- a programme with an owner matches only its own workspace: on Slack the same team id, or the
  same organisation id when the programme names one; on Teams the same tenant id;
- a programme without an owner matches only when the service runs for one area (Slack: a
  single-token install; Teams: no tenant configured, or the activity's is the one configured).

Platform-neutral: the handlers say which ids the request carries (handlers.slack.tenancy,
handlers.teams.tenancy).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel import Session, col, select

from bot.views.directory import Directory
from models.tables import Member, Programme
from models.vocabulary import Platform

ANOTHER_AREA = "another-area"  # named in a programme owned by another workspace or tenant
UNOWNED = "unowned"  # named in a programme with no owner, while serving many workspaces

_AREA_WORDS = {Platform.SLACK.value: ("Slack", "workspace"), Platform.TEAMS.value: ("Teams", "organisation")}


@dataclass(frozen=True)
class Request:
    """Where a request came from. `one_area`: the service runs for this workspace (or tenant)
    alone, so a programme without an owner is its programme."""

    platform: str
    user_ids: tuple[str, ...]
    team_id: str | None = None
    enterprise_id: str | None = None
    tenant_id: str | None = None
    one_area: bool = True


@dataclass(frozen=True)
class ProgrammeOwner:
    """A programme's owner as stored; not validated again (bot.programme.ownership did on load)."""

    slack_team_id: str | None = None
    slack_enterprise_id: str | None = None
    teams_tenant_id: str | None = None


@dataclass(frozen=True)
class Verdict:
    """`reason` (ANOTHER_AREA or UNOWNED) says why a request was refused, for the log; `elsewhere`
    counts the memberships that do not match, never naming them."""

    allowed: bool
    reason: str | None = None
    elsewhere: int = 0


ALLOWED = Verdict(True)


def matches(owner: ProgrammeOwner, request: Request) -> bool:
    """Whether a programme with this owner is the request's workspace's."""
    if request.platform == Platform.SLACK:
        return _slack_matches(owner, request)
    if request.platform == Platform.TEAMS:
        if owner.teams_tenant_id is None:
            return request.one_area
        return request.tenant_id is not None and owner.teams_tenant_id.lower() == request.tenant_id.lower()
    return False


def _slack_matches(owner: ProgrammeOwner, request: Request) -> bool:
    team, enterprise = owner.slack_team_id, owner.slack_enterprise_id
    if team is None and enterprise is None:
        return request.one_area
    if enterprise is not None and request.enterprise_id is not None and enterprise != request.enterprise_id:
        return False  # a workspace is in one organisation: a payload naming another is not this one's
    same_team = team is not None and team == request.team_id
    same_enterprise = enterprise is not None and enterprise == request.enterprise_id
    return same_team or same_enterprise


def decide(request: Request, owners: Iterable[ProgrammeOwner]) -> Verdict:
    """Allowed when every programme the person is on matches the request's workspace (and when
    they are on none: they are only shown how to join)."""
    foreign = [owner for owner in owners if not matches(owner, request)]
    if not foreign:
        return ALLOWED
    owned = any(_owned_on(owner, request.platform) for owner in foreign)
    return Verdict(False, ANOTHER_AREA if owned else UNOWNED, len(foreign))


def _owned_on(owner: ProgrammeOwner, platform: str) -> bool:
    if platform == Platform.SLACK:
        return owner.slack_team_id is not None or owner.slack_enterprise_id is not None
    return owner.teams_tenant_id is not None


def owners_of(session: Session, platform: str, user_ids: tuple[str, ...]) -> list[ProgrammeOwner]:
    """The owners of the programmes these ids (one person's, on one platform) are live members
    of: one statement, on the member table's index of platform user ids."""
    ids = tuple(dict.fromkeys(i for i in user_ids if i))
    if not ids:
        return []
    rows = session.exec(
        select(Programme.slack_team_id, Programme.slack_enterprise_id, Programme.teams_tenant_id)
        .join(Member, col(Member.programme_id) == col(Programme.id))
        .where(Member.platform == platform)
        .where(col(Member.platform_user_id).in_(ids))
        .where(col(Member.archived_at).is_(None))
        .distinct()
    ).all()
    return [ProgrammeOwner(team, enterprise, tenant) for team, enterprise, tenant in rows]


def check(session: Session, request: Request) -> Verdict:
    return decide(request, owners_of(session, request.platform, request.user_ids))


def check_held(directory: Directory, request: Request) -> Verdict | None:
    """The same verdict from what the process holds (bot.views.directory), without a statement;
    None when what it holds is stale, and the caller asks the database (`check`)."""
    held = directory.owners(request.platform, request.user_ids)
    if held is None:
        return None
    return decide(request, [ProgrammeOwner(*owner) for owner in dict.fromkeys(held)])


def refusal_text(platform: str) -> str:
    """What the person is told: nothing of the other programme, only what to do."""
    name, area = _AREA_WORDS.get(platform, ("chat", "workspace"))
    return (
        f"Your {name} account is named in a programme of another {area}, so winterbot cannot act on "
        f"this request here. Ask your programme's admin to check which {area} the programme was loaded for."
    )
