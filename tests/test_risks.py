"""The risk register on SQLite and PostgreSQL: one open risk per rule and subject, escalation,
who may act, closing needs a note, a closed risk frees the rule, history, and no NHS numbers."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import col, select

from bot.common.redact import REPLACEMENT
from bot.programme.loader import load_path
from bot.risks.changes import RiskChanged, RiskRefused, change_status
from bot.risks.listing import history, open_risks
from bot.risks.register import RaisedRisk, raise_risk
from models.db import session_scope
from models.tables import Member, Organisation, Programme, Risk, RiskEvent
from models.vocabulary import RiskStatus, Severity

PROGRAMME = Path(__file__).with_name("fixtures") / "checkin.yaml"
LEAD, PARTNER, OBSERVER = "U0TEST0001", "U0TEST0002", "U0TEST0005"
UTC = UTC
MONDAY = datetime(2027, 1, 4, 10, 0, tzinfo=UTC)
NHS = "943 476 5919"  # a valid NHS number (Modulus 11)


@pytest.fixture
def db(engine):
    load_path(engine, PROGRAMME)
    return engine


def _programme_id(session) -> int:
    return session.exec(select(Programme.id)).one()


def _org_id(session, key: str) -> int:
    return session.exec(select(Organisation.id).where(Organisation.key == key)).one()


def raise_(
    db,
    severity="high",
    title="Home care at level 3",
    detail=None,
    subject="carers:home_care",
    rule="capacity_level",
    now=MONDAY,
) -> RaisedRisk:
    with session_scope(db) as session:
        return raise_risk(
            session, _programme_id(session), rule, subject, title, detail, severity, _org_id(session, "carers"), now
        )


def act(db, user_id, risk_id, action, note=None, now=MONDAY, owner=None) -> RiskChanged | RiskRefused:
    with session_scope(db) as session:
        member = session.exec(select(Member).where(Member.platform_user_id == user_id)).one()
        owner_id = _org_id(session, owner) if owner else None
        return change_status(session, risk_id, member, action, note, now, owner_organisation_id=owner_id)


def risks(db) -> list[Risk]:
    with session_scope(db) as session:
        return list(session.exec(select(Risk).order_by(col(Risk.id))))


def events(db, risk_id) -> list[RiskEvent]:
    with session_scope(db) as session:
        return list(session.exec(select(RiskEvent).where(RiskEvent.risk_id == risk_id).order_by(col(RiskEvent.id))))


def test_raising_twice_keeps_one_risk_and_records_an_update_only_on_change(db):
    first = raise_(db)
    assert (first.outcome, first.escalated, first.previous_severity) == ("new", True, None)
    again = raise_(db, now=MONDAY.replace(hour=11))
    assert again.risk_id == first.risk_id and (again.outcome, again.escalated) == ("unchanged", False)
    assert [e.action for e in events(db, first.risk_id)] == ["raised"]
    changed = raise_(db, detail="14 hours not delivered", now=MONDAY.replace(hour=12))
    assert (changed.outcome, changed.escalated) == ("updated", False)
    [risk] = risks(db)
    assert risk.detail == "14 hours not delivered" and risk.open_key.endswith(":capacity_level:carers:home_care")
    assert [(e.action, e.note) for e in events(db, risk.id)] == [
        ("raised", "Severity high"),
        ("updated", "detail changed"),
    ]


def test_a_rise_in_severity_is_reported_and_a_fall_is_not(db):
    raise_(db, severity="medium")
    up = raise_(db, severity="critical")
    assert (up.outcome, up.escalated, up.previous_severity, up.severity) == (
        "updated",
        True,
        Severity.MEDIUM,
        Severity.CRITICAL,
    )
    down = raise_(db, severity="high")
    assert (down.outcome, down.escalated) == ("updated", False)
    assert risks(db)[0].severity == "high"
    assert [e.note for e in events(db, up.risk_id)][1:] == ["severity medium → critical", "severity critical → high"]


def test_the_same_rule_on_another_subject_is_another_risk(db):
    a = raise_(db, subject="carers:home_care")
    b = raise_(db, subject="carers:reablement")
    assert a.risk_id != b.risk_id and len(risks(db)) == 2


@pytest.mark.parametrize("user_id, role", [(PARTNER, "a partner"), (OBSERVER, "an observer")])
def test_partners_and_observers_are_refused_politely(db, user_id, role):
    raised = raise_(db)
    result = act(db, user_id, raised.risk_id, "acknowledge")
    assert isinstance(result, RiskRefused)
    assert result.reason == f"Only the programme's leads can change risks; you are {role}."
    assert risks(db)[0].status == "open" and len(events(db, raised.risk_id)) == 1


def test_closing_needs_a_note(db):
    raised = raise_(db)
    for note in (None, "", "   "):
        result = act(db, LEAD, raised.risk_id, "close", note)
        assert isinstance(result, RiskRefused) and "needs a note" in result.reason
    assert risks(db)[0].status == "open"


def test_closed_then_raised_again_is_a_new_risk(db):
    first = raise_(db)
    closed = act(db, LEAD, first.risk_id, "close", "Extra carers in post")
    assert isinstance(closed, RiskChanged) and closed.to_status == RiskStatus.CLOSED
    old = risks(db)[0]
    assert old.open_key is None and old.closed_at == MONDAY
    second = raise_(db, now=MONDAY.replace(day=5))
    assert second.outcome == "new" and second.escalated and second.risk_id != first.risk_id
    assert [r.status for r in risks(db)] == ["closed", "open"]
    refused = act(db, LEAD, first.risk_id, "reopen", "not fixed after all")
    assert isinstance(refused, RiskRefused) and f"#{second.risk_id}" in refused.reason


def test_the_history_says_who_when_and_from_what(db):
    raised = raise_(db)
    steps = [
        ("acknowledge", "Looking at it", 11),
        ("assign", None, 12),
        ("mitigate", "Bank staff", 13),
        ("reopen", "Worse again", 14),
        ("close", "Resolved", 15),
    ]
    for action, note, hour in steps:
        result = act(
            db,
            LEAD,
            raised.risk_id,
            action,
            note,
            now=MONDAY.replace(hour=hour),
            owner="council" if action == "assign" else None,
        )
        assert isinstance(result, RiskChanged), result
    with session_scope(db) as session:
        trail = history(session, raised.risk_id)
    assert [(e.action, e.by, e.from_status, e.to_status, e.at.hour) for e in trail] == [
        ("raised", None, None, "open", 10),
        ("acknowledged", "Alice Lead", "open", "acknowledged", 11),
        ("assigned", "Alice Lead", "acknowledged", "acknowledged", 12),
        ("mitigated", "Alice Lead", "acknowledged", "mitigated", 13),
        ("reopened", "Alice Lead", "mitigated", "open", 14),
        ("closed", "Alice Lead", "open", "closed", 15),
    ]
    assert trail[2].note == "owner Home Carers Ltd → Council"
    assert risks(db)[0].owner_organisation_id is not None


def test_an_action_the_status_does_not_allow_is_refused(db):
    raised = raise_(db)
    act(db, LEAD, raised.risk_id, "acknowledge")
    again = act(db, LEAD, raised.risk_id, "acknowledge")
    assert isinstance(again, RiskRefused) and "acknowledged" in again.reason
    assert isinstance(act(db, LEAD, raised.risk_id, "assign"), RiskRefused)  # no owner given
    assert isinstance(act(db, LEAD, raised.risk_id, "delete"), RiskRefused)
    assert len(events(db, raised.risk_id)) == 2


def test_a_new_raise_does_not_take_back_an_owner_a_lead_assigned(db):
    raised = raise_(db)
    act(db, LEAD, raised.risk_id, "assign", owner="council")
    raise_(db, severity="critical")
    with session_scope(db) as session:
        assert risks(db)[0].owner_organisation_id == _org_id(session, "council")


def test_no_nhs_number_is_stored_in_title_detail_or_note(db):
    raised = raise_(db, title=f"Patient {NHS} waiting", detail=f"See 9434765919 and {NHS}")
    assert raised.redactions == 3
    act(db, LEAD, raised.risk_id, "close", f"Patient {NHS.replace(' ', '-')} placed")
    [risk] = risks(db)
    stored = [risk.title, risk.detail] + [e.note or "" for e in events(db, risk.id)]
    assert all("9434765919" not in s.replace(" ", "").replace("-", "") for s in stored)
    assert risk.title == f"Patient {REPLACEMENT} waiting" and REPLACEMENT in events(db, risk.id)[-1].note


def test_open_risks_critical_first_then_oldest_with_age_owner_and_last_event(db):
    # Friday 18 Dec 2026; Christmas week: 25 and 28 Dec are bank holidays.
    friday = datetime(2026, 12, 18, 10, 0, tzinfo=UTC)
    old_high = raise_(db, severity="high", subject="a", now=friday)
    new_high = raise_(db, severity="high", subject="b", now=datetime(2026, 12, 23, 10, 0, tzinfo=UTC))
    critical = raise_(db, severity="critical", subject="c", now=datetime(2026, 12, 24, 10, 0, tzinfo=UTC))
    gone = raise_(db, severity="critical", subject="d", now=friday)
    act(db, LEAD, gone.risk_id, "close", "done", now=friday)
    act(db, LEAD, old_high.risk_id, "acknowledge", "on it", now=friday)
    today = datetime(2026, 12, 29, 9, 0, tzinfo=UTC)
    with session_scope(db) as session:
        views = open_risks(session, _programme_id(session), today)
    assert [v.id for v in views] == [critical.risk_id, old_high.risk_id, new_high.risk_id]
    # 21, 22, 23, 24, 29 Dec after the 18th; 24 and 29 after the 23rd; 29 after the 24th
    assert [v.age_working_days for v in views] == [1, 5, 2]
    top, acked = views[0], views[1]
    assert top.owner_name == "Home Carers Ltd" and top.status == RiskStatus.OPEN
    assert top.last_event is not None and top.last_event.action == "raised" and top.last_event.by is None
    assert acked.status == RiskStatus.ACKNOWLEDGED
    assert acked.last_event is not None and (acked.last_event.action, acked.last_event.by, acked.last_event.note) == (
        "acknowledged",
        "Alice Lead",
        "on it",
    )


def test_a_risk_from_another_programme_is_refused(db):
    raised = raise_(db)
    with session_scope(db) as session:
        member = session.exec(select(Member).where(Member.platform_user_id == LEAD)).one()
        session.expunge(member)
    member.programme_id = member.programme_id + 1
    with session_scope(db) as session:
        result = change_status(session, raised.risk_id, member, "acknowledge", None, MONDAY)
    assert isinstance(result, RiskRefused) and "not in your programme" in result.reason


def test_a_concurrent_raise_that_loses_the_race_updates_the_winner(db, monkeypatch):
    """Both processes saw no open risk; the unique open_key stops the second insert, which
    then finds the winner's risk and updates it, in the same transaction."""
    import bot.risks.register as module

    first = raise_(db, severity="medium")
    real = module._open_by_key
    calls = []

    def blind_once(session, key):
        calls.append(key)
        return None if len(calls) == 1 else real(session, key)

    monkeypatch.setattr(module, "_open_by_key", blind_once)
    second = raise_(db, severity="high")
    assert len(calls) == 2 and second.risk_id == first.risk_id
    assert (second.outcome, second.escalated) == ("updated", True)
    assert len(risks(db)) == 1 and [e.action for e in events(db, first.risk_id)] == ["raised", "updated"]
