"""Recording decisions on SQLite and PostgreSQL: who may, what is refused and why, NHS numbers
redacted before storing, an audit row each, and reading them back newest first."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlmodel import col, select

from bot.common.asking import JOIN_TEXT
from bot.common.redact import REPLACEMENT
from bot.programme.loader import load_path
from bot.reports.decisions import DecisionRecorded, DecisionRefused, decisions_between, record_decision
from models.db import session_scope
from models.tables import AuditEvent, Decision, Programme

PROGRAMME = Path(__file__).with_name("fixtures") / "leads.yaml"
LEAD, ADMIN, PARTNER, OBSERVER = "U0LEAD0001", "U0ADMN0001", "U0PART0002", "U0OBSV0001"
UTC = UTC
# 23:30 UTC on 31 Dec is still 31 Dec in London (GMT); the local date is what is stored.
NOW = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
NHS = "943 476 5919"  # a valid NHS number (Modulus 11)
TEXT = "Extend the bridging care contract to 31 March"


@pytest.fixture
def db(engine):
    load_path(engine, PROGRAMME)
    return engine


def decide(db, user_id, text, now=NOW, platform="slack"):
    with session_scope(db) as session:
        return record_decision(session, platform, user_id, text, now)


def _decisions(db):
    with session_scope(db) as session:
        return [(d.text, d.local_date, d.member_id) for d in session.exec(select(Decision).order_by(col(Decision.id)))]


@pytest.mark.parametrize("user_id", [LEAD, ADMIN])
def test_leads_and_admins_record(db, user_id):
    result = decide(db, user_id, f"  {TEXT}  ")
    assert isinstance(result, DecisionRecorded)
    assert result.text == TEXT
    assert result.local_date == date(2026, 12, 31)
    assert result.programme_name == "Leads fund"
    assert result.redactions == 0
    assert "recorded for Leads fund" in result.message and "NHS" not in result.message
    [(text, day, member_id)] = _decisions(db)
    assert (text, day) == (TEXT, date(2026, 12, 31))
    with session_scope(db) as session:
        audit = session.exec(select(AuditEvent).where(AuditEvent.action == "decision.recorded")).one()
        assert audit.member_id == member_id
        assert audit.subject == f"decision:{result.decision_id}"
        assert audit.actor == f"slack:{user_id}"
        assert audit.detail["redactions"] == 0
        assert audit.at == NOW


@pytest.mark.parametrize(("user_id", "role"), [(PARTNER, "a partner"), (OBSERVER, "an observer")])
def test_partners_and_observers_are_refused(db, user_id, role):
    result = decide(db, user_id, TEXT)
    assert isinstance(result, DecisionRefused)
    assert result.reason == "not_lead"
    assert f"Only the programme's leads record decisions; you are {role}" in result.message
    assert _decisions(db) == []


def test_someone_not_on_a_programme_is_told_how_to_join(db):
    for platform, user_id in (("slack", "U0NOBODY01"), ("teams", LEAD)):
        result = decide(db, user_id, TEXT, platform=platform)
        assert result == DecisionRefused("not_member", JOIN_TEXT)
    assert _decisions(db) == []


@pytest.mark.parametrize("text", ["", "   ", None])
def test_empty_text_says_what_to_write(db, text):
    result = decide(db, LEAD, text)
    assert isinstance(result, DecisionRefused) and result.reason == "empty"
    assert "`/winter decide Extend the bridging care contract to 31 March`" in result.message
    assert _decisions(db) == []


def test_too_long_is_refused_with_the_length(db):
    assert isinstance(decide(db, LEAD, "x" * 2000), DecisionRecorded)  # exactly the limit is fine
    result = decide(db, LEAD, "y" * 2345)
    assert isinstance(result, DecisionRefused) and result.reason == "too_long"
    assert "2,345 characters" in result.message and "2,000" in result.message
    assert len(_decisions(db)) == 1


def test_nhs_numbers_are_redacted_before_storing(db):
    result = decide(db, LEAD, f"Fund a package for {NHS} and 4505577104; phone 0113 496 0000")
    assert isinstance(result, DecisionRecorded)
    assert result.redactions == 2
    assert "2 NHS numbers were removed" in result.message
    [(text, _, _)] = _decisions(db)
    assert NHS not in text and "4505577104" not in text
    assert text.count(REPLACEMENT) == 2
    assert "0113 496 0000" in text  # not an NHS number: kept
    with session_scope(db) as session:
        audit = session.exec(select(AuditEvent).where(AuditEvent.action == "decision.recorded")).one()
        assert audit.detail["redactions"] == 2
        assert NHS not in audit.detail["text"]
    one = decide(db, LEAD, f"Review {NHS}")
    assert "1 NHS number was removed" in one.message


def _second_programme(db, tmp_path, role: str):
    other = (
        PROGRAMME.read_text()
        .replace("slug: leads-fund", "slug: other-fund")
        .replace("name: Leads fund", "name: Other fund")
        .replace("role: lead}", f"role: {role}}}", 1)
    )
    path = tmp_path / "other.yaml"
    path.write_text(other)
    load_path(db, path)


def test_leading_two_programmes_asks_which(db, tmp_path):
    _second_programme(db, tmp_path, "lead")
    result = decide(db, LEAD, TEXT)
    assert isinstance(result, DecisionRefused) and result.reason == "which_programme"
    assert "leads-fund" in result.message and "other-fund" in result.message
    named = decide(db, LEAD, f"other-fund: {TEXT}")
    assert isinstance(named, DecisionRecorded)
    assert (named.programme_name, named.text) == ("Other fund", TEXT)
    with session_scope(db) as session:
        other_id = session.exec(select(Programme.id).where(Programme.slug == "other-fund")).one()
        assert session.exec(select(Decision.programme_id)).all() == [other_id]


def test_lead_of_one_partner_of_another_records_where_they_lead(db, tmp_path):
    _second_programme(db, tmp_path, "partner")
    result = decide(db, LEAD, TEXT)
    assert isinstance(result, DecisionRecorded) and result.programme_name == "Leads fund"
    refused = decide(db, LEAD, f"other-fund {TEXT}")
    assert isinstance(refused, DecisionRefused) and refused.reason == "not_lead"
    assert "you are a partner" in refused.message


def test_decisions_between_newest_first_with_who(db):
    decide(db, LEAD, "First", now=datetime(2026, 12, 21, 9, tzinfo=UTC))
    decide(db, ADMIN, "Second", now=datetime(2026, 12, 23, 9, tzinfo=UTC))
    decide(db, LEAD, "Third", now=datetime(2026, 12, 23, 15, tzinfo=UTC))
    decide(db, LEAD, "Later", now=datetime(2027, 1, 4, 9, tzinfo=UTC))
    with session_scope(db) as session:
        programme_id = session.exec(select(Programme.id)).one()
        views = decisions_between(session, programme_id, date(2026, 12, 21), date(2026, 12, 31))
        assert decisions_between(session, programme_id, date(2026, 12, 22), date(2026, 12, 22)) == []
    assert [v.text for v in views] == ["Third", "Second", "First"]
    assert (views[1].by, views[1].organisation) == ("Ada Admin", "Vale ICB")
    assert (views[0].by, views[0].organisation, views[0].local_date) == (
        "Alice Lead",
        "Vale Council",
        date(2026, 12, 23),
    )
