"""The risk register in Slack end to end, its buttons and forms: signed requests to the real ASGI app,
the Slack double answering its Web API calls, and the register in the database afterwards.
Risks are raised with bot.risks.register.raise_risk; escalation posts are made with the real
SlackMessenger and written to the delivery ledger as the risk-scan job would. `/winter risks` is
in test_slack_risks_command.py, the sending port in test_slack_risks_messenger.py; the shared
helpers in slack_risks_support.py (test_risk_escalation imports some of them from here).
"""

from __future__ import annotations

from slack_double import dm_channel
from slack_risks_support import (
    LEAD,
    LEADS_CHANNEL,
    OBSERVER,
    PARTNER,
    STRANGER,
    action_ids,
    block_text,
    escalate,
    message_at,
    note_state,
    open_form,
    org_id,
    owner_state,
    press,
    programme,  # noqa: F401 (a fixture)
    raise_,
    stored,
    submission,
    told_privately,
)
from sqlmodel import select

from bot.common.asking import JOIN_TEXT
from bot.risks.listing import history
from bot.sending.ports import Destination
from handlers.slack.blocks.limits import check_message
from models.db import session_scope
from models.tables import Member

# -- buttons on an escalation ------------------------------------------------------------------


def test_a_lead_acknowledges_and_every_copy_of_the_escalation_shows_it(
    slack_server, slack_api, slack_settings, engine, programme
):
    risk_id = raise_(engine, programme)
    in_channel = escalate(engine, slack_settings, programme, risk_id, Destination("slack", LEADS_CHANNEL))
    with session_scope(engine) as session:
        alice = session.exec(select(Member).where(Member.platform_user_id == LEAD)).one()
        bob = session.exec(select(Member).where(Member.platform_user_id == PARTNER)).one()
    in_dm = escalate(engine, slack_settings, programme, risk_id, Destination("slack", LEAD, alice.id))
    assert in_dm.startswith(dm_channel(LEAD) + ":")
    partners = escalate(engine, slack_settings, programme, risk_id, Destination("slack", PARTNER, bob.id))

    press(slack_server, slack_api, "risk_acknowledge", risk_id, LEAD, in_channel)

    updates = slack_api.wait_for("chat.update", 2)
    assert stored(engine, risk_id).status == "acknowledged"
    assert sorted(f"{c['channel']}:{c['ts']}" for c in updates) == sorted([in_channel, in_dm])
    assert partners not in {f"{c['channel']}:{c['ts']}" for c in slack_api.calls("chat.update")}, (
        "a partner's copy is left as sent: the leads' buttons are not put on it"
    )
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
