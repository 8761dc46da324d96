"""What the Slack risk register's tests share (test_slack_risks*.py, and test_risk_escalation through
test_slack_risks): the checkin programme loaded, risks raised with bot.risks.register.raise_risk,
escalations posted with the real SlackMessenger and written to the delivery ledger as the
risk-scan job would, and helpers that press risk buttons, submit the risk forms and read what
Slack was sent."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from slack_double import APP_ID, TEAM_ID
from slack_signing import block_actions_payload
from sqlmodel import select

from bot.programme.loader import load_path
from bot.risks.listing import risk_view
from bot.risks.register import raise_risk
from bot.sending.escalations import JOB, escalation_key, target
from bot.sending.ports import Destination
from handlers.slack.blocks.limits import check_message, check_modal
from handlers.slack.messenger import SlackMessenger, sync_client
from models.db import session_scope
from models.tables import Delivery, Organisation, Programme, Risk
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
