"""The risk register as people read it: the open risks, one risk, a risk's history.

Platform-neutral and read-only: plain `RiskView`s and `EventView`s for the handlers, the status
screen and the escalations to render. A risk's age is counted in working days of the
programme's timezone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from bot.common.calendar import count_working_days, local_date
from bot.risks.register import SEVERITY_RANK
from models.tables import Member, Organisation, Programme, Risk, RiskEvent
from models.vocabulary import RiskStatus, Severity


@dataclass(frozen=True)
class EventView:
    action: str  # raised, updated, acknowledged, mitigated, closed, reopened, assigned
    by: str | None  # the member's name; None when a rule did it
    at: datetime
    from_status: str | None
    to_status: str | None
    note: str | None


@dataclass(frozen=True)
class RiskView:
    id: int
    rule: str
    subject: str
    title: str
    detail: str | None
    severity: Severity
    status: RiskStatus
    owner_organisation_id: int | None
    owner_name: str | None  # None: nobody owns it yet
    raised_at: datetime
    age_working_days: int  # 0 on the day it was raised
    last_event: EventView | None


def open_risks(session: Session, programme_id: int, now: datetime) -> list[RiskView]:
    """Risks not closed, critical first, then the oldest first within a severity."""
    risks = session.execute(
        sa_select(*_VIEWED).where(col(Risk.programme_id) == programme_id, col(Risk.status) != RiskStatus.CLOSED.value)
    ).all()
    views = _views(session, programme_id, list(risks), now)
    return sorted(views, key=lambda v: (-SEVERITY_RANK[v.severity], v.raised_at, v.id))


def risk_view(session: Session, risk_id: int, now: datetime) -> RiskView:
    """One risk as the register shows it (closed ones too), for a message to update."""
    risk = session.execute(sa_select(*_VIEWED).where(col(Risk.id) == risk_id)).first()
    if risk is None:
        raise LookupError(f"no risk {risk_id}")
    return _views(session, risk.programme_id, [risk], now)[0]


def history(session: Session, risk_id: int) -> list[EventView]:
    """Every event of a risk, oldest first."""
    rows = session.exec(
        select(RiskEvent, Member.name)
        .join(Member, col(Member.id) == col(RiskEvent.member_id), isouter=True)
        .where(RiskEvent.risk_id == risk_id)
        .order_by(col(RiskEvent.at), col(RiskEvent.id))
    ).all()
    return [_event_view(event, name) for event, name in rows]


_VIEWED = (
    col(Risk.id),
    col(Risk.programme_id),
    col(Risk.rule),
    col(Risk.subject),
    col(Risk.title),
    col(Risk.detail),
    col(Risk.severity),
    col(Risk.status),
    col(Risk.owner_organisation_id),
    col(Risk.raised_at),
)


def _views(session: Session, programme_id: int, risks: list[Any], now: datetime) -> list[RiskView]:
    """Three queries whatever the number of risks: the risks, owners and last events."""
    if not risks:
        return []
    programme = session.get(Programme, programme_id)
    tz = programme.timezone if programme else None
    owners = dict(
        session.exec(select(Organisation.id, Organisation.name).where(Organisation.programme_id == programme_id)).all()
    )
    last = _last_events(session, [r.id for r in risks])
    today = local_date(now, tz)
    return [
        RiskView(
            id=r.id,
            rule=r.rule,
            subject=r.subject,
            title=r.title,
            detail=r.detail,
            severity=Severity(r.severity),
            status=RiskStatus(r.status),
            owner_organisation_id=r.owner_organisation_id,
            owner_name=owners.get(r.owner_organisation_id),
            raised_at=r.raised_at,
            age_working_days=count_working_days(local_date(r.raised_at, tz) + timedelta(days=1), today),
            last_event=last.get(r.id),
        )
        for r in risks
    ]


def _last_events(session: Session, risk_ids: list[int]) -> dict[int, EventView]:
    newest = select(func.max(RiskEvent.id)).where(col(RiskEvent.risk_id).in_(risk_ids)).group_by(col(RiskEvent.risk_id))
    rows = session.execute(
        sa_select(
            col(RiskEvent.risk_id),
            col(RiskEvent.action),
            col(Member.name),
            col(RiskEvent.at),
            col(RiskEvent.from_status),
            col(RiskEvent.to_status),
            col(RiskEvent.note),
        )
        .join(Member, col(Member.id) == col(RiskEvent.member_id), isouter=True)
        .where(col(RiskEvent.id).in_(newest))
    ).all()
    return {row[0]: EventView(*row[1:]) for row in rows}


def _event_view(event: RiskEvent, name: str | None) -> EventView:
    return EventView(event.action, name, event.at, event.from_status, event.to_status, event.note)
