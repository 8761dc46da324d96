"""The risk register: one open risk per (programme, rule, subject), raised and raised again.

Platform-neutral: rules raise risks here (leads act on them through `bot.risks.changes`, and
`bot.risks.listing` reads them). Everything runs in the caller's unit of work (no commit here).

`Risk.open_key` is f"{programme_id}:{rule}:{subject}" while a risk is not closed and is
unique, so raising the same thing again finds the open risk and updates it; closing clears
the key so the rule can raise a fresh risk later, and the closed one keeps its history.
All text is passed through `bot.common.redact.redact` before it is stored: no NHS number in a risk.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.common.redact import redact
from models.tables import Risk, RiskEvent, row_id, table_of
from models.vocabulary import RiskStatus, Severity

_RISKS = table_of(Risk)
_EVENTS = table_of(RiskEvent)
SEVERITY_RANK: dict[Severity, int] = {s: i for i, s in enumerate(Severity)}  # low 0 .. critical 3
MAX_TITLE = 300
MAX_TEXT = 2000

Outcome = Literal["new", "updated", "unchanged"]


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


def open_key(programme_id: int, rule: str, subject: str) -> str:
    return f"{programme_id}:{rule}:{subject}"


def cleaned_text(text: str | None, limit: int) -> tuple[str | None, int]:
    """Redacted, stripped and cut to the column's length; empty becomes None. With the count of
    what was redacted."""
    cleaned = redact((text or "").strip())
    return (cleaned.text[:limit] or None), cleaned.count


def open_risk(session: Session, programme_id: int, rule: str, subject: str) -> Risk | None:
    """The open risk for (programme, rule, subject), locked: raising and reopening both ask."""
    return _open_by_key(session, open_key(programme_id, rule, subject))


# --- raising ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """What a rule raises: the risk for (rule, subject), owned by an organisation or nobody."""

    rule: str
    subject: str
    title: str
    detail: str | None
    severity: Severity
    owner_organisation_id: int | None


@dataclass(frozen=True)
class _Clean:
    """A risk as it will be stored: its text redacted and cut, its title never empty."""

    programme_id: int
    rule: str
    subject: str
    key: str
    title: str
    detail: str | None
    severity: Severity
    owner_organisation_id: int | None
    redactions: int


def _cleaned(programme_id: int, finding: Finding) -> _Clean:
    title, n_title = cleaned_text(finding.title, MAX_TITLE)
    detail, n_detail = cleaned_text(finding.detail, MAX_TEXT)
    return _Clean(
        programme_id,
        finding.rule,
        finding.subject,
        open_key(programme_id, finding.rule, finding.subject),
        title or finding.rule,
        detail,
        Severity(finding.severity),
        finding.owner_organisation_id,
        n_title + n_detail,
    )


def raise_risks(session: Session, programme_id: int, found: Sequence[Finding], now: datetime) -> list[RaisedRisk]:
    """`raise_risk` for many at once, in a handful of statements however many there are: the
    programme's open risks read once, the new ones inserted together, a statement only for
    each risk that changes. In the order given."""
    cleaned = [_cleaned(programme_id, finding) for finding in found]
    open_now = {
        risk.open_key: risk
        for risk in session.exec(select(Risk).where(Risk.programme_id == programme_id, col(Risk.open_key).is_not(None)))
    }
    inserted = _insert_all(session, [c for c in cleaned if c.key not in open_now], now)
    out = []
    for clean in cleaned:
        if clean.key in inserted:
            out.append(RaisedRisk(inserted[clean.key], "new", True, clean.severity, None, clean.redactions))
            continue
        out.append(_raise_again(session, open_now.get(clean.key), clean, now))
    session.flush()
    return out


def _raise_again(session: Session, risk: Risk | None, clean: _Clean, now: datetime) -> RaisedRisk:
    """Unchanged costs nothing; a change locks the risk first (a lead may be closing it)."""
    if risk is not None and not _changes(risk, clean):
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
    return _update(session, locked, clean, now)


def _insert_all(session: Session, new: list[_Clean], now: datetime) -> dict[str, int]:
    """Insert the new risks and their "raised" events, two statements for all of them; when
    another process raised one of them a moment ago, one at a time, each in its own savepoint.
    Their ids by open key."""
    if not new:
        return {}
    rows = [_new_risk(clean, now) for clean in new]
    try:
        with session.begin_nested():
            returned = (
                session.connection().execute(_RISKS.insert().returning(_RISKS.c.id, _RISKS.c.open_key), rows).all()
            )
    except IntegrityError:
        one_by_one = [_insert(session, clean, now) for clean in new]
        return {r.open_key: row_id(r) for r in one_by_one if r is not None}  # type: ignore[misc]  # open_key: set on a risk not closed
    ids = {key: risk_id for risk_id, key in returned}
    session.connection().execute(
        _EVENTS.insert(), [_raised_event(ids[clean.key], clean.severity, now) for clean in new]
    )
    return ids


def _new_risk(clean: _Clean, now: datetime) -> dict[str, Any]:
    """A new open risk's columns."""
    return {
        "programme_id": clean.programme_id,
        "rule": clean.rule,
        "subject": clean.subject,
        "open_key": clean.key,
        "title": clean.title,
        "detail": clean.detail,
        "severity": clean.severity.value,
        "owner_organisation_id": clean.owner_organisation_id,
        "status": RiskStatus.OPEN.value,
        "raised_at": now,
        "updated_at": now,
        "closed_at": None,
    }


def _raised_event(risk_id: int, severity: Severity, now: datetime) -> dict[str, Any]:
    """The columns of a new risk's first event: a rule raised it."""
    return {
        "risk_id": risk_id,
        "action": "raised",
        "from_status": None,
        "to_status": RiskStatus.OPEN.value,
        "member_id": None,
        "note": f"Severity {severity.value}",
        "at": now,
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
    clean = _cleaned(programme_id, Finding(rule, subject, title, detail, Severity(severity), owner_organisation_id))
    risk = _open_by_key(session, clean.key)
    if risk is None:
        risk = _insert(session, clean, now)
        if risk is not None:
            return RaisedRisk(row_id(risk), "new", True, clean.severity, None, clean.redactions)
        risk = _open_by_key(session, clean.key)  # another process raised it a moment ago
        assert risk is not None
    return _update(session, risk, clean, now)


def _open_by_key(session: Session, key: str) -> Risk | None:
    return session.exec(
        select(Risk).where(Risk.open_key == key).with_for_update().execution_options(populate_existing=True)
    ).first()


def _insert(session: Session, clean: _Clean, now: datetime) -> Risk | None:
    """Insert in a savepoint; None when the unique open_key says a concurrent raise won."""
    risk = Risk(**_new_risk(clean, now))
    try:
        with session.begin_nested():
            session.add(risk)
            session.flush()
    except IntegrityError:
        return None
    session.add(RiskEvent(**_raised_event(row_id(risk), clean.severity, now)))
    session.flush()
    return risk


def _update(session: Session, risk: Risk, clean: _Clean, now: datetime) -> RaisedRisk:
    before = Severity(risk.severity)
    changes = _changes(risk, clean)
    if not changes:
        return RaisedRisk(row_id(risk), "unchanged", False, before, before, clean.redactions)
    risk.title, risk.detail, risk.severity, risk.updated_at = clean.title, clean.detail, clean.severity.value, now
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
    escalated = SEVERITY_RANK[clean.severity] > SEVERITY_RANK[before]
    return RaisedRisk(row_id(risk), "updated", escalated, clean.severity, before, clean.redactions)


def _changes(risk: Risk, clean: _Clean) -> list[str]:
    """What a fresh raise would change, in words for the history."""
    out = []
    if risk.severity != clean.severity.value:
        out.append(f"severity {risk.severity} → {clean.severity.value}")
    if risk.title != clean.title:
        out.append("title changed")
    if risk.detail != clean.detail:
        out.append("detail changed")
    return out
