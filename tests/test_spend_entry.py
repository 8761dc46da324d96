"""A lead's direct entry in the ledger, on SQLite and PostgreSQL: who may, a lower figure needs
a reason, both rows stay, the audit trail, and the local date across the clock change."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import col, select

from bot.common.redact import REPLACEMENT
from bot.programme.loader import load_path
from bot.spend.entry import EntryRefused, LeadEntry, record_lead_entry
from bot.spend.ledger import spend_position
from models.db import session_scope
from models.tables import AuditEvent, Member, Programme, SpendReport

PROGRAMME = Path(__file__).with_name("fixtures") / "checkin.yaml"
LEAD, PARTNER, OBSERVER = "U0TEST0001", "U0TEST0002", "U0TEST0005"
UTC = UTC
MONDAY = datetime(2027, 1, 4, 10, 0, tzinfo=UTC)
D = Decimal


@pytest.fixture
def db(engine):
    load_path(engine, PROGRAMME)
    return engine


def enter(db, user_id: str, key: str, actual: str, committed=None, activity=None, reason=None, now=MONDAY):
    with session_scope(db) as session:
        member = session.exec(select(Member).where(Member.platform_user_id == user_id)).one()
        return record_lead_entry(session, member, key, actual, committed, activity, reason, now)


def rows(db) -> list[SpendReport]:
    with session_scope(db) as session:
        return list(session.exec(select(SpendReport).order_by(col(SpendReport.id))))


def audit(db) -> list[AuditEvent]:
    with session_scope(db) as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action == "spend.lead_entry")))


def test_a_lead_records_figures_and_the_audit_trail_says_who(db):
    result = enter(db, LEAD, "hours", "£12,345.67", "2.5k", "1,250")
    assert isinstance(result, LeadEntry)
    assert (result.figures.actual, result.figures.committed, result.figures.activity) == (
        D("12345.67"),
        D("2500.00"),
        D("1250.00"),
    )
    assert result.previous is None and result.local_date == date(2027, 1, 4)
    [row] = rows(db)
    assert (row.source, row.actual, row.local_date, row.correction_reason) == (
        "lead",
        D("12345.67"),
        date(2027, 1, 4),
        None,
    )
    [event] = audit(db)
    assert event.actor == f"slack:{LEAD}" and event.subject == "scheme:hours"
    assert event.detail["figures"]["actual"] == "12345.67" and event.detail["previous"] is None


def test_left_out_committed_and_activity_keep_the_latest(db):
    enter(db, LEAD, "hours", "1000", "500", "40")
    result = enter(db, LEAD, "hours", "1200.50", now=MONDAY.replace(hour=11))
    assert isinstance(result, LeadEntry)
    assert (result.figures.committed, result.figures.activity) == (D("500.00"), D("40.00"))
    assert result.previous is not None and result.previous.actual == D("1000.00")


def test_a_lower_actual_needs_a_reason_then_both_rows_stay(db):
    enter(db, LEAD, "hours", "1234.57")
    refused = enter(db, LEAD, "hours", "1000", now=MONDAY.replace(hour=11))
    assert isinstance(refused, EntryRefused)
    assert "£1,000.00 is lower than the £1,234.57 on record" in refused.reason and "because" in refused.reason
    assert len(rows(db)) == 1 and len(audit(db)) == 1
    result = enter(db, LEAD, "hours", "1000", reason="invoice counted twice", now=MONDAY.replace(hour=11))
    assert isinstance(result, LeadEntry) and result.lowered == ("actual",)
    assert [(r.actual, r.correction_reason) for r in rows(db)] == [
        (D("1234.57"), None),
        (D("1000.00"), "invoice counted twice"),
    ]
    with session_scope(db) as session:
        programme = session.exec(select(Programme)).one()
        assert spend_position(session, programme, date(2027, 1, 4)).actual == D("1000.00")


def test_a_lower_activity_needs_a_reason_but_committed_may_fall(db):
    enter(db, LEAD, "hours", "1000", "900", "40")
    refused = enter(db, LEAD, "hours", "1000", "100", "39", now=MONDAY.replace(hour=11))
    assert isinstance(refused, EntryRefused) and "activity to date 39 is lower than the 40" in refused.reason
    assert isinstance(enter(db, LEAD, "hours", "1000", "100", "40", now=MONDAY.replace(hour=11)), LeadEntry)


@pytest.mark.parametrize("user_id", [PARTNER, OBSERVER])
def test_partners_and_observers_are_refused_with_a_reason(db, user_id):
    refused = enter(db, user_id, "hours", "1000")
    assert isinstance(refused, EntryRefused) and "Only leads and admins" in refused.reason
    assert rows(db) == [] and audit(db) == []


@pytest.mark.parametrize(
    ("actual", "committed", "activity", "says"),
    [
        ("12.345", None, None, "fractions of a penny"),
        ("-5", None, None, "negative"),
        ("lots", None, None, "is not an amount"),
        ("100", "ten", None, "is not an amount"),
        ("100", "0", "1.234", "more than two decimal places"),
    ],
)
def test_a_bad_figure_is_refused_and_nothing_is_stored(db, actual, committed, activity, says):
    refused = enter(db, LEAD, "hours", actual, committed, activity)
    assert isinstance(refused, EntryRefused) and says in refused.reason and "Nothing was recorded" in refused.reason
    assert rows(db) == [] and audit(db) == []


def test_an_unknown_scheme_lists_the_keys(db):
    refused = enter(db, LEAD, "nope", "100")
    assert isinstance(refused, EntryRefused)
    assert refused.reason == "There is no scheme 'nope' on this programme. Scheme keys: beds, hours, staff."


def test_an_nhs_number_in_the_reason_is_redacted(db):
    enter(db, LEAD, "hours", "500")
    result = enter(db, LEAD, "hours", "400", reason="refund for 943 476 5919", now=MONDAY.replace(hour=11))
    assert isinstance(result, LeadEntry) and result.redactions == 1
    assert rows(db)[-1].correction_reason == f"refund for {REPLACEMENT}"


def test_the_local_date_follows_the_clock_change(db):
    # 23:30 UTC on Tue 30 March 2027 is 00:30 BST on Wed 31 March (clocks went forward on the 28th).
    result = enter(db, LEAD, "hours", "100", now=datetime(2027, 3, 30, 23, 30, tzinfo=UTC))
    assert isinstance(result, LeadEntry) and result.local_date == date(2027, 3, 31)
    # 23:30 UTC on Sat 27 March is still Saturday in GMT.
    result = enter(db, LEAD, "beds", "100", now=datetime(2027, 3, 27, 23, 30, tzinfo=UTC))
    assert isinstance(result, LeadEntry) and result.local_date == date(2027, 3, 27)
