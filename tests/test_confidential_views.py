"""Confidential pressure reporting, view by view and role by role: a confidential GP practice's
name and level appear in no message, card, App Home, digest, export or log line seen by a partner
of another organisation, an observer or a stranger; the leads (and the practice's own partner)
see them by name.

The programme (written below): Alice leads (council); Gail is a partner at Riverside Surgery,
a GP practice marked `confidential: true`; Hana is a partner at Hilltop Medical Practice, an open
GP practice; Bob is a partner at Home Carers Ltd; Olu observes. On Wednesday 20 January 2027 at
10:00 in London Gail checks in at level 4 with a blocker and a comment, through the check-in use
case; the risk scan then raises its capacity risks.
"""

from __future__ import annotations

import json
import logging
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlmodel import select

from bot.checkin.flow import submit_checkin
from bot.programme.loader import load_path
from bot.reports.digest import compose_digest, digest_markdown
from bot.reports.leads_view import engagement_for, home_for, status_for
from bot.risks.requests import risks_command
from bot.risks.scan import scan
from bot.spend.exports import export
from bot.spend.ledger import spend_position
from handlers.slack.blocks.digest import digest_blocks
from handlers.slack.blocks.home import home_view
from handlers.slack.blocks.status import status_blocks
from handlers.teams.cards.partners import partners_card
from handlers.teams.cards.reports import report_cards
from handlers.teams.cards.risks import risks_list_card
from handlers.teams.cards.status import status_card
from models.db import session_scope
from models.tables import CapacityReport, Organisation, Programme

LONDON = ZoneInfo("Europe/London")
TODAY = date(2027, 1, 20)
NOW = datetime(2027, 1, 20, 10, 0, tzinfo=LONDON)
LEAD, GAIL, HANA, BOB, OLU, STRANGER = "U0CONF01", "U0CONF02", "U0CONF03", "U0CONF04", "U0CONF05", "U0NOBODY"
SECRET = "Riverside Surgery"
BLOCKER = "Two GPs off sick and no locum cover"
COMMENT = "Triage only from Thursday"
OTHERS = {"partner of another organisation": BOB, "observer": OLU, "stranger": STRANGER}
SEE_IT = {"lead": LEAD, "the practice's own partner": GAIL}

PROGRAMME_FILE = f"""
programme:
  slug: conf-fund
  name: Confidential fund
  deadline: 2027-03-31
  channel: C0CONF
  leads_channel: C0CONFLEADS
  tranches:
    - {{key: la, name: LA grant, amount: 400000, source: local_authority_grant, announced: 2026-11-16, available: 2026-12-07}}
organisations:
  - {{key: council, name: Council, kind: local_authority, services: []}}
  - {{key: riverside, name: {SECRET}, kind: gp, confidential: true}}
  - {{key: hilltop, name: Hilltop Medical Practice, kind: gp}}
  - {{key: carers, name: Home Carers Ltd, kind: home_care}}
  - {{key: watch, name: Healthwatch, kind: other, services: []}}
measures:
  gp:
    - {{key: same_day_used, label: Same-day appointments used by 11:00, unit: "%"}}
members:
  - {{slack: {LEAD}, name: Alice Lead, organisation: council, role: lead}}
  - {{slack: {GAIL}, name: Gail Partner, organisation: riverside, role: partner}}
  - {{slack: {HANA}, name: Hana Partner, organisation: hilltop, role: partner}}
  - {{slack: {BOB}, name: Bob Partner, organisation: carers, role: partner}}
  - {{slack: {OLU}, name: Olu Observer, organisation: watch, role: observer}}
schemes:
  - {{key: hours, name: Home care hours, owner: carers, type: home_care, source: local_authority_grant, budget: 90000, unit: hours, planned: 3000}}
"""


def _report(session: Any, programme: Programme, key: str, service: str, level: int) -> None:
    organisation = session.exec(select(Organisation).where(Organisation.key == key)).one()
    session.add(
        CapacityReport(
            programme_id=programme.id, organisation_id=organisation.id, service=service, local_date=TODAY, level=level
        )
    )


@pytest.fixture
def january(engine, tmp_path, caplog):
    path = tmp_path / "programme.yaml"
    path.write_text(PROGRAMME_FILE, encoding="utf-8")
    load_path(engine, path)
    with time_machine.travel(NOW, tick=False):
        with caplog.at_level(logging.DEBUG), session_scope(engine) as session:
            programme = session.exec(select(Programme)).one()
            _report(session, programme, "hilltop", "gp", 2)
            _report(session, programme, "carers", "home_care", 3)
            answers = {"service:gp": "4", "measure:gp:same_day_used": "100", "blockers": BLOCKER, "comment": COMMENT}
            result = submit_checkin(session, "slack", GAIL, programme.id, answers, NOW)
            assert type(result).__name__ == "CheckinResult", result
        with caplog.at_level(logging.DEBUG), session_scope(engine) as session:
            scan(session, session.exec(select(Programme)).one(), NOW)
        yield


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _hidden(text: str) -> None:
    assert SECRET not in text
    assert BLOCKER not in text and COMMENT not in text


def _views(engine, slack_server, user_id: str) -> dict[str, str]:
    """Every view one chat user can ask for, as the text they would be shown."""
    with session_scope(engine) as session:
        status = status_for(session, "slack", user_id, NOW)
        home = home_for(session, "slack", user_id, NOW)
        views = {
            "status (Slack blocks)": _text(status_blocks(status)),
            "status (Teams card)": _text(status_card(status)),
            "App Home": _text(home_view(home)),
            "/winter risks (Teams card)": _text(risks_list_card(risks_command(session, "slack", user_id, NOW))),
            "/winter partners (Teams card)": _text(partners_card(engagement_for(session, "slack", user_id, NOW))),
        }
    for word in ("status", "risks", "partners", "spend"):
        views[f"/winter {word}"] = _answer(slack_server.command(word, user_id))
    return views


def _answer(response: Any) -> str:
    """The whole ephemeral answer (blocks, buttons and fallback) as text."""
    assert response.status_code == 200, response.text
    return _text(response.json())


# -- who may not see it ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", sorted(OTHERS))
def test_nobody_else_sees_the_practice_by_name_in_any_view(engine, slack_server, january, role):
    views = _views(engine, slack_server, OTHERS[role])
    for name, text in views.items():
        assert SECRET not in text, f"{role} sees {SECRET} in {name}"
        assert BLOCKER not in text and COMMENT not in text, f"{role} reads its words in {name}"


@pytest.mark.parametrize("user_id", [BOB, OLU])
def test_others_see_the_confidential_practice_only_counted(engine, slack_server, january, user_id):
    shown = _answer(slack_server.command("status", user_id))
    assert "General practice: 1 confidential organisation reporting, level not shown" in shown
    assert "Hilltop Medical Practice" in shown  # an open practice stays by name
    risks = _answer(slack_server.command("risks", user_id))
    assert "Home Carers Ltd: home care at level 3" in risks and "at level 4" not in risks


# -- who may ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", sorted(SEE_IT))
def test_the_leads_and_the_practice_itself_see_it_by_name(engine, slack_server, january, role):
    views = _views(engine, slack_server, SEE_IT[role])
    assert f"*{SECRET}*: General practice :red_circle: 4" in views["/winter status"]
    assert f"{SECRET}: general practice at level 4" in views["/winter risks"]
    assert SECRET in views["status (Teams card)"] and SECRET in views["/winter risks (Teams card)"]
    if role == "lead":
        assert SECRET in views["/winter partners"] and SECRET in views["/winter partners (Teams card)"]
        assert SECRET in views["App Home"]
    else:
        assert "for the programme's leads" in views["/winter partners"]


# -- what goes to the whole channel ---------------------------------------------------------------


def test_the_weekly_digest_counts_the_practice_and_quotes_nothing_of_it(engine, january):
    with session_scope(engine) as session:
        digest = compose_digest(session, session.exec(select(Programme)).one(), TODAY, chart=False)
    rendered = {
        "Markdown": digest_markdown(digest),
        "Slack blocks": _text(digest_blocks(digest)),
        "Teams cards": _text(report_cards(digest)),
    }
    for name, text in rendered.items():
        assert SECRET not in text, name
        assert BLOCKER not in text and COMMENT not in text, name
        assert "at level 4" not in text and "worst this week 4" not in text, name
    markdown = rendered["Markdown"]
    assert (
        "General practice: worst this week 2 (Hilltop Medical Practice), latest 2; 0 working days at level 3 or more; "
        "in confidence, 1 confidential organisation reporting, level not shown"
    ) in markdown
    assert "Home Carers Ltd: home care at level 3" in markdown


def test_the_export_has_no_level_or_words(engine, january, tmp_path):
    with session_scope(engine) as session:
        position = spend_position(session, session.exec(select(Programme)).one(), TODAY)
    text = export(position, tmp_path / "return.csv").read_text(encoding="utf-8")
    _hidden(text)


def test_no_log_line_has_the_practice_with_its_level_or_words(engine, slack_server, january, caplog):
    """The check-in and the risk scan (the fixture's records, at DEBUG), then every view asked
    by every role through the real app (at INFO, the app's level: at DEBUG slack_bolt itself logs
    each answer's body)."""
    with caplog.at_level(logging.INFO):
        for user_id in (LEAD, GAIL, HANA, BOB, OLU, STRANGER):
            _views(engine, slack_server, user_id)
    records = [*caplog.get_records("setup"), *caplog.records]
    assert any("/winter status from" in r.getMessage() for r in records), "the requests are logged"
    for record in records:
        line = record.getMessage()
        assert not (SECRET in line and ("4" in line or "level" in line)), line
        assert BLOCKER not in line and COMMENT not in line, line
