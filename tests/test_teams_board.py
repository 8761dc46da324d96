"""The huddle board in Teams, end to end: `board` typed by a lead answers with a card whose
Action.OpenUrl opens the board; a partner is refused; the brief's card carries a Huddle board
button whose press is answered as the Teams user who pressed it (a partner is refused)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from fixtures_slack import RunningApp, running_app
from sqlmodel import select
from teams_activities import card_action, message
from teams_double import strings
from test_teams_e2e import ALICE, BOB, PROGRAMME, post, teams_api, teams_settings  # noqa: F401 (a fixture)

from bot.programme.loader import load_path
from bot.reports.brief import compose_brief
from handlers.teams.cards.reports import report_cards
from models.db import session_scope
from models.tables import Programme

BASE = "https://winterbot.test"
WED_0855 = datetime(2027, 1, 20, 8, 55, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture
def board_server(database_url, slack_api, teams_api, engine) -> Iterator[RunningApp]:
    load_path(engine, PROGRAMME)
    settings = teams_settings(database_url, slack_api, teams_api, public_url=BASE, web_secret="s")
    with time_machine.travel(WED_0855, tick=True), running_app(settings, engine) as running:
        yield running


def open_url(card: dict[str, Any]) -> str:
    [opening] = [a for a in card.get("actions", []) if a["type"] == "Action.OpenUrl"]
    assert opening["title"] == "Open the huddle board"
    return opening["url"]


def test_a_lead_types_board_and_the_card_opens_it(board_server, teams_api):
    post(board_server, message(teams_api.url, ALICE, "board"))
    [answer] = teams_api.wait_for(1, ALICE.conversation_id)
    card = answer.cards[0]
    assert "Huddle board: Mixed fund" in answer.card_text
    assert "The link works until 20:55 on Wed 20 Jan" in answer.card_text
    url = open_url(card)
    assert url.startswith(f"{BASE}/board/")
    page = board_server.http.get(url.removeprefix(BASE))
    assert page.status_code == 200 and "Huddle board" in page.text


def test_a_partner_types_board_and_is_refused(board_server, teams_api):
    post(board_server, message(teams_api.url, BOB, "board"))
    [answer] = teams_api.wait_for(1, BOB.conversation_id)
    assert "for the programme's leads and admins; you are a partner" in answer.card_text
    assert "/winter" not in answer.card_text and not answer.cards[0].get("actions")


def test_the_brief_points_to_board_in_the_personal_chat_and_puts_no_link_in_the_channel(
    board_server, teams_api, engine
):
    with session_scope(engine) as session:
        programme = session.exec(select(Programme)).one()
        cards = report_cards(compose_brief(session, programme, date(2027, 1, 20)))
    text = strings(cards)
    assert "type `board` in your chat with winterbot" in text
    assert "/board/" not in text and not any(a.get("verb") == "board_open" for c in cards for a in c.get("actions", []))
    stale = post(board_server, card_action(teams_api.url, ALICE, "board_open", {"programme_slug": "x"})).json()
    assert "/board/" not in strings(stale["value"])


def test_without_the_web_settings_the_card_says_what_is_missing(database_url, slack_api, teams_api, engine):
    load_path(engine, PROGRAMME)
    settings = teams_settings(database_url, slack_api, teams_api)
    with time_machine.travel(WED_0855, tick=True), running_app(settings, engine) as server:
        post(server, message(teams_api.url, ALICE, "board"))
        [answer] = teams_api.wait_for(1, ALICE.conversation_id)
    said = answer.card_text.replace("\\_", "_")  # escaped as Teams' markdown needs
    assert "needs WINTERBOT_PUBLIC_URL and WINTERBOT_WEB_SECRET set: ask your admin" in said
