"""`/winter board` and the brief's Huddle board button through the real app with signed
requests: a lead gets a button whose link opens the board (and its URL press is acknowledged);
a partner is refused; without the web settings the answer says what is missing."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from fixtures_slack import RunningApp, running_app, said
from slack_signing import block_actions_payload
from sqlmodel import select
from test_board import LEAD, PARTNER, load_board_programme

from bot.reports.brief import compose_brief
from handlers.slack.blocks.board import BUTTON_ID, LINK_ID
from handlers.slack.blocks.brief import brief_blocks
from handlers.slack.blocks.limits import check_message
from models.db import session_scope
from models.tables import Programme

BASE = "https://winterbot.test"
NOW = datetime(2027, 1, 6, 8, 55, tzinfo=UTC)  # Wednesday 6 January 2027, 08:55 in London


@pytest.fixture
def server(slack_settings, engine) -> Iterator[RunningApp]:
    load_board_programme(engine)
    settings = replace(slack_settings, public_url=BASE, web_secret="s")
    with time_machine.travel(NOW, tick=True), running_app(settings, engine) as running:
        yield running


def link_button(response: Any) -> dict[str, Any]:
    body = response.json()
    assert body["response_type"] == "ephemeral"
    check_message(body["blocks"])
    [button] = [b["accessory"] for b in body["blocks"] if "accessory" in b]
    assert button["text"]["text"] == "Open the huddle board" and button["action_id"] == LINK_ID
    return button


def test_a_lead_gets_a_link_that_opens_the_board(server):
    response = server.command("board", LEAD)
    text, fallback = said(response)
    assert "Huddle board: Leads fund" in text
    assert "The link works until 20:55 on Wed 6 Jan" in text
    url = link_button(response)["url"]
    assert url.startswith(f"{BASE}/board/") and url in fallback
    page = server.http.get(url.removeprefix(BASE))
    assert page.status_code == 200 and "Huddle board" in page.text
    pressed = block_actions_payload(LINK_ID, "", LEAD)  # Slack sends the URL button's press too
    assert server.interact(pressed).status_code == 200


def test_a_partner_is_refused(server):
    text, _ = said(server.command("board", PARTNER))
    assert "The huddle board is for the programme's leads and admins; you are a partner." in text
    assert "/board/" not in text


def test_without_the_web_settings_the_answer_says_what_is_missing(slack_settings, engine):
    load_board_programme(engine)
    with running_app(slack_settings, engine) as plain:
        text, _ = said(plain.command("board", LEAD))
    assert "The huddle board needs WINTERBOT_PUBLIC_URL and WINTERBOT_WEB_SECRET set: ask your admin." in text


def test_the_briefs_button_answers_a_lead_with_the_link_and_refuses_a_partner(server, slack_api, engine):
    with session_scope(engine) as session:
        programme = session.exec(select(Programme)).one()
        blocks = brief_blocks(compose_brief(session, programme, date(2027, 1, 6)))
    [button] = [b["accessory"] for b in blocks if b.get("accessory", {}).get("action_id") == BUTTON_ID]
    assert button["text"]["text"] == "Huddle board" and button["value"] == "leads-fund"

    for user_id, name in ((PARTNER, "partner"), (LEAD, "lead")):
        payload = block_actions_payload(
            BUTTON_ID, button["value"], user_id, block_id="brief", response_url=slack_api.response_url(name)
        )
        assert server.interact(payload).status_code == 200
    slack_api.wait_for("response_url", 2)
    [refused] = slack_api.responses("partner")
    assert "you are a partner" in refused["text"] and refused["response_type"] == "ephemeral"
    [answered] = slack_api.responses("lead")
    assert answered["response_type"] == "ephemeral" and answered["replace_original"] is False
    url = next(b["accessory"]["url"] for b in answered["blocks"] if "accessory" in b)
    assert server.http.get(url.removeprefix(BASE)).status_code == 200
