"""Risk escalations: which risks go to whom, under which exactly-once key, and where the
copies went so a lead's action can update every one of them.

An escalation is keyed by (programme, risk, severity, destination) and written to the same
delivery ledger as the prompts: a risk is escalated once at each severity it reaches, a
rerun of the scan finds the key already sent, and a failed post is retried, not lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from bot.common.calendar import local_date
from bot.risks.listing import RiskView, open_risks
from bot.risks.register import SEVERITY_RANK
from bot.sending.ports import Destination
from models.tables import Delivery, Member, Programme, Risk, row_id
from models.vocabulary import DeliveryState, Platform, Role, Severity

JOB = "risk-escalation"


@dataclass(frozen=True)
class Copy:
    """One posted escalation: the platform and its reference (Slack: "CHANNEL:TS")."""

    platform: str
    reference: str


def target(destination: Destination) -> str:
    return f"{destination.platform}:{destination.address}"


def escalation_key(programme_slug: str, risk_id: int, severity: str, destination: Destination) -> str:
    return f"{_prefix(programme_slug, risk_id)}{severity}:{target(destination)}"


def _prefix(programme_slug: str, risk_id: int) -> str:
    return f"{programme_slug}:{JOB}:r{risk_id}:"


def sent_copies(session: Session, risk_id: int) -> list[Copy]:
    """Every escalation of this risk that reached a platform, oldest first."""
    risk = session.get(Risk, risk_id)
    programme = session.get(Programme, risk.programme_id) if risk else None
    if risk is None or programme is None:
        return []
    rows = session.exec(
        select(Delivery.target, Delivery.platform_ref)
        .where(Delivery.job == JOB, Delivery.state == DeliveryState.SENT.value)
        .where(col(Delivery.key).startswith(_prefix(programme.slug, risk_id), autoescape=True))
        .order_by(col(Delivery.id))
    ).all()
    return [Copy((t or "").split(":", 1)[0], ref) for t, ref in rows if ref]


# --- who is told -----------------------------------------------------------------------------

DEFAULT_ESCALATE_FROM = Severity.HIGH
TOLD_ROLES = frozenset({Role.ADMIN, Role.LEAD, Role.PARTNER})


@dataclass(frozen=True)
class Escalation:
    key: str
    destination: Destination
    risk: RiskView


def escalate_from(programme: Programme) -> Severity:
    """The lowest severity told to the leads at once (programme file: thresholds.escalate_from);
    lower ones wait for the brief and the digest."""
    given = ((programme.settings or {}).get("thresholds") or {}).get("escalate_from")
    try:
        return Severity(given) if given else DEFAULT_ESCALATE_FROM
    except ValueError:
        return DEFAULT_ESCALATE_FROM


def _teams_channels(programme: Programme) -> dict[str, str]:
    return (programme.settings or {}).get("teams") or {}


def leads_destinations(programme: Programme) -> list[Destination]:
    """The leads' channel on each platform the programme uses (its channel when there is none)."""
    teams = _teams_channels(programme)
    found = [
        (Platform.SLACK.value, programme.leads_channel or programme.channel),
        (Platform.TEAMS.value, teams.get("leads_channel") or teams.get("channel")),
    ]
    return [Destination(platform, channel) for platform, channel in found if channel]


def programme_destinations(programme: Programme) -> list[Destination]:
    """The programme's channel on each platform it uses: where the weekly digest goes."""
    found = [
        (Platform.SLACK.value, programme.channel),
        (Platform.TEAMS.value, _teams_channels(programme).get("channel")),
    ]
    return [Destination(platform, channel) for platform, channel in found if channel]


def escalations(session: Session, programme: Programme, now: datetime) -> list[Escalation]:
    """Every (risk, destination) that should have been told: each open risk at or above the
    programme's escalation severity goes to the leads' channel and to the live, present
    members of its owner organisation. The delivery ledger makes each go once."""
    floor = SEVERITY_RANK[escalate_from(programme)]
    risks = [r for r in open_risks(session, row_id(programme), now) if SEVERITY_RANK[r.severity] >= floor]
    if not risks:
        return []
    owners = _owner_members(
        session,
        {r.owner_organisation_id for r in risks if r.owner_organisation_id},
        local_date(now, programme.timezone),
    )
    out: list[Escalation] = []
    for risk in risks:
        for destination in [*leads_destinations(programme), *owners.get(risk.owner_organisation_id, [])]:
            key = escalation_key(programme.slug, risk.id, risk.severity.value, destination)
            out.append(Escalation(key, destination, risk))
    return out


def _owner_members(session: Session, organisation_ids: set[int], today: date) -> dict[int | None, list[Destination]]:
    if not organisation_ids:
        return {}
    members = session.exec(
        select(Member)
        .where(col(Member.organisation_id).in_(organisation_ids), col(Member.archived_at).is_(None))
        .order_by(col(Member.id))
    ).all()
    out: dict[int | None, list[Destination]] = {}
    for member in members:
        if Role(member.role) not in TOLD_ROLES or (member.away_until and member.away_until > today):
            continue
        destination = Destination(member.platform, member.platform_user_id, member.id)
        out.setdefault(member.organisation_id, []).append(destination)
    return out
