"""`/winter risks` in Slack end to end: the register as a lead, a partner and a stranger see it, and
acting from the ephemeral list, which is replaced through the response URL."""

from __future__ import annotations

import json

from fixtures_slack import said
from slack_risks_support import (
    LEAD,
    OBSERVER,
    PARTNER,
    STRANGER,
    action_ids,
    block_text,
    note_state,
    press,
    programme,  # noqa: F401 (a fixture)
    raise_,
    shown_to,
    stored,
    submission,
)

from bot.common.asking import JOIN_TEXT
from handlers.slack.blocks.limits import check_message

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
