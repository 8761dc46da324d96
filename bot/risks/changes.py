"""Leads acting on a risk in the register: acknowledge, mitigate, close, reopen, assign.

Platform-neutral: handlers call `change_status` from a button (through bot.risks.requests)
and render the plain results. Everything runs in the caller's unit of work (no commit here).
Closing clears the risk's open key so its rule can raise a fresh risk later; the closed one
keeps its history. A note is redacted before it is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlmodel import Session, select

from bot.risks.listing import RiskView, risk_view
from bot.risks.register import MAX_TEXT, cleaned_text, open_key, open_risk
from models.tables import Member, Organisation, Risk, RiskEvent, row_id
from models.vocabulary import A_ROLE, RiskStatus, Role

ACTING_ROLES = frozenset({Role.ADMIN, Role.LEAD})

Action = Literal["acknowledge", "mitigate", "close", "reopen", "assign"]

# action -> (statuses it may start from, status it leads to, event name)
_TRANSITIONS: dict[str, tuple[frozenset[RiskStatus], RiskStatus | None, str]] = {
    "acknowledge": (frozenset({RiskStatus.OPEN}), RiskStatus.ACKNOWLEDGED, "acknowledged"),
    "mitigate": (frozenset({RiskStatus.OPEN, RiskStatus.ACKNOWLEDGED}), RiskStatus.MITIGATED, "mitigated"),
    "close": (frozenset({RiskStatus.OPEN, RiskStatus.ACKNOWLEDGED, RiskStatus.MITIGATED}), RiskStatus.CLOSED, "closed"),
    "reopen": (frozenset({RiskStatus.MITIGATED, RiskStatus.CLOSED}), RiskStatus.OPEN, "reopened"),
    "assign": (frozenset({RiskStatus.OPEN, RiskStatus.ACKNOWLEDGED, RiskStatus.MITIGATED}), None, "assigned"),
}


@dataclass(frozen=True)
class RiskChanged:
    """A change was stored. `risk` is the risk as it now stands, for the message to update."""

    action: str
    from_status: RiskStatus
    to_status: RiskStatus
    by: str
    note: str | None
    risk: RiskView
    redactions: int = 0


@dataclass(frozen=True)
class RiskRefused:
    """Nothing changed; `reason` is a sentence to show the person who pressed the button."""

    reason: str


def change_status(
    session: Session,
    risk_id: int,
    member: Member,
    action: Action | str,
    note: str | None,
    now: datetime,
    owner_organisation_id: int | None = None,
) -> RiskChanged | RiskRefused:
    """A lead or admin acknowledges, mitigates, closes, reopens or assigns a risk.

    `owner_organisation_id` is the new owner, for "assign" only. Closing needs a note.
    """
    risk = session.exec(select(Risk).where(Risk.id == risk_id).with_for_update()).first()
    refused = refusal(risk, member, action)
    if refused:
        return refused
    assert risk is not None
    clean_note, redactions = cleaned_text(note, MAX_TEXT)
    if action == "close" and not clean_note:
        return RiskRefused("Closing a risk needs a note: say what was done or why it no longer applies.")
    extra = _prepare(session, risk, action, owner_organisation_id)
    if isinstance(extra, RiskRefused):
        return extra
    before = RiskStatus(risk.status)
    after = _apply(risk, action, now)
    text = "; ".join(p for p in (extra, clean_note) if p) or None
    session.add(risk)
    session.add(
        RiskEvent(
            risk_id=row_id(risk),
            member_id=member.id,
            action=_TRANSITIONS[action][2],
            from_status=before.value,
            to_status=after.value,
            note=text,
            at=now,
        )
    )
    session.flush()
    return RiskChanged(
        _TRANSITIONS[action][2], before, after, member.name, text, risk_view(session, row_id(risk), now), redactions
    )


def refusal(risk: Risk | None, member: Member, action: str) -> RiskRefused | None:
    """Why this member may not do this to this risk now, or None when they may."""
    if action not in _TRANSITIONS:
        return RiskRefused(
            f"“{action}” is not something you can do to a risk; try acknowledge, mitigate, close, reopen or assign."
        )
    if risk is None or risk.programme_id != member.programme_id:
        return RiskRefused("That risk is not in your programme's register.")
    if member.archived_at is not None or Role(member.role) not in ACTING_ROLES:
        return RiskRefused(f"Only the programme's leads can change risks; you are {A_ROLE[Role(member.role)]}.")
    allowed = _TRANSITIONS[action][0]
    if RiskStatus(risk.status) not in allowed:
        return RiskRefused(f"This risk is {risk.status}, so it cannot be {_TRANSITIONS[action][2]}.")
    return None


def _prepare(session: Session, risk: Risk, action: str, owner_id: int | None) -> str | RiskRefused | None:
    """Checks and side effects particular to reopen and assign; the words for the history."""
    if action == "reopen" and risk.status == RiskStatus.CLOSED:
        newer = open_risk(session, risk.programme_id, risk.rule, risk.subject)
        if newer is not None:
            return RiskRefused(f"A newer risk for the same thing is open (#{newer.id}); act on that one.")
        risk.open_key = open_key(risk.programme_id, risk.rule, risk.subject)
        return None
    if action != "assign":
        return None
    owner = session.get(Organisation, owner_id) if owner_id is not None else None
    if owner is None or owner.programme_id != risk.programme_id or owner.archived_at is not None:
        return RiskRefused("Choose an organisation in this programme to own the risk.")
    if owner.id == risk.owner_organisation_id:
        return RiskRefused(f"{owner.name} already owns this risk.")
    previous = _organisation_name(session, risk.owner_organisation_id) or "nobody"
    risk.owner_organisation_id = owner.id
    return f"owner {previous} → {owner.name}"


def _apply(risk: Risk, action: str, now: datetime) -> RiskStatus:
    """Set the new status; closing clears open_key so the rule can raise a fresh risk."""
    target = _TRANSITIONS[action][1] or RiskStatus(risk.status)
    risk.status, risk.updated_at = target.value, now
    if target == RiskStatus.CLOSED:
        risk.open_key, risk.closed_at = None, now
    elif action == "reopen":
        risk.closed_at = None
    return target


def _organisation_name(session: Session, organisation_id: int | None) -> str | None:
    if organisation_id is None:
        return None
    organisation = session.get(Organisation, organisation_id)
    return organisation.name if organisation else None
