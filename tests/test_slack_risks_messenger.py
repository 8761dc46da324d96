"""The risk escalations' sending port in Slack: the real SlackMessenger against the Slack double
posting, finding (by message metadata) and updating a risk, and Slack's errors as SendErrors."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from slack_risks_support import (
    LEADS_CHANNEL,
    PARTNER,
    action_ids,
    messenger,
    programme,  # noqa: F401 (a fixture)
    raise_,
)

from bot.risks.listing import risk_view
from bot.sending.ports import Destination, SendError
from handlers.slack.blocks.limits import check_message
from handlers.slack.messenger import METADATA_EVENT
from models.db import session_scope
from models.tables import Risk

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
