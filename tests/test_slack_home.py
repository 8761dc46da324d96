"""The App Home through the real ASGI app: a signed `app_home_opened` event makes the app publish the
Home (views.publish to the Slack double) as the opener's role sees it, and a stored check-in
refreshes the partner's Home. Plus the Home builder's limits for a 200-organisation programme.

On a clock set to Wednesday 20 January 2027, 10:00 in London (tests/fixtures/checkin.yaml: Alice
leads, Bob and Carol are partners at Home Carers Ltd, Olu observes)."""

from __future__ import annotations

import json
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from fixtures_slack import said
from slack_double import APP_ID, TEAM_ID
from slack_signing import signed_headers
from sqlmodel import select
from test_slack_checkin import good_answers, open_modal, send

from bot.common.asking import JOIN_TEXT
from bot.programme.loader import load_path
from bot.reports.leads_view import LeadHome, PartnerHome, home_for
from handlers.slack.blocks.home import home_view
from handlers.slack.blocks.limits import check_home
from models.db import make_engine, session_scope
from models.tables import CapacityReport, CheckIn, Member, Organisation, Programme, Scheme, SpendReport

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from benchmarks.large_programme import build_large_programme  # noqa: E402

PROGRAMME = Path(__file__).with_name("fixtures") / "checkin.yaml"
LEAD, BOB, CAROL, OBSERVER, STRANGER = "U0TEST0001", "U0TEST0002", "U0TEST0003", "U0TEST0005", "U0NOBODY"
LONDON = ZoneInfo("Europe/London")
TODAY = date(2027, 1, 20)
WED_20_JAN_10AM = datetime(2027, 1, 20, 10, 0, tzinfo=LONDON)


@pytest.fixture
def january(engine):
    load_path(engine, PROGRAMME)
    with session_scope(engine) as session:
        programme = session.exec(select(Programme)).one()
        bob = session.exec(select(Member).where(Member.platform_user_id == BOB)).one()
        carers = session.exec(select(Organisation).where(Organisation.key == "carers")).one()
        hours = session.exec(select(Scheme).where(Scheme.key == "hours")).one()
        checkin = CheckIn(
            programme_id=programme.id,
            member_id=bob.id,
            organisation_id=carers.id,
            local_date=TODAY,
            submitted_at=datetime(2027, 1, 20, 9, 45, tzinfo=LONDON),
        )
        session.add(checkin)
        session.add(
            SpendReport(
                programme_id=programme.id,
                scheme_id=hours.id,
                member_id=bob.id,
                local_date=date(2027, 1, 18),
                actual=12500,
                committed=3000,
                activity=1200,
            )
        )
        session.add(
            CapacityReport(
                programme_id=programme.id, organisation_id=carers.id, service="home_care", local_date=TODAY, level=3
            )
        )
    with time_machine.travel(WED_20_JAN_10AM, tick=True):
        yield


def open_home(server, user_id: str, tab: str = "home") -> None:
    body = json.dumps(
        {
            "token": "legacy-verification-token",
            "team_id": TEAM_ID,
            "api_app_id": APP_ID,
            "type": "event_callback",
            "event_id": f"Ev{user_id}{tab}{time.monotonic_ns()}",
            "event_time": int(time.time()),
            "event": {
                "type": "app_home_opened",
                "user": user_id,
                "channel": "D0HOME",
                "tab": tab,
                "event_ts": str(time.time()),
            },
        }
    )
    response = server.http.post(
        "/slack/events",
        content=body.encode(),
        headers=signed_headers(body, server.secret, content_type="application/json"),
    )
    assert response.status_code == 200, response.text


def published(slack_api, user_id: str, count: int = 1) -> dict[str, Any]:
    """The last Home published for `user_id`, after waiting for `count` publishes in all."""
    calls = slack_api.wait_for("views.publish", count)
    view = [c for c in calls if c["user_id"] == user_id][-1]["view"]
    check_home(view)
    return view


def text_of(view: dict[str, Any]) -> str:
    out = []
    for block in view["blocks"]:
        if "text" in block:
            out.append(block["text"]["text"])
        out += [element["text"] for element in block.get("elements", [])]
    return "\n".join(out)


def test_a_leads_home_is_the_status_and_the_weeks_decisions(slack_server, slack_api, january):
    said(slack_server.command("decide Extend the bridging contract to 31 March", LEAD))
    open_home(slack_server, LEAD)
    shown = text_of(published(slack_api, LEAD))
    assert "Status: Test fund" in shown
    assert "*Home Carers Ltd*: Home care :large_orange_circle: 3 · Reablement :white_circle: never reported" in shown
    assert "Carol Partner (Home Carers Ltd)" in shown  # leads see who has gone quiet
    assert "*Decisions since Thu 14 Jan* (1)" in shown
    assert "> Extend the bridging contract to 31 March\n_Wed 20 Jan, Alice Lead, Council_" in shown
    assert "Shown only to you" not in shown


def test_a_partners_home_is_their_own_checkin_schemes_services_and_decisions(slack_server, slack_api, january):
    said(slack_server.command("decide Pause the step-down beds", LEAD))
    open_home(slack_server, BOB)
    shown = text_of(published(slack_api, BOB))
    assert "You are a partner at Home Carers Ltd." in shown
    assert ":white_check_mark: *Today's check-in*: answered at 09:45" in shown
    assert (
        "• *Home care hours*: spent £12,500 + committed £3,000 of £90,000 (17%) · 1,200 of 3,000 hours (40%) · as on Mon 18 Jan"
        in shown
    )
    assert "• *Care workers recruited*: budget £60,000, plan 12" in shown and "not reported yet" in shown
    assert "• Home care: :large_orange_circle: 3 (on Wed 20 Jan)" in shown
    assert "• Reablement: :white_circle: never reported" in shown
    assert "> Pause the step-down beds" in shown
    assert "Status:" not in shown and "Step-down beds*" not in shown  # the council's scheme is not hers


def test_a_partner_who_has_not_answered_is_told_how(slack_server, slack_api, january):
    open_home(slack_server, CAROL)
    shown = text_of(published(slack_api, CAROL))
    assert ":hourglass: *Today's check-in*: not answered yet." in shown and "`/winter checkin`" in shown
    assert "*Decisions since Thu 14 Jan*: none recorded." in shown


def test_an_observer_sees_the_status_without_names_and_a_stranger_how_to_join(slack_server, slack_api, january):
    open_home(slack_server, OBSERVER)
    shown = text_of(published(slack_api, OBSERVER))
    assert "Status: Test fund" in shown and "Carol" not in shown
    open_home(slack_server, STRANGER)
    assert JOIN_TEXT in text_of(published(slack_api, STRANGER, count=2))


def test_the_messages_tab_publishes_nothing(slack_server, slack_api, january):
    open_home(slack_server, LEAD, tab="messages")
    open_home(slack_server, BOB)
    slack_api.wait_for("views.publish", 1)
    time.sleep(0.3)
    assert [c["user_id"] for c in slack_api.calls("views.publish")] == [BOB]


def test_a_checkin_refreshes_the_partners_home(slack_server, slack_api, engine, january):
    with session_scope(engine) as session:
        programme_id = session.exec(select(Programme.id)).one()
        ids = {s.key: s.id for s in session.exec(select(Scheme))}
    open_home(slack_server, CAROL)
    assert "not answered yet" in text_of(published(slack_api, CAROL))
    view = open_modal(slack_server, slack_api, programme_id, CAROL)
    send(slack_server, view, good_answers(view, ids), CAROL)
    shown = text_of(published(slack_api, CAROL, count=2))
    assert ":white_check_mark: *Today's check-in*: answered at 10:0" in shown
    assert (
        "• *Home care hours*: spent £12,500 + committed £3,000 of £90,000 (17%) · 1,200 of 3,000 hours (40%) · as on Wed 20 Jan"
        in shown
    )
    assert "• Reablement: :large_yellow_circle: 2 (on Wed 20 Jan)" in shown


def test_a_home_not_opened_lately_is_left_for_its_next_opening(slack_server, slack_api, engine, january):
    """Slack tells the app each time the Home is opened, and it is published then."""
    with session_scope(engine) as session:
        programme_id = session.exec(select(Programme.id)).one()
        ids = {s.key: s.id for s in session.exec(select(Scheme))}
    view = open_modal(slack_server, slack_api, programme_id, CAROL)
    assert send(slack_server, view, good_answers(view, ids), CAROL)["response_action"] == "update"
    slack_api.wait_for("chat.update", 1)  # the prompt marked answered: the after-ack work has run
    assert slack_api.calls("views.publish") == []
    open_home(slack_server, CAROL)
    assert ":white_check_mark: *Today's check-in*: answered at 10:0" in text_of(published(slack_api, CAROL))


def test_a_failed_publish_is_logged_not_raised_and_the_checkin_stands(slack_server, slack_api, engine, january):
    with session_scope(engine) as session:
        programme_id = session.exec(select(Programme.id)).one()
        ids = {s.key: s.id for s in session.exec(select(Scheme))}
    open_home(slack_server, CAROL)
    published(slack_api, CAROL)
    slack_api.fail_next("views.publish", status=500, times=10)
    view = open_modal(slack_server, slack_api, programme_id, CAROL)
    answer = send(slack_server, view, good_answers(view, ids), CAROL)
    assert answer["response_action"] == "update"
    attempts = slack_api.wait_for("views.publish", 2)
    assert all(c["user_id"] == CAROL for c in attempts)
    with session_scope(engine) as session:
        carol = session.exec(select(Member).where(Member.platform_user_id == CAROL)).one()
        assert session.exec(select(CheckIn).where(CheckIn.member_id == carol.id)).all()


# -- the builder for a large programme ------------------------------------------------------


@pytest.fixture(scope="module")
def large_engine(tmp_path_factory):
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('home') / 'large.db'}")
    build_large_programme(engine, organisations=200, schemes=60, working_days=15)
    yield engine
    engine.dispose()


def test_homes_of_a_200_organisation_programme_fit(large_engine):
    now = datetime(2027, 3, 10, 11, 0, tzinfo=UTC)
    with session_scope(large_engine) as session:
        people = {m.role: m.platform_user_id for m in session.exec(select(Member).order_by(Member.id.desc()))}
        admin = home_for(session, "slack", people["admin"], now)
        partner = home_for(session, "slack", people["partner"], now)
    assert isinstance(admin, LeadHome) and isinstance(partner, PartnerHome)
    for home in (admin, partner):
        view = home_view(home)
        check_home(view)
        assert all(len(b["text"]["text"]) <= 3000 for b in view["blocks"] if b["type"] == "section")
    assert "Capacity" in text_of(home_view(admin))
