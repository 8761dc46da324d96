"""The risk register in Slack end to end: signed requests to the real ASGI app, the Slack double
answering its Web API calls, and the register in the database afterwards. Risks are raised
with bot.risks.register.raise_risk; escalation posts are made with the real SlackMessenger and written
to the delivery ledger as the risk-scan job would."""

from __future__ import annotations

import json
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from fixtures_slack import said
from slack_double import APP_ID, TEAM_ID, dm_channel
from slack_signing import block_actions_payload
from sqlmodel import select

from bot.common.asking import JOIN_TEXT
from bot.programme.loader import load_path
from bot.risks.listing import history, risk_view
from bot.risks.register import raise_risk
from bot.sending.escalations import JOB, escalation_key, target
from bot.sending.ports import Destination, SendError
from handlers.slack.blocks.limits import check_message, check_modal
from handlers.slack.messenger import METADATA_EVENT, SlackMessenger, sync_client
from models.db import session_scope
from models.tables import Delivery, Member, Organisation, Programme, Risk
from models.vocabulary import DeliveryState

PROGRAMME = Path(__file__).with_name("fixtures") / "checkin.yaml"
LEAD, PARTNER, OBSERVER, STRANGER = "U0TEST0001", "U0TEST0002", "U0TEST0005", "U0NOBODY"
LEADS_CHANNEL = "C0LEADS"
TRIGGER = "1111111111.2222222222.abcdefabcdefabcdefabcdefabcdefab"


@pytest.fixture
def programme(engine) -> Programme:
    load_path(engine, PROGRAMME)
    with session_scope(engine) as session:
        return session.exec(select(Programme)).one()


def org_id(engine, key: str) -> int:
    with session_scope(engine) as session:
        return session.exec(select(Organisation.id).where(Organisation.key == key)).one()


def raise_(engine, programme, severity="high", subject="carers:home_care", title="Home care at level 3") -> int:
    with session_scope(engine) as session:
        raised = raise_risk(
            session,
            programme.id,
            "capacity_level",
            subject,
            title,
            "14 hours not delivered",
            severity,
            org_id(engine, "carers"),
            datetime.now(UTC),
        )
    return raised.risk_id


def stored(engine, risk_id: int) -> Risk:
    with session_scope(engine) as session:
        return session.get(Risk, risk_id)


def messenger(slack_settings) -> SlackMessenger:
    return SlackMessenger(sync_client(slack_settings))


def escalate(engine, slack_settings, programme, risk_id: int, destination: Destination) -> str:
    """Post the escalation as the risk-scan job does and record it as sent in the ledger."""
    with session_scope(engine) as session:
        view = risk_view(session, risk_id, datetime.now(UTC))
    key = escalation_key(programme.slug, risk_id, view.severity.value, destination)
    reference = messenger(slack_settings).post_risk(destination, view, key)
    with session_scope(engine) as session:
        session.add(
            Delivery(
                key=key,
                programme_id=programme.id,
                job=JOB,
                member_id=destination.member_id,
                target=target(destination),
                local_date=date.today(),
                state=DeliveryState.SENT.value,
                attempts=1,
                platform_ref=reference,
                sent_at=datetime.now(UTC),
            )
        )
    return reference


def message_at(slack_api, reference: str) -> dict[str, Any]:
    channel, _, ts = reference.partition(":")
    return next(m for m in slack_api.history(channel) if m["ts"] == ts)


def press(
    server,
    slack_api,
    action_id: str,
    risk_id: int,
    user_id: str,
    reference: str | None = None,
    *,
    ephemeral: bool = False,
    name: str = "press",
) -> None:
    """Press a risk button on the message at `reference` (its blocks as Slack would send them)."""
    channel, _, ts = (reference or "C0WINTER:1700000000.000100").partition(":")
    payload = block_actions_payload(
        action_id,
        str(risk_id),
        user_id,
        block_id=f"risk:{risk_id}:actions",
        channel_id=channel,
        message_ts=ts,
        trigger_id=TRIGGER,
        response_url=slack_api.response_url(name),
    )
    if ephemeral:
        payload["container"]["is_ephemeral"] = True
        del payload["message"]
    elif reference:
        payload["message"] = message_at(slack_api, reference)
    started = time.monotonic()
    response = server.interact(payload)
    assert response.status_code == 200, response.text
    assert time.monotonic() - started < 3, "Slack wants the ack within three seconds"


def shown_to(response) -> tuple[str, str]:
    """(the blocks' text, buttons' labels included; the fallback) of an ephemeral answer."""
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["response_type"] == "ephemeral"
    check_message(body["blocks"])
    return block_text(body["blocks"]), body["text"]


def block_text(blocks: list[dict[str, Any]]) -> str:
    out = []
    for block in blocks:
        if "text" in block:
            out.append(block["text"]["text"])
        out += [e["text"] if isinstance(e["text"], str) else e["text"]["text"] for e in block.get("elements", [])]
    return "\n".join(out)


def action_ids(blocks: list[dict[str, Any]]) -> list[str]:
    return [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]


def told_privately(slack_api, name: str = "press") -> str:
    [call] = slack_api.wait_for("response_url")
    assert call.name == name
    assert call["response_type"] == "ephemeral" and call["replace_original"] is False
    return call["text"]


def open_form(server, slack_api, action_id: str, risk_id: int, reference: str, user_id: str = LEAD) -> dict[str, Any]:
    press(server, slack_api, action_id, risk_id, user_id, reference)
    call = slack_api.wait_for("views.open")[-1]
    assert call["trigger_id"] == TRIGGER
    check_modal(call["view"])
    return call["view"]


def submission(view: dict[str, Any], state: dict[str, Any], user_id: str = LEAD) -> dict[str, Any]:
    return {
        "type": "view_submission",
        "team": {"id": TEAM_ID, "domain": "winterbot-test"},
        "user": {"id": user_id, "username": user_id.lower(), "team_id": TEAM_ID},
        "api_app_id": APP_ID,
        "token": "legacy-verification-token",
        "trigger_id": TRIGGER,
        "view": {**view, "id": "V0RISK", "hash": "1.abc", "state": {"values": state}},
        "response_urls": [],
        "is_enterprise_install": False,
    }


def note_state(text: str | None) -> dict[str, Any]:
    return {"note": {"note": {"type": "plain_text_input", "value": text}}}


def owner_state(organisation_id: int, name: str) -> dict[str, Any]:
    chosen = {"value": str(organisation_id), "text": {"type": "plain_text", "text": name}}
    return {"owner": {"owner": {"type": "static_select", "selected_option": chosen}}}


# -- buttons on an escalation ------------------------------------------------------------------


def test_a_lead_acknowledges_and_every_copy_of_the_escalation_shows_it(
    slack_server, slack_api, slack_settings, engine, programme
):
    risk_id = raise_(engine, programme)
    in_channel = escalate(engine, slack_settings, programme, risk_id, Destination("slack", LEADS_CHANNEL))
    with session_scope(engine) as session:
        bob = session.exec(select(Member).where(Member.platform_user_id == PARTNER)).one()
    in_dm = escalate(engine, slack_settings, programme, risk_id, Destination("slack", PARTNER, bob.id))
    assert in_dm.startswith(dm_channel(PARTNER) + ":")

    press(slack_server, slack_api, "risk_acknowledge", risk_id, LEAD, in_channel)

    updates = slack_api.wait_for("chat.update", 2)
    assert stored(engine, risk_id).status == "acknowledged"
    assert sorted(f"{c['channel']}:{c['ts']}" for c in updates) == sorted([in_channel, in_dm])
    for call in updates:
        check_message(call["blocks"])
        shown = block_text(call["blocks"])
        assert "High · Acknowledged · owner Home Carers Ltd" in shown
        assert "acknowledged by Alice Lead" in shown
        assert action_ids(call["blocks"]) == ["risk_assign", "risk_mitigate", "risk_close"]
        assert call["text"].startswith("High risk escalated to the leads: Home care at level 3 (acknowledged")
    assert "Acknowledged" in block_text(message_at(slack_api, in_channel)["blocks"])
    assert slack_api.calls("response_url") == []


def test_a_partner_pressing_is_refused_politely_and_nothing_changes(
    slack_server, slack_api, slack_settings, engine, programme
):
    risk_id = raise_(engine, programme)
    reference = escalate(engine, slack_settings, programme, risk_id, Destination("slack", LEADS_CHANNEL))
    press(slack_server, slack_api, "risk_acknowledge", risk_id, PARTNER, reference)
    assert told_privately(slack_api) == "Only the programme's leads can change risks; you are a partner."
    assert stored(engine, risk_id).status == "open"
    assert slack_api.calls("chat.update") == []
    with session_scope(engine) as session:
        assert [e.action for e in history(session, risk_id)] == ["raised"]


def test_a_partner_is_told_at_once_before_any_form_opens(slack_server, slack_api, slack_settings, engine, programme):
    risk_id = raise_(engine, programme)
    reference = escalate(engine, slack_settings, programme, risk_id, Destination("slack", LEADS_CHANNEL))
    press(slack_server, slack_api, "risk_close", risk_id, OBSERVER, reference)
    assert told_privately(slack_api) == "Only the programme's leads can change risks; you are an observer."
    assert slack_api.calls("views.open") == []


def test_someone_on_no_programme_is_told_how_to_join(slack_server, slack_api, slack_settings, engine, programme):
    risk_id = raise_(engine, programme)
    reference = escalate(engine, slack_settings, programme, risk_id, Destination("slack", LEADS_CHANNEL))
    press(slack_server, slack_api, "risk_mitigate", risk_id, STRANGER, reference)
    assert told_privately(slack_api) == JOIN_TEXT
    assert stored(engine, risk_id).status == "open"


def test_a_wrong_status_is_refused_with_the_reason(slack_server, slack_api, slack_settings, engine, programme):
    risk_id = raise_(engine, programme)
    reference = escalate(engine, slack_settings, programme, risk_id, Destination("slack", LEADS_CHANNEL))
    press(slack_server, slack_api, "risk_reopen", risk_id, LEAD, reference)
    assert told_privately(slack_api) == "This risk is open, so it cannot be reopened."
    assert slack_api.calls("chat.update") == []


def test_mitigated_then_reopened(slack_server, slack_api, slack_settings, engine, programme):
    risk_id = raise_(engine, programme)
    reference = escalate(engine, slack_settings, programme, risk_id, Destination("slack", LEADS_CHANNEL))
    press(slack_server, slack_api, "risk_mitigate", risk_id, LEAD, reference)
    first = slack_api.wait_for("chat.update")[-1]
    assert action_ids(first["blocks"]) == ["risk_close", "risk_reopen"]
    press(slack_server, slack_api, "risk_reopen", risk_id, LEAD, reference)
    second = slack_api.wait_for("chat.update", 2)[-1]
    assert action_ids(second["blocks"]) == ["risk_acknowledge", "risk_assign", "risk_mitigate", "risk_close"]
    assert stored(engine, risk_id).status == "open"


# -- the forms ---------------------------------------------------------------------------------


def test_closing_needs_a_note_then_closes_with_it_in_the_history(
    slack_server, slack_api, slack_settings, engine, programme
):
    risk_id = raise_(engine, programme)
    reference = escalate(engine, slack_settings, programme, risk_id, Destination("slack", LEADS_CHANNEL))
    view = open_form(slack_server, slack_api, "risk_close", risk_id, reference)
    assert view["callback_id"] == "risk_close"

    for empty in (None, "   "):
        response = slack_server.interact(submission(view, note_state(empty)))
        assert response.status_code == 200
        body = response.json()
        assert body["response_action"] == "errors" and "the note stays in its history" in body["errors"]["note"]
    assert stored(engine, risk_id).status == "open"

    response = slack_server.interact(submission(view, note_state("Agency carers booked for the fortnight")))
    assert response.status_code == 200 and response.text in ("", "null")
    update = slack_api.wait_for("chat.update")[-1]
    assert f"{update['channel']}:{update['ts']}" == reference
    assert action_ids(update["blocks"]) == ["risk_reopen"]
    assert "“Agency carers booked for the fortnight”" in block_text(update["blocks"])
    risk = stored(engine, risk_id)
    assert risk.status == "closed" and risk.open_key is None
    with session_scope(engine) as session:
        last = history(session, risk_id)[-1]
    assert (last.action, last.by, last.note) == ("closed", "Alice Lead", "Agency carers booked for the fortnight")


def test_a_close_form_sent_after_someone_else_closed_it_says_why(
    slack_server, slack_api, slack_settings, engine, programme
):
    risk_id = raise_(engine, programme)
    reference = escalate(engine, slack_settings, programme, risk_id, Destination("slack", LEADS_CHANNEL))
    view = open_form(slack_server, slack_api, "risk_close", risk_id, reference)
    assert slack_server.interact(submission(view, note_state("done"))).status_code == 200
    body = slack_server.interact(submission(view, note_state("done again"))).json()
    assert body["response_action"] == "update"
    assert "This risk is closed, so it cannot be closed." in block_text(body["view"]["blocks"])
    with session_scope(engine) as session:
        assert [e.action for e in history(session, risk_id)] == ["raised", "closed"]


def test_assigning_an_owner_through_the_form(slack_server, slack_api, slack_settings, engine, programme):
    risk_id = raise_(engine, programme)
    reference = escalate(engine, slack_settings, programme, risk_id, Destination("slack", LEADS_CHANNEL))
    view = open_form(slack_server, slack_api, "risk_assign", risk_id, reference)
    element = view["blocks"][-1]["element"]
    assert [o["text"]["text"] for o in element["options"]] == ["Council", "Healthwatch", "Home Carers Ltd"]
    assert element["initial_option"]["text"]["text"] == "Home Carers Ltd"

    council = org_id(engine, "council")
    response = slack_server.interact(submission(view, owner_state(council, "Council")))
    assert response.status_code == 200 and response.text in ("", "null")
    update = slack_api.wait_for("chat.update")[-1]
    assert "owner Council" in block_text(update["blocks"])
    assert stored(engine, risk_id).owner_organisation_id == council
    with session_scope(engine) as session:
        last = history(session, risk_id)[-1]
    assert (last.action, last.note) == ("assigned", "owner Home Carers Ltd → Council")


# -- /winter risks -----------------------------------------------------------------------------


def test_a_lead_sees_the_register_with_buttons(slack_server, engine, programme):
    raise_(engine, programme, severity="medium", subject="a", title="Reablement slow")
    raise_(engine, programme, severity="critical", subject="b", title="No GP cover at weekends")
    shown, fallback = shown_to(slack_server.command("risks", LEAD))
    assert shown.index("No GP cover at weekends") < shown.index("Reablement slow")
    assert "*2 open risks* (1 critical, 1 medium), most severe first." in shown
    assert "As a lead you can act on them with the buttons." in shown
    assert fallback == "Test fund: 2 open risks."
    blocks = slack_server.command("risks", LEAD).json()["blocks"]
    assert action_ids(blocks).count("risk_acknowledge") == 2


def test_a_partner_sees_the_register_without_buttons(slack_server, engine, programme):
    raise_(engine, programme)
    response = slack_server.command("risks", PARTNER)
    shown, _ = said(response)
    assert "Home care at level 3" in shown
    assert "you are a partner, so you can read the register but not change it" in shown
    assert action_ids(response.json()["blocks"]) == []


def test_a_stranger_gets_the_join_text(slack_server, programme):
    shown, fallback = said(slack_server.command("risks", STRANGER))
    assert shown == JOIN_TEXT == fallback


def test_help_lists_risks_for_everyone_on_a_programme(slack_server, programme):
    shown, _ = said(slack_server.command("help", OBSERVER))
    assert "`/winter risks`" in shown


def test_acting_from_the_ephemeral_list_replaces_the_list(slack_server, slack_api, engine, programme):
    risk_id = raise_(engine, programme)
    press(slack_server, slack_api, "risk_acknowledge", risk_id, LEAD, "C0WINTER:1700000000.000200", ephemeral=True)
    [call] = slack_api.wait_for("response_url")
    assert call["replace_original"] is True and call["response_type"] == "ephemeral"
    check_message(call["blocks"])
    assert "High · Acknowledged" in block_text(call["blocks"])
    assert action_ids(call["blocks"]) == ["risk_assign", "risk_mitigate", "risk_close"]
    assert stored(engine, risk_id).status == "acknowledged"
    assert slack_api.calls("chat.update") == []


def test_closing_from_the_ephemeral_list_replaces_it_through_the_response_url(
    slack_server, slack_api, engine, programme
):
    risk_id = raise_(engine, programme)
    press(slack_server, slack_api, "risk_close", risk_id, LEAD, "C0WINTER:1700000000.000300", ephemeral=True)
    view = slack_api.wait_for("views.open")[-1]["view"]
    assert json.loads(view["private_metadata"])["ephemeral"] is True
    assert slack_server.interact(submission(view, note_state("Resolved"))).status_code == 200
    [call] = slack_api.wait_for("response_url")
    assert call["replace_original"] is True
    assert "*0 open risks*" not in block_text(call["blocks"]) and "No open risks" in block_text(call["blocks"])
    assert stored(engine, risk_id).status == "closed"


# -- the sending port --------------------------------------------------------------------------


def test_the_messenger_posts_finds_and_updates_a_risk(slack_api, slack_settings, engine, programme):
    risk_id = raise_(engine, programme)
    with session_scope(engine) as session:
        view = risk_view(session, risk_id, datetime.now(UTC))
    port = messenger(slack_settings)
    channel = Destination("slack", LEADS_CHANNEL)
    reference = port.post_risk(channel, view, "test-fund:risk-escalation:r1:high:slack:C0LEADS")
    post = slack_api.last("chat.postMessage")
    assert post["metadata"] == {
        "event_type": METADATA_EVENT,
        "event_payload": {"key": "test-fund:risk-escalation:r1:high:slack:C0LEADS"},
    }
    check_message(post["blocks"])
    assert reference == f"{LEADS_CHANNEL}:{post_ts(slack_api)}"
    assert port.find_posted(channel, "test-fund:risk-escalation:r1:high:slack:C0LEADS") == reference
    assert port.find_posted(channel, "test-fund:risk-escalation:r1:critical:slack:C0LEADS") is None

    member = Destination("slack", PARTNER, 2)
    in_dm = port.post_risk(member, view, "k-dm")
    assert slack_api.last("chat.postMessage")["channel"] == PARTNER  # to the user id: no conversations.open
    assert port.find_posted(member, "k-dm") == in_dm
    assert slack_api.last("conversations.open")["users"] == PARTNER

    with session_scope(engine) as session:
        risk = session.get(Risk, risk_id)
        risk.status = "mitigated"
        session.add(risk)
    with session_scope(engine) as session:
        mitigated = risk_view(session, risk_id, datetime.now(UTC))
    port.update_risk(reference, mitigated)
    update = slack_api.last("chat.update")
    assert (update["channel"], update["ts"]) == tuple(reference.split(":"))
    assert action_ids(update["blocks"]) == ["risk_close", "risk_reopen"]
    assert port.find_posted(channel, "test-fund:risk-escalation:r1:high:slack:C0LEADS") == reference  # metadata kept


def post_ts(slack_api) -> str:
    return slack_api.history(LEADS_CHANNEL)[-1]["ts"]


def test_the_messenger_turns_slack_errors_into_send_errors(slack_api, slack_settings, engine, programme):
    risk_id = raise_(engine, programme)
    with session_scope(engine) as session:
        view = risk_view(session, risk_id, datetime.now(UTC))
    port = messenger(slack_settings)
    slack_api.answer("chat.update", {"ok": False, "error": "message_not_found"})
    with pytest.raises(SendError, match="message_not_found"):
        port.update_risk(f"{LEADS_CHANNEL}:1700000000.000100", view)
    with pytest.raises(SendError) as refused:
        port.update_risk("no-reference", view)
    assert refused.value.permanent
    slack_api.answer("chat.postMessage", {"ok": False, "error": "account_inactive"})
    with pytest.raises(SendError) as inactive:
        port.post_risk(Destination("slack", PARTNER, 2), view, "k")
    assert inactive.value.permanent
