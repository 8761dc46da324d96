"""`/winter status`, `/winter partners` and `/winter decide` through the real ASGI app with signed
requests, for every role, on a clock set to Wednesday 20 January 2027 at 10:00 in London.

The programme (tests/fixtures/checkin.yaml): Alice leads (council); Bob and Carol are partners at
Home Carers Ltd (home care and reablement); Dev is a partner at Healthwatch; Olu observes. Bob has
answered every working day since 4 January and today; Carol and Dev never have. An admin is added.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from fixtures_slack import insert_member, said
from sqlmodel import select

from bot.common.asking import JOIN_TEXT
from bot.common.calendar import working_days
from bot.programme.loader import load_path
from bot.reports.engagement import response_rates
from models.db import session_scope
from models.tables import AuditEvent, CapacityReport, CheckIn, Decision, Member, Organisation, Programme

PROGRAMME = Path(__file__).with_name("fixtures") / "checkin.yaml"
LEAD, BOB, CAROL, DEV, OBSERVER, ADMIN = (
    "U0TEST0001",
    "U0TEST0002",
    "U0TEST0003",
    "U0TEST0004",
    "U0TEST0005",
    "U0ADMIN01",
)
STRANGER = "U0NOBODY"
TODAY = date(2027, 1, 20)
WED_20_JAN_10AM = datetime(2027, 1, 20, 10, 0, tzinfo=ZoneInfo("Europe/London"))
NHS_NUMBER = "943 476 5919"  # a valid Modulus 11 check digit


@pytest.fixture
def january(engine):
    load_path(engine, PROGRAMME)
    insert_member(engine, ADMIN, "admin", name="Ada Admin", programme="test-fund", organisation="council")
    with session_scope(engine) as session:
        programme = session.exec(select(Programme)).one()
        bob = session.exec(select(Member).where(Member.platform_user_id == BOB)).one()
        carers = session.exec(select(Organisation).where(Organisation.key == "carers")).one()
        for day in working_days(date(2027, 1, 4), TODAY):
            session.add(CheckIn(programme_id=programme.id, member_id=bob.id, organisation_id=carers.id, local_date=day))
        session.add(
            CapacityReport(
                programme_id=programme.id, organisation_id=carers.id, service="home_care", local_date=TODAY, level=4
            )
        )
        session.add(
            CapacityReport(
                programme_id=programme.id,
                organisation_id=carers.id,
                service="reablement",
                local_date=date(2027, 1, 11),
                level=2,
            )
        )
    with time_machine.travel(WED_20_JAN_10AM, tick=True):
        yield


def decisions(engine) -> list[Decision]:
    with session_scope(engine) as session:
        return list(session.exec(select(Decision).order_by(Decision.id)))


# -- status ----------------------------------------------------------------------------------


@pytest.mark.parametrize("user_id", [LEAD, ADMIN])
def test_leads_and_admins_see_the_whole_screen_with_every_quiet_name(slack_server, january, user_id):
    shown, fallback = said(slack_server.command("status", user_id))
    assert "Status: Test fund" in shown
    assert (
        "*Home Carers Ltd*: Home care :red_circle: 4 · Reablement :large_yellow_circle: 2 :hourglass: stale, 6 working days old"
        in shown
    )
    assert "*Gone quiet: 2*" in shown
    assert "Carol Partner (Home Carers Ltd)" in shown and "Dev Watcher (Healthwatch)" in shown
    assert "*Today's check-ins*: 1 of 3 partners have answered (33%)." in shown
    assert "Allocated so far £400,000 of £400,000" in shown
    assert fallback.startswith("Status for Test fund:") and "2 partners gone quiet; 1 of 3 check-ins today." in fallback


def test_a_partner_sees_the_status_but_only_their_own_organisations_quiet_names(slack_server, january):
    shown, _ = said(slack_server.command("status", BOB))
    assert "Status: Test fund" in shown and "Home care :red_circle: 4" in shown
    assert "*Gone quiet: 2*" in shown
    assert "Carol Partner (Home Carers Ltd)" in shown
    assert "Dev Watcher" not in shown
    assert "1 is in other organisations; the leads see who." in shown


def test_an_observer_sees_the_status_without_names(slack_server, january):
    shown, _ = said(slack_server.command("status", OBSERVER))
    assert "Status: Test fund" in shown and "*Gone quiet: 2*" in shown
    assert "Carol" not in shown and "Dev Watcher" not in shown
    assert "2 partners; the leads see who." in shown


def test_a_stranger_is_told_how_to_join(slack_server, january):
    shown, fallback = said(slack_server.command("status", STRANGER))
    assert shown == JOIN_TEXT and fallback == JOIN_TEXT


# -- partners --------------------------------------------------------------------------------


@pytest.mark.parametrize("user_id", [LEAD, ADMIN])
def test_leads_see_response_rates_by_sector_and_organisation(slack_server, engine, january, user_id):
    shown, fallback = said(slack_server.command("partners", user_id))
    with session_scope(engine) as session:
        rates = response_rates(session, session.exec(select(Programme)).one(), TODAY)
    carers = next(o for o in rates.organisations if o.name == "Home Carers Ltd")
    # last week: exactly the five working days before today, 13-19 Jan, for Bob and Carol (10 days);
    # Bob's answer today is not in it: 5 of 10
    assert (carers.last_week.answered, carers.last_week.prompted) == (5, 10)
    assert "Check-in response rates: Test fund" in shown
    assert "*Community* (2 organisations): last week 33.3% (5 of 15) · since the start" in shown
    assert "*Statutory* (1 organisation): last week nobody asked" in shown
    assert "Home Carers Ltd" in shown and "50.0% 5/10" in shown
    assert "Healthwatch" in shown and "0.0% 0/5" in shown
    assert "community 33.3% (5 of 15) last week, 14.8% (13 of 88) since the start" in fallback


@pytest.mark.parametrize(("user_id", "role"), [(BOB, "a partner"), (OBSERVER, "an observer")])
def test_partners_and_observers_are_told_rates_are_for_leads(slack_server, january, user_id, role):
    shown, _ = said(slack_server.command("partners", user_id))
    assert shown.startswith(f"Response rates by organisation are for the programme's leads; you are {role}.")
    assert "Home Carers Ltd" not in shown


def test_partners_for_a_stranger_is_the_join_text(slack_server, january):
    assert said(slack_server.command("partners", STRANGER))[0] == JOIN_TEXT


# -- decide ----------------------------------------------------------------------------------


def test_a_leads_decision_is_stored_without_the_nhs_number_and_confirmed_only_to_them(
    slack_server, slack_api, engine, january
):
    shown, fallback = said(
        slack_server.command(
            f"decide Extend the bridging contract to 31 March & fund patient {NHS_NUMBER}'s package", LEAD
        )
    )
    assert "Decision recorded for Test fund." in shown
    assert "1 NHS number was removed before it was stored" in shown
    assert "> Extend the bridging contract to 31 March &amp; fund patient [NHS number removed]'s package" in shown
    assert "Recorded by Alice Lead (Council) on Wed 20 Jan 2027" in shown
    assert fallback.startswith("Decision recorded for Test fund.")
    [stored] = decisions(engine)
    assert stored.text == "Extend the bridging contract to 31 March & fund patient [NHS number removed]'s package"
    assert stored.local_date == TODAY and "9434765919" not in stored.text.replace(" ", "")
    with session_scope(engine) as session:
        assert len(session.exec(select(AuditEvent).where(AuditEvent.action == "decision.recorded")).all()) == 1
    assert slack_api.calls("chat.postMessage") == []  # the digest carries it to everyone


def test_an_admins_decision_is_stored(slack_server, engine, january):
    shown, _ = said(slack_server.command("decide Pause the step-down beds scheme", ADMIN))
    assert "Decision recorded for Test fund." in shown
    assert [d.text for d in decisions(engine)] == ["Pause the step-down beds scheme"]


@pytest.mark.parametrize(("user_id", "role"), [(BOB, "a partner"), (OBSERVER, "an observer")])
def test_a_partners_or_observers_decision_is_refused_politely_saying_why(slack_server, engine, january, user_id, role):
    shown, _ = said(slack_server.command("decide Buy more hours", user_id))
    assert shown == f"Only the programme's leads record decisions; you are {role}. Ask one of your leads to record it."
    assert decisions(engine) == []


def test_decide_without_text_or_from_a_stranger_stores_nothing(slack_server, engine, january):
    assert "Write the decision after the command" in said(slack_server.command("decide", LEAD))[0]
    assert said(slack_server.command("decide Do it", STRANGER))[0] == JOIN_TEXT
    assert decisions(engine) == []


def test_help_lists_status_for_everyone_and_partners_and_decide_for_leads(slack_server, january):
    lead, _ = said(slack_server.command("help", LEAD))
    partner, _ = said(slack_server.command("help", BOB))
    assert all(f"`/winter {usage}`" in lead for usage in ("status", "partners", "decide TEXT"))
    assert "`/winter status`" in partner
    assert "`/winter partners`" not in partner and "`/winter decide TEXT`" not in partner


def test_someone_on_two_programmes_sees_the_one_they_lead(slack_server, engine, january):
    insert_member(engine, BOB, "lead", name="Bob Lead")  # a second programme, "vale", where Bob leads
    shown, _ = said(slack_server.command("status", BOB))
    assert "Status: Vale winter discharge fund" in shown
    assert said(slack_server.command("partners", BOB))[0].startswith(
        "Check-in response rates: Vale winter discharge fund"
    )
