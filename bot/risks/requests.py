"""What a chat user asks of the risk register: who is asking, may they, and what `/winter risks` shows.

Platform-neutral: a handler passes the chat user it was given by the platform (never a user
named in a button's value) and renders the plain results. The register's own rules (which
status may move to which, closing needs a note) stay in `bot.risks.changes.change_status`; this
module only finds the asker's membership of the risk's programme first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from bot.common.asking import JOIN_TEXT
from bot.people.confidential import Audience
from bot.people.membership import memberships
from bot.risks.changes import ACTING_ROLES, RiskChanged, RiskRefused, change_status, refusal
from bot.risks.listing import RiskView, hidden_from, open_risks, risk_view, visible_risks
from bot.views.directory import Directory, held_view
from bot.views.status_cache import ScreenCache, cached_view
from models.tables import Member, Organisation, Programme, Risk, row_id
from models.vocabulary import Role

# The actions that open a form first; checked before the form opens, so nobody types a
# note for a change they may not make. `change_status` checks again when it is sent.
NEEDS_FORM = frozenset({"close", "assign"})
NOT_IN_REGISTER = "That risk is no longer in the register."
HOW_TO_JOIN = "Ask its admin to add you to the programme file (the `members` section) and load it again."


@dataclass(frozen=True)
class Register:
    """One programme's open risks, most severe first, as one asker may see them."""

    programme_id: int
    programme_name: str
    risks: tuple[RiskView, ...]
    role: Role
    may_act: bool


@dataclass(frozen=True)
class RisksOverview:
    """`/winter risks`: the register of every programme the asker is on."""

    registers: tuple[Register, ...]


RisksResult = RisksOverview | RiskRefused


def _risk_member(session: Session, platform: str, user_id: str, risk_id: int) -> tuple[Risk, Member] | RiskRefused:
    """The risk and the asker's live membership of its programme, or why not."""
    risk = session.get(Risk, risk_id)
    if risk is None:
        return RiskRefused(NOT_IN_REGISTER)
    rows = memberships(session, platform, user_id)
    if not rows:
        return RiskRefused(JOIN_TEXT)
    for member, _ in rows:
        if member.programme_id == risk.programme_id:
            return risk, member
    # Not named: the risk may be another workspace's, whose programme is none of the asker's business.
    return RiskRefused(
        f"You are not on the programme whose register this risk is in, so you cannot change it. {HOW_TO_JOIN}"
    )


def act_on_risk(
    session: Session,
    platform: str,
    user_id: str,
    risk_id: int,
    action: str,
    note: str | None,
    now: datetime,
    owner_organisation_id: int | None = None,
) -> RiskChanged | RiskRefused:
    """The chat user acknowledges, mitigates, closes, reopens or assigns a risk."""
    found = _risk_member(session, platform, user_id, risk_id)
    if isinstance(found, RiskRefused):
        return found
    _, member = found
    return change_status(session, risk_id, member, action, note, now, owner_organisation_id=owner_organisation_id)


def may_open_form(
    session: Session, platform: str, user_id: str, risk_id: int, action: str, now: datetime
) -> RiskView | RiskRefused:
    """Before the close or assign form opens: the risk as it stands, or why the asker may not."""
    found = _risk_member(session, platform, user_id, risk_id)
    if isinstance(found, RiskRefused):
        return found
    risk, member = found
    if action not in NEEDS_FORM:
        return RiskRefused(f"“{action}” is not something you can do to a risk.")
    return refusal(risk, member, action) or risk_view(session, risk_id, now)


def assignable_organisations(session: Session, risk_id: int) -> list[tuple[int, str]]:
    """The live organisations of the risk's programme, by name: who may own it."""
    risk = session.get(Risk, risk_id)
    if risk is None:
        return []
    rows = session.exec(
        select(Organisation.id, Organisation.name)
        .where(Organisation.programme_id == risk.programme_id, col(Organisation.archived_at).is_(None))
        .order_by(col(Organisation.name), col(Organisation.id))
    ).all()
    return [(organisation_id, name) for organisation_id, name in rows if organisation_id is not None]


def risks_command(
    session: Session, platform: str, user_id: str, now: datetime, views: ScreenCache | None = None
) -> RisksResult:
    """`/winter risks`: everyone on a programme may read its register; leads and admins act.
    Each register from `views` when given (computed once per change of the programme's data)."""
    rows = memberships(session, platform, user_id)
    if not rows:
        return RiskRefused(JOIN_TEXT)
    registers = tuple(
        Register(
            programme_id=row_id(programme),
            programme_name=programme.name,
            risks=_seen(_register(session, programme, now, views), Role(member.role), member.organisation_id),
            role=Role(member.role),
            may_act=Role(member.role) in ACTING_ROLES,
        )
        for member, programme in rows
    )
    return RisksOverview(registers)


def risks_in_memory(
    directory: Directory, screens: ScreenCache, platform: str, user_id: str, now: datetime
) -> RisksOverview | None:
    """risks_command's registers from what the process holds (bot.views.directory) without the
    database; None when any of it is stale or a register is not computed yet."""
    registers = []
    for membership in directory.memberships(platform, user_id) or ():
        found = held_view(directory, screens, membership, now, "risks")
        if found is None:
            return None
        role = Role(membership.role)
        registers.append(
            Register(
                programme_id=membership.programme_id,
                programme_name=membership.programme_name,
                risks=_seen(found[1], role, membership.organisation_id),
                role=role,
                may_act=role in ACTING_ROLES,
            )
        )
    return RisksOverview(tuple(registers)) if registers else None


def _seen(risks: tuple[RiskView, ...], role: Role, organisation_id: int) -> tuple[RiskView, ...]:
    """The register as one member may see it: confidential organisations' pressure for the leads
    and their own members only (bot.risks.listing.visible_risks)."""
    audience = Audience(role, organisation_id if role == Role.PARTNER else None)
    if not any(hidden_from(r.confidential, audience) for r in risks):
        return risks  # the very tuple, so its rendering is kept (handlers.rendered)
    return tuple(visible_risks(risks, audience))


def _register(session: Session, programme: Programme, now: datetime, views: ScreenCache | None) -> tuple[RiskView, ...]:
    return cached_view(
        views, session, programme, now, "risks", lambda: tuple(open_risks(session, row_id(programme), now))
    )
