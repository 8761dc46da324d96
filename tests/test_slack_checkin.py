"""The check-in end to end: signed requests to the real ASGI app, the Slack double answering
its Web API calls, and the rows in the database afterwards."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from slack_double import APP_ID, TEAM_ID
from slack_signing import block_actions_payload
from sqlmodel import col, select

from bot.checkin import programme_today
from bot.common.asking import JOIN_TEXT
from bot.common.redact import REPLACEMENT
from bot.programme.file import parse_programme_file
from bot.programme.loader import load_path, load_programme
from handlers.slack.blocks.limits import check_message, check_modal
from models.db import session_scope
from models.tables import CapacityReport, CheckIn, Member, Programme, Scheme, SpendReport

PROGRAMME = Path(__file__).with_name("fixtures") / "checkin.yaml"
BOB, CAROL, LEAD = "U0TEST0002", "U0TEST0003", "U0TEST0001"
DM, PROMPT_TS = "D0BOBDM", "1767600000.000100"
TRIGGER = "1111111111.2222222222.abcdefabcdefabcdefabcdefabcdefab"


@pytest.fixture
def programme_id(engine) -> int:
    load_path(engine, PROGRAMME)
    with session_scope(engine) as session:
        return session.exec(select(Programme.id)).one()


@pytest.fixture
def scheme_ids(engine, programme_id) -> dict[str, int]:
    with session_scope(engine) as session:
        return {s.key: s.id for s in session.exec(select(Scheme))}


def button_value(programme_id: int) -> str:
    return json.dumps({"programme": programme_id, "date": "2027-01-04"})


def press(server, slack_api, action_id: str, programme_id: int, user_id: str = BOB, name: str = "press"):
    payload = block_actions_payload(
        action_id,
        button_value(programme_id),
        user_id,
        block_id="checkin_prompt",
        channel_id=DM,
        message_ts=PROMPT_TS,
        response_url=slack_api.response_url(name),
        trigger_id=TRIGGER,
    )
    started = time.monotonic()
    response = server.interact(payload)
    assert response.status_code == 200, response.text
    assert time.monotonic() - started < 3, "Slack wants the ack within three seconds"
    return response


def open_modal(server, slack_api, programme_id: int, user_id: str = BOB) -> dict[str, Any]:
    count = len(slack_api.calls("views.open"))
    press(server, slack_api, "checkin_open", programme_id, user_id)
    call = slack_api.wait_for("views.open", count + 1)[-1]
    assert call["trigger_id"] == TRIGGER
    check_modal(call["view"])
    return call["view"]


def typed_into(view: dict[str, Any]) -> dict[str, str | None]:
    """What the modal holds before anyone types: its initial values."""
    found: dict[str, str | None] = {}
    for block in view["blocks"]:
        if block["type"] == "input":
            element = block["element"]
            option = element.get("initial_option")
            found[block["block_id"]] = option["value"] if option else element.get("initial_value")
    return found


def submission(view: dict[str, Any], values: dict[str, str | None], user_id: str = BOB) -> dict[str, Any]:
    state: dict[str, Any] = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        element, value = block["element"], values.get(block["block_id"])
        if element["type"] == "static_select":
            chosen = {"value": value, "text": {"type": "plain_text", "text": value}} if value else None
            state[block["block_id"]] = {element["action_id"]: {"type": "static_select", "selected_option": chosen}}
        else:
            state[block["block_id"]] = {element["action_id"]: {"type": "plain_text_input", "value": value}}
    return {
        "type": "view_submission",
        "team": {"id": TEAM_ID, "domain": "winterbot-test"},
        "user": {"id": user_id, "username": user_id.lower(), "team_id": TEAM_ID},
        "api_app_id": APP_ID,
        "token": "legacy-verification-token",
        "trigger_id": TRIGGER,
        "view": {**view, "id": "V0CHECKIN", "hash": "1.abc", "state": {"values": state}},
        "response_urls": [],
        "is_enterprise_install": False,
    }


def send(server, view, values, user_id: str = BOB) -> dict[str, Any]:
    response = server.interact(submission(view, values, user_id))
    assert response.status_code == 200, response.text
    return response.json()


def good_answers(view, ids: dict[str, int], **extra: str) -> dict[str, str | None]:
    values = typed_into(view)
    values |= {
        f"scheme:{ids['hours']}:actual": "£12,500",
        f"scheme:{ids['hours']}:committed": "3k",
        f"scheme:{ids['hours']}:activity": "1,200",
        f"scheme:{ids['staff']}:actual": "£20,000",
        f"scheme:{ids['staff']}:committed": "0",
        f"scheme:{ids['staff']}:activity": "4.5",
        "service:home_care": "3",
        "service:reablement": "2",
    }
    return values | extra


def checkins(engine) -> list[CheckIn]:
    with session_scope(engine) as session:
        return session.exec(select(CheckIn).order_by(col(CheckIn.id))).all()


def today(engine) -> Any:
    with session_scope(engine) as session:
        bob = session.exec(select(Member).where(Member.platform_user_id == BOB)).one()
        return programme_today(session, bob, datetime.now(UTC))


def texts(node: Any) -> str:
    if isinstance(node, dict):
        return "\n".join(texts(v) for v in node.values())
    if isinstance(node, list):
        return "\n".join(texts(v) for v in node)
    return node if isinstance(node, str) else ""


def test_prompt_button_opens_the_form_bad_amount_is_refused_on_its_field_good_answer_is_stored(
    slack_server, slack_api, engine, programme_id, scheme_ids
):
    view = open_modal(slack_server, slack_api, programme_id)
    assert view["callback_id"] == "checkin_submit"
    assert view["title"]["text"] == "Today's check-in"
    hours_actual = f"scheme:{scheme_ids['hours']}:actual"

    refused = send(slack_server, view, good_answers(view, scheme_ids, **{hours_actual: "twelve"}))
    assert refused["response_action"] == "errors"
    assert list(refused["errors"]) == [hours_actual]
    assert "'twelve' is not an amount" in refused["errors"][hours_actual]
    assert checkins(engine) == []

    answered = send(slack_server, view, good_answers(view, scheme_ids, blockers="No drivers on Thursday"))
    assert answered["response_action"] == "update"
    check_modal(answered["view"])
    assert "today's check-in for *Home Carers Ltd* is in" in texts(answered["view"]["blocks"])
    assert "4.5 of 12 staff (WTE) recruited" in texts(answered["view"]["blocks"])

    (checkin,) = checkins(engine)
    assert checkin.local_date == today(engine) and checkin.blockers == "No drivers on Thursday"
    assert checkin.no_change is False and checkin.supersedes_id is None
    with session_scope(engine) as session:
        spend = {r.scheme_id: r for r in session.exec(select(SpendReport))}
        levels = {r.service: r.level for r in session.exec(select(CapacityReport))}
    assert (
        str(spend[scheme_ids["hours"]].actual),
        str(spend[scheme_ids["hours"]].committed),
        str(spend[scheme_ids["hours"]].activity),
    ) == (
        "12500.00",
        "3000.00",
        "1200.00",
    )
    assert str(spend[scheme_ids["staff"]].activity) == "4.50"
    assert {r.checkin_id for r in spend.values()} == {checkin.id}
    assert levels == {"home_care": 3, "reablement": 2}

    update = slack_api.wait_for("chat.update")[-1]
    assert (update["channel"], update["ts"]) == (DM, PROMPT_TS)
    check_message(update["blocks"])
    assert "Amend today's check-in" in texts(update["blocks"])


def test_reopening_shows_the_answer_and_saving_again_amends_it(
    slack_server, slack_api, engine, programme_id, scheme_ids
):
    view = open_modal(slack_server, slack_api, programme_id)
    send(slack_server, view, good_answers(view, scheme_ids, comment="first"))
    again = open_modal(slack_server, slack_api, programme_id)
    assert again["title"]["text"] == "Amend today's check-in"
    assert typed_into(again)[f"scheme:{scheme_ids['hours']}:actual"] == "£12,500"
    assert typed_into(again)["comment"] == "first"
    assert typed_into(again)["service:home_care"] == "3"

    lower = {f"scheme:{scheme_ids['hours']}:actual": "£12,000"}
    refused = send(slack_server, again, typed_into(again) | lower)
    assert set(refused["errors"]) == {f"scheme:{scheme_ids['hours']}:actual", "correction"}
    amended = send(slack_server, again, typed_into(again) | lower | {"correction": "typed the wrong invoice"})
    assert "is amended" in texts(amended["view"]["blocks"])
    first, second = checkins(engine)
    assert second.supersedes_id == first.id
    with session_scope(engine) as session:
        reasons = [r.correction_reason for r in session.exec(select(SpendReport).order_by(col(SpendReport.id)))]
    assert reasons == [None, None, "typed the wrong invoice", None]


def test_nothing_new_today_records_once_and_then_offers_to_amend(slack_server, slack_api, engine, programme_id):
    press(slack_server, slack_api, "checkin_no_change", programme_id)
    first = slack_api.wait_for("chat.update")[-1]
    assert (first["channel"], first["ts"]) == (DM, PROMPT_TS)
    assert "nothing new today" in first["text"]
    (checkin,) = checkins(engine)
    assert checkin.no_change and checkin.local_date == today(engine)

    press(slack_server, slack_api, "checkin_no_change", programme_id)
    second = slack_api.wait_for("chat.update", 2)[-1]
    assert "already checked in" in second["text"]
    assert [b["elements"][0]["action_id"] for b in second["blocks"] if b["type"] == "actions"] == ["checkin_open"]
    assert len(checkins(engine)) == 1


def test_nothing_new_restates_the_figures_on_record(slack_server, slack_api, engine, programme_id, scheme_ids):
    with session_scope(engine) as session:
        carol = session.exec(select(Member).where(Member.platform_user_id == CAROL)).one()
        yesterday = today(engine) - timedelta(days=1)
        session.add(
            SpendReport(
                programme_id=programme_id,
                scheme_id=scheme_ids["hours"],
                member_id=carol.id,
                local_date=yesterday,
                actual=1000,
                committed=50,
                activity=10,
            )
        )
        session.add(
            CapacityReport(
                programme_id=programme_id,
                organisation_id=carol.organisation_id,
                member_id=carol.id,
                service="home_care",
                local_date=yesterday,
                level=4,
            )
        )
    press(slack_server, slack_api, "checkin_no_change", programme_id)
    slack_api.wait_for("chat.update")
    with session_scope(engine) as session:
        restated = session.exec(select(SpendReport).where(SpendReport.source == "no_change")).all()
        levels = session.exec(select(CapacityReport).where(CapacityReport.checkin_id.is_not(None))).all()
    assert [(r.scheme_id, str(r.actual), str(r.committed), str(r.activity), r.local_date) for r in restated] == [
        (scheme_ids["hours"], "1000.00", "50.00", "10.00", today(engine))
    ]
    assert [(r.service, r.level) for r in levels] == [("home_care", 4)]


def test_an_nhs_number_in_the_comment_is_stored_redacted_and_the_member_is_told(
    slack_server, slack_api, engine, programme_id, scheme_ids, caplog
):
    view = open_modal(slack_server, slack_api, programme_id)
    answered = send(
        slack_server, view, good_answers(view, scheme_ids, comment="Mrs K, 943 476 5919, waited 4 days for a package")
    )
    (checkin,) = checkins(engine)
    assert checkin.comment == f"Mrs K, {REPLACEMENT}, waited 4 days for a package"
    assert checkin.redactions == 1
    said = texts(answered["view"]["blocks"])
    assert "I removed an NHS number" in said and "943 476 5919" not in said
    assert "943 476 5919" not in caplog.text


@pytest.mark.parametrize(
    ("user_id", "says"), [(LEAD, "You are a lead on Test fund"), ("U0STRANGER", "not on a winterbot programme")]
)
@pytest.mark.parametrize("action_id", ["checkin_open", "checkin_no_change"])
def test_a_lead_or_a_stranger_pressing_a_button_is_refused_politely(
    slack_server, slack_api, engine, programme_id, user_id, says, action_id
):
    press(slack_server, slack_api, action_id, programme_id, user_id, name="refusal")
    (reply,) = slack_api.wait_for("response_url")
    assert reply.name == "refusal"
    assert says in reply["text"]
    assert reply["response_type"] == "ephemeral" and reply["replace_original"] is False
    assert slack_api.calls("views.open") == [] and slack_api.calls("chat.update") == []
    assert checkins(engine) == []


def test_someone_else_sending_the_form_answers_for_themselves_only(
    slack_server, slack_api, engine, programme_id, scheme_ids
):
    view = open_modal(slack_server, slack_api, programme_id)
    refused = send(slack_server, view, good_answers(view, scheme_ids), user_id=LEAD)
    assert refused["response_action"] == "update"
    assert "You are a lead" in texts(refused["view"]["blocks"])
    assert checkins(engine) == []

    send(slack_server, view, good_answers(view, scheme_ids), user_id=CAROL)
    (checkin,) = checkins(engine)
    with session_scope(engine) as session:
        assert session.get(Member, checkin.member_id).platform_user_id == CAROL


def test_winter_checkin_opens_the_form_with_the_commands_trigger(slack_server, slack_api, engine, programme_id):
    response = slack_server.command("checkin", BOB, trigger_id=TRIGGER)
    assert response.status_code == 200 and response.text == ""
    call = slack_api.wait_for("views.open")[-1]
    assert call["trigger_id"] == TRIGGER
    check_modal(call["view"])
    assert json.loads(call["view"]["private_metadata"]) == {"programme": programme_id, "channel": None, "ts": None}


@pytest.mark.parametrize(("user_id", "says"), [(LEAD, "Check-ins are answered by partners"), ("U0STRANGER", JOIN_TEXT)])
def test_winter_checkin_tells_someone_with_no_check_in_why(slack_server, slack_api, programme_id, user_id, says):
    response = slack_server.command("checkin", user_id)
    body = response.json()
    assert body["response_type"] == "ephemeral" and says in body["text"]
    assert slack_api.calls("views.open") == []


def test_help_offers_checkin_to_partners_only(slack_server, programme_id):
    assert "/winter checkin" in slack_server.command("help", BOB).json()["text"]
    assert "/winter checkin" not in slack_server.command("help", LEAD).json()["text"]


def test_a_refused_views_open_is_explained(slack_server, slack_api, programme_id):
    slack_api.answer("views.open", {"ok": False, "error": "expired_trigger_id"})
    press(slack_server, slack_api, "checkin_open", programme_id, name="late")
    (reply,) = slack_api.wait_for("response_url")
    assert "expired_trigger_id" in reply["text"] and "try again" in reply["text"]


MEASURES = """measures:
  home_care:
    - {key: hours_not_delivered, label: Care hours that could not be delivered yesterday, unit: hours}
    - {key: people_waiting, label: People waiting for a package of care, unit: people}
"""
HOURS_LOST, WAITING = "measure:home_care:hours_not_delivered", "measure:home_care:people_waiting"


@pytest.fixture
def measured_programme_id(engine) -> int:
    load_programme(engine, parse_programme_file(PROGRAMME.read_text(encoding="utf-8") + MEASURES, "checkin.yaml"))
    with session_scope(engine) as session:
        return session.exec(select(Programme.id)).one()


def test_a_measure_typed_into_the_form_is_stored_exactly_and_confirmed(
    slack_server, slack_api, engine, measured_programme_id
):
    with session_scope(engine) as session:
        scheme_ids = {s.key: s.id for s in session.exec(select(Scheme))}
    view = open_modal(slack_server, slack_api, measured_programme_id)
    fields = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    assert fields[HOURS_LOST]["optional"] and fields[WAITING]["optional"]
    assert fields[HOURS_LOST]["label"]["text"] == "Care hours that could not be delivered yesterday (hours)"
    assert typed_into(view)[HOURS_LOST] is None

    refused = send(slack_server, view, good_answers(view, scheme_ids, **{HOURS_LOST: "12.345"}))
    assert refused["response_action"] == "errors" and list(refused["errors"]) == [HOURS_LOST]
    assert "two decimal places" in refused["errors"][HOURS_LOST]
    assert checkins(engine) == []

    answered = send(slack_server, view, good_answers(view, scheme_ids, **{HOURS_LOST: "1,212.5"}))
    assert answered["response_action"] == "update"
    check_modal(answered["view"])
    assert "Care hours that could not be delivered yesterday: 1,212.5 hours" in texts(answered["view"]["blocks"])
    with session_scope(engine) as session:
        stored = {r.service: r.measures for r in session.exec(select(CapacityReport))}
    assert stored == {"home_care": {"hours_not_delivered": "1212.5"}, "reablement": {}}

    again = open_modal(slack_server, slack_api, measured_programme_id)
    assert typed_into(again)[HOURS_LOST] == "1,212.5"  # amending today offers today's figure back
    assert (
        "Last: 1,212.5 on"
        in {b["block_id"]: b for b in again["blocks"] if b["type"] == "input"}[HOURS_LOST]["hint"]["text"]
    )
