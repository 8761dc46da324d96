"""The risk register as people read it: the open risks, one risk, a risk's history.

Platform-neutral and read-only: plain `RiskView`s and `EventView`s for the handlers, the status
screen and the escalations to render. A risk's age is counted in working days of the
programme's timezone.

A risk about a confidential organisation (bot.people.confidential) is held whole; `visible_risks`
takes out, for one viewer, what would name another organisation's confidential pressure: a capacity
risk of its own is left out (its title is its level), any other says "a confidential organisation".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from bot.common.calendar import count_working_days, local_date
from bot.people.confidential import IN_CONFIDENCE, Audience, Confidentiality, scrub
from bot.risks.blocker_rules import BLOCKER_UNANSWERED
from bot.risks.capacity_rules import CAPACITY, CAPACITY_WORSENING
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
    confidential: tuple[tuple[int, str], ...] = ()  # confidential organisations it is about: (id, name)


LEVEL_RULES = frozenset({CAPACITY, CAPACITY_WORSENING})  # their title is an organisation's level
WITHHELD_DETAIL = "It names a confidential organisation: the leads see it in full."


def confidential_named(
    secret: Confidentiality,
    organisations: Iterable[tuple[int, str, str]],
    owner_id: int | None,
    texts: Iterable[str | None],
) -> tuple[tuple[int, str], ...]:
    """The confidential organisations (id, key, name given) that own a risk or are named in its texts."""
    if not secret:
        return ()
    said = " ".join(t for t in texts if t)
    return tuple(
        (i, name) for i, key, name in organisations if secret.words(key) and (i == owner_id or (name and name in said))
    )


def hidden_from(about: Iterable[tuple[int, str]], audience: Audience) -> list[tuple[int, str]]:
    return [(i, name) for i, name in about if not audience.sees(i)]


def tells_level(rule: str, owner_id: int | None, hidden: list[tuple[int, str]]) -> bool:
    """A capacity risk of a hidden organisation: its title is its level, so it is left out; so is
    an unanswered blocker of one: its detail is their words."""
    if rule == BLOCKER_UNANSWERED:
        return bool(hidden)
    return rule in LEVEL_RULES and any(i == owner_id for i, _ in hidden)


def visible_risks(risks: Iterable[RiskView], audience: Audience) -> list[RiskView]:
    """The risks as `audience` may see them (see the module)."""
    out = []
    for risk in risks:
        hidden = hidden_from(risk.confidential, audience)
        if not hidden:
            out.append(risk)
        elif not tells_level(risk.rule, risk.owner_organisation_id, hidden):
            out.append(_anonymised(risk, hidden))
    return out


def _anonymised(risk: RiskView, hidden: list[tuple[int, str]]) -> RiskView:
    owner_hidden = any(i == risk.owner_organisation_id for i, _ in hidden)
    last = risk.last_event
    return replace(
        risk,
        title=scrub(risk.title, [name for _, name in hidden]),
        detail=WITHHELD_DETAIL if risk.detail else None,
        owner_name=IN_CONFIDENCE if owner_hidden else risk.owner_name,
        last_event=replace(last, note=None) if last is not None else None,
        confidential=(),
    )


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
    organisations = [
        (i, key, name)
        for i, key, name in session.exec(
            select(Organisation.id, Organisation.key, Organisation.name).where(
                Organisation.programme_id == programme_id
            )
        ).all()
        if i is not None
    ]
    owners = {i: name for i, _, name in organisations}
    secret = Confidentiality.of(programme)
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
            confidential=confidential_named(secret, organisations, r.owner_organisation_id, (r.title, r.detail)),
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
