"""The risk register: one open risk per (programme, rule, subject), its status and its history.

Platform-neutral: rules raise risks here, handlers call `change_status` from a button and
render the plain results. Everything runs in the caller's unit of work (no commit here).

`Risk.open_key` is f"{programme_id}:{rule}:{subject}" while a risk is not closed and is
unique, so raising the same thing again finds the open risk and updates it; closing clears
the key so the rule can raise a fresh risk later, and the closed one keeps its history.
All text is passed through `bot.common.redact.redact` before it is stored: no NHS number in a risk.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol

from sqlalchemy import Table, func
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.common.calendar import count_working_days, local_date
from bot.common.redact import redact
from models.tables import Member, Organisation, Programme, Risk, RiskEvent, row_id
from models.vocabulary import A_ROLE, RiskStatus, Role, Severity

_RISKS: Table = Risk.__table__  # type: ignore[attr-defined]
_EVENTS: Table = RiskEvent.__table__  # type: ignore[attr-defined]
ACTING_ROLES = frozenset({Role.ADMIN, Role.LEAD})
SEVERITY_RANK: dict[Severity, int] = {s: i for i, s in enumerate(Severity)}  # low 0 .. critical 3
MAX_TITLE = 300
MAX_TEXT = 2000

Outcome = Literal["new", "updated", "unchanged"]
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
class RaisedRisk:
    """What `raise_risk` did. `escalated` is true when a risk is new or its severity went up:
    the caller sends an escalation then, and stays quiet for an unchanged or softened risk."""

    risk_id: int
    outcome: Outcome
    escalated: bool
    severity: Severity
    previous_severity: Severity | None  # None for a new risk
    redactions: int = 0


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


def open_key(programme_id: int, rule: str, subject: str) -> str:
    return f"{programme_id}:{rule}:{subject}"


def _clean(text: str | None, limit: int) -> tuple[str | None, int]:
    """Redacted, stripped and cut to the column's length; empty becomes None."""
    cleaned = redact((text or "").strip())
    return (cleaned.text[:limit] or None), cleaned.count


# --- raising ---------------------------------------------------------------------------------


class Raising(Protocol):
    """What a rule raises (bot.risks.risk_rules.Finding has these)."""

    @property
    def rule(self) -> str: ...
    @property
    def subject(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def detail(self) -> str | None: ...
    @property
    def severity(self) -> Severity: ...
    @property
    def owner_organisation_id(self) -> int | None: ...


@dataclass(frozen=True)
class _Clean:
    key: str
    title: str
    detail: str | None
    severity: Severity
    redactions: int


def raise_risks(session: Session, programme_id: int, raising: Sequence[Raising], now: datetime) -> list[RaisedRisk]:
    """`raise_risk` for many at once, in a handful of statements however many there are: the
    programme's open risks read once, the new ones inserted together, a statement only for
    each risk that changes. In the order given."""
    cleaned = [_cleaned(programme_id, r) for r in raising]
    open_now = {
        risk.open_key: risk
        for risk in session.exec(select(Risk).where(Risk.programme_id == programme_id, col(Risk.open_key).is_not(None)))
    }
    new = [(r, c) for r, c in zip(raising, cleaned, strict=False) if c.key not in open_now]
    inserted = _insert_all(session, programme_id, new, now)
    out = []
    for _item, clean in zip(raising, cleaned, strict=False):
        if clean.key in inserted:
            out.append(RaisedRisk(inserted[clean.key], "new", True, clean.severity, None, clean.redactions))
            continue
        out.append(_raise_again(session, open_now.get(clean.key), clean, now))
    session.flush()
    return out


def _raise_again(session: Session, risk: Risk | None, clean: _Clean, now: datetime) -> RaisedRisk:
    """Unchanged costs nothing; a change locks the risk first (a lead may be closing it)."""
    if risk is not None and not _changes(risk, clean.title, clean.detail, clean.severity):
        return RaisedRisk(row_id(risk), "unchanged", False, clean.severity, clean.severity, clean.redactions)
    locked = _open_by_key(session, clean.key)
    if locked is None:  # closed since it was read, or raised by another process: the next scan sees it
        return RaisedRisk(
            row_id(risk) if risk else 0,
            "unchanged",
            False,
            clean.severity,
            clean.severity,
            clean.redactions,
        )
    return _update(session, locked, clean.title, clean.detail, clean.severity, now, clean.redactions)


def _cleaned(programme_id: int, item: Raising) -> _Clean:
    title, n_title = _clean(item.title, MAX_TITLE)
    detail, n_detail = _clean(item.detail, MAX_TEXT)
    return _Clean(
        open_key(programme_id, item.rule, item.subject),
        title or item.rule,
        detail,
        Severity(item.severity),
        n_title + n_detail,
    )


def _insert_all(
    session: Session, programme_id: int, new: list[tuple[Raising, _Clean]], now: datetime
) -> dict[str, int]:
    """Insert the new risks and their "raised" events, two statements for all of them; when
    another process raised one of them a moment ago, one at a time, each in its own savepoint.
    Their ids by open key."""
    if not new:
        return {}
    rows = [_new_risk(programme_id, item, clean, now) for item, clean in new]
    try:
        with session.begin_nested():
            returned = (
                session.connection().execute(_RISKS.insert().returning(_RISKS.c.id, _RISKS.c.open_key), rows).all()
            )
    except IntegrityError:
        one_by_one = [
            _insert(
                session,
                programme_id,
                i.rule,
                i.subject,
                c.key,
                c.title,
                c.detail,
                c.severity,
                i.owner_organisation_id,
                now,
            )
            for i, c in new
        ]
        return {r.open_key: row_id(r) for r in one_by_one if r is not None}  # type: ignore[misc]  # open_key: set on a risk not closed
    ids = {key: risk_id for risk_id, key in returned}
    session.connection().execute(
        _EVENTS.insert(),
        [
            {
                "risk_id": ids[row["open_key"]],
                "action": "raised",
                "from_status": None,
                "to_status": RiskStatus.OPEN.value,
                "member_id": None,
                "note": f"Severity {row['severity']}",
                "at": now,
            }
            for row in rows
        ],
    )
    return ids


def _new_risk(programme_id: int, item: Raising, clean: _Clean, now: datetime) -> dict[str, object]:
    return {
        "programme_id": programme_id,
        "rule": item.rule,
        "subject": item.subject,
        "open_key": clean.key,
        "title": clean.title,
        "detail": clean.detail,
        "severity": clean.severity.value,
        "owner_organisation_id": item.owner_organisation_id,
        "status": RiskStatus.OPEN.value,
        "raised_at": now,
        "updated_at": now,
        "closed_at": None,
    }


def raise_risk(
    session: Session,
    programme_id: int,
    rule: str,
    subject: str,
    title: str,
    detail: str | None,
    severity: Severity | str,
    owner_organisation_id: int | None,
    now: datetime,
) -> RaisedRisk:
    """Create the open risk for (programme, rule, subject), or update the one already open.

    The owner given is used only for a new risk: once a lead has assigned an owner, a rule
    raising it again must not take it back.
    """
    level = Severity(severity)
    clean_title, n_title = _clean(title, MAX_TITLE)
    clean_detail, n_detail = _clean(detail, MAX_TEXT)
    key = open_key(programme_id, rule, subject)
    risk = _open_by_key(session, key)
    if risk is None:
        risk = _insert(
            session,
            programme_id,
            rule,
            subject,
            key,
            clean_title or rule,
            clean_detail,
            level,
            owner_organisation_id,
            now,
        )
        if risk is not None:
            return RaisedRisk(row_id(risk), "new", True, level, None, n_title + n_detail)
        risk = _open_by_key(session, key)  # another process raised it a moment ago
        assert risk is not None
    return _update(session, risk, clean_title or rule, clean_detail, level, now, n_title + n_detail)


def _open_by_key(session: Session, key: str) -> Risk | None:
    return session.exec(
        select(Risk).where(Risk.open_key == key).with_for_update().execution_options(populate_existing=True)
    ).first()


def _insert(
    session: Session,
    programme_id: int,
    rule: str,
    subject: str,
    key: str,
    title: str,
    detail: str | None,
    severity: Severity,
    owner_id: int | None,
    now: datetime,
) -> Risk | None:
    """Insert in a savepoint; None when the unique open_key says a concurrent raise won."""
    risk = Risk(
        programme_id=programme_id,
        rule=rule,
        subject=subject,
        open_key=key,
        title=title,
        detail=detail,
        severity=severity.value,
        owner_organisation_id=owner_id,
        status=RiskStatus.OPEN.value,
        raised_at=now,
        updated_at=now,
    )
    try:
        with session.begin_nested():
            session.add(risk)
            session.flush()
    except IntegrityError:
        return None
    session.add(
        RiskEvent(
            risk_id=row_id(risk),
            action="raised",
            to_status=RiskStatus.OPEN.value,
            note=f"Severity {severity.value}",
            at=now,
        )
    )
    session.flush()
    return risk


def _update(
    session: Session, risk: Risk, title: str, detail: str | None, severity: Severity, now: datetime, redactions: int
) -> RaisedRisk:
    before = Severity(risk.severity)
    changes = _changes(risk, title, detail, severity)
    if not changes:
        return RaisedRisk(row_id(risk), "unchanged", False, before, before, redactions)
    risk.title, risk.detail, risk.severity, risk.updated_at = title, detail, severity.value, now
    session.add(risk)
    session.add(
        RiskEvent(
            risk_id=row_id(risk),
            action="updated",
            from_status=risk.status,
            to_status=risk.status,
            note="; ".join(changes),
            at=now,
        )
    )
    session.flush()
    escalated = SEVERITY_RANK[severity] > SEVERITY_RANK[before]
    return RaisedRisk(row_id(risk), "updated", escalated, severity, before, redactions)


def _changes(risk: Risk, title: str, detail: str | None, severity: Severity) -> list[str]:
    """What a fresh raise would change, in words for the history."""
    out = []
    if risk.severity != severity.value:
        out.append(f"severity {risk.severity} → {severity.value}")
    if risk.title != title:
        out.append("title changed")
    if risk.detail != detail:
        out.append("detail changed")
    return out


# --- acting on a risk -------------------------------------------------------------------------


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
    clean_note, redactions = _clean(note, MAX_TEXT)
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
        key = open_key(risk.programme_id, risk.rule, risk.subject)
        newer = _open_by_key(session, key)
        if newer is not None:
            return RiskRefused(f"A newer risk for the same thing is open (#{newer.id}); act on that one.")
        risk.open_key = key
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


# --- reading ----------------------------------------------------------------------------------


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
