"""Risk escalations: which risks go to whom, under which exactly-once key, and where the
copies went so a lead's action can update every one of them.

An escalation is keyed by (programme, risk, severity, destination) and written to the same
delivery ledger as the prompts: a risk is escalated once at each severity it reaches, a
rerun of the scan finds the key already sent, and a failed post is retried, not lost.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from bot.ports import Destination
from models.tables import Delivery, Programme, Risk
from models.vocabulary import DeliveryState

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
