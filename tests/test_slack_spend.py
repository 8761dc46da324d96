"""`/winter spend` through the real ASGI app with signed requests, on a clock set to
Wednesday 20 January 2027: a lead records figures and sees totals that match spend_position
to the penny; a partner can look but not set; a bad amount is refused and nothing is stored."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from fixtures_slack import said
from sqlmodel import select

from bot.common.asking import JOIN_TEXT
from bot.common.money import format_money
from bot.programme.loader import load_path
from bot.spend.ledger import spend_position
from models.db import session_scope
from models.tables import AuditEvent, Programme, SpendReport

PROGRAMME = Path(__file__).with_name("fixtures") / "checkin.yaml"
LEAD, PARTNER = "U0TEST0001", "U0TEST0002"
WED_20_JAN_10AM = datetime(2027, 1, 20, 10, 0, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture
def january(engine):
    load_path(engine, PROGRAMME)
    with time_machine.travel(WED_20_JAN_10AM, tick=True):
        yield


def ledger(engine) -> list[SpendReport]:
    with session_scope(engine) as session:
        return list(session.exec(select(SpendReport).order_by(SpendReport.id)))


def test_a_lead_records_figures_and_sees_totals_that_match_to_the_penny(slack_server, engine, january):
    shown, _ = said(slack_server.command("spend hours £12,345.67 2.5k 420", LEAD))
    assert "Recorded for Home care hours (hours) on Wed 20 Jan 2027: spent to date £12,345.67" in shown
    said(slack_server.command("spend beds 1000.01 0 3", LEAD))
    shown, fallback = said(slack_server.command("spend", LEAD))
    with session_scope(engine) as session:
        position = spend_position(session, session.exec(select(Programme)).one(), date(2027, 1, 20))
    # 12,345.67 + 1,000.01 = 13,345.68 spent; 2,500.00 committed; 15,845.68 in all
    assert (str(position.actual), str(position.committed)) == ("13345.68", "2500.00")
    assert "*Actual* £13,345.68   *Committed* £2,500.00   *Commitment* £15,845.68" in shown
    assert "*Allocated so far* £400,000.00 of £400,000.00" in shown
    assert f"{format_money(position.forecast.run_rate_needed, pence=True)} a working day" in shown
    assert format_money(position.forecast.outturn_recent, pence=True) in shown
    assert "hours" in shown and "never" in shown  # the table: staff never reported
    assert "Spend for Test fund: actual £13,345.68, committed £2,500.00" in fallback


def test_a_correction_needs_a_reason_then_stands(slack_server, engine, january):
    said(slack_server.command("spend hours 5000", LEAD))
    shown, _ = said(slack_server.command("spend hours 4000", LEAD))
    assert "lower than the £5,000.00 on record" in shown and "Nothing was recorded" in shown
    shown, _ = said(slack_server.command("spend hours 4000 because invoice counted twice", LEAD))
    assert "Correction reason: invoice counted twice." in shown and "Both stay in the ledger" in shown
    assert [(str(r.actual), r.correction_reason, r.source) for r in ledger(engine)] == [
        ("5000.00", None, "lead"),
        ("4000.00", "invoice counted twice", "lead"),
    ]


def test_a_partner_can_view_but_not_set(slack_server, engine, january):
    shown, _ = said(slack_server.command("spend", PARTNER))
    assert "Spend: Test fund" in shown
    shown, _ = said(slack_server.command("spend hours 100", PARTNER))
    assert "Only leads and admins enter spend directly; you are a partner." in shown
    assert ledger(engine) == []


def test_a_bad_amount_is_explained_and_nothing_is_stored(slack_server, engine, january):
    shown, fallback = said(slack_server.command("spend hours 12.345", LEAD))
    assert "'12.345' has fractions of a penny: give at most two decimal places. Nothing was recorded." in shown
    assert "fractions of a penny" in fallback
    shown, _ = said(slack_server.command("spend hours", LEAD))
    assert "spend SCHEME-KEY ACTUAL [COMMITTED] [ACTIVITY] [because REASON]" in shown
    assert ledger(engine) == []
    with session_scope(engine) as session:
        assert session.exec(select(AuditEvent).where(AuditEvent.action == "spend.lead_entry")).all() == []


def test_someone_not_on_a_programme_gets_the_join_text(slack_server, january):
    shown, _ = said(slack_server.command("spend", "U0NOBODY"))
    assert shown == JOIN_TEXT
