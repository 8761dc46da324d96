"""The Adaptive Card renderers for Teams: risks with the buttons their status allows, the brief
split into parts with nothing lost, the chart small enough for a message, and the command
answers in Teams' words (no `/winter`)."""

from __future__ import annotations

import base64
import io
import json
from typing import Any

import pytest
from PIL import Image
from teams_double import strings
from test_brief import BOB, DEV, FRI, MON, brief, check_in, programme  # noqa: F401
from test_risk_blocks import overview, risk

from bot.commands.table import help_for
from bot.reports.status import status_screen
from bot.risks.changes import RiskRefused
from handlers.teams.cards.help import help_card, unknown_command_card
from handlers.teams.cards.reports import PART_BYTES, chart_image, report_cards
from handlers.teams.cards.risks import risk_card, risks_list_card
from handlers.teams.cards.status import status_card
from models.db import session_scope
from models.tables import Programme
from models.vocabulary import RiskStatus, Role

MAX_BYTES = 28_000


def verbs(card: dict[str, Any]) -> list[str]:
    """Every button's verb, the ones inside an unfolding card too."""
    found = []
    for action in card.get("actions", []):
        if action["type"] == "Action.ShowCard":
            found += [a["verb"] for a in action["card"]["actions"]]
        else:
            found.append(action["verb"])
    return found


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (RiskStatus.OPEN, ["risk:acknowledge", "risk:assign", "risk:mitigate", "risk:close"]),
        (RiskStatus.ACKNOWLEDGED, ["risk:assign", "risk:mitigate", "risk:close"]),
        (RiskStatus.MITIGATED, ["risk:close", "risk:reopen"]),
        (RiskStatus.CLOSED, ["risk:reopen"]),
    ],
)
def test_the_buttons_follow_the_status_and_carry_the_risk_id(status, expected):
    card = risk_card(risk(7, status=status), organisations=[("3", "Home Carers Ltd"), ("4", "Council")])
    assert verbs(card) == expected
    data = [a.get("data") or a["card"]["actions"][0]["data"] for a in card["actions"]]
    assert all(d["risk_id"] == 7 for d in data)


def test_close_asks_for_a_note_and_assign_offers_the_organisations_with_the_owner_chosen():
    card = risk_card(risk(7), organisations=[("3", "Home Carers Ltd"), ("4", "Council")])
    unfolding = {a["title"]: a["card"] for a in card["actions"] if a["type"] == "Action.ShowCard"}
    note = unfolding["Close…"]["body"][0]
    assert note["id"] == "note" and note["isRequired"] is True and note["isMultiline"] is True
    owner = unfolding["Assign owner…"]["body"][0]
    assert [c["value"] for c in owner["choices"]] == ["3", "4"] and owner["value"] == "3"
    assert "risk:assign" not in verbs(risk_card(risk(7)))  # nobody to assign to: no button


def test_a_risk_shows_severity_status_owner_and_the_last_event():
    text = strings(risk_card(risk(7))["body"])
    assert "Home care at level 3" in text and "14 hours not delivered yesterday" in text
    assert "High · Open · owner Home Carers Ltd · 2 working days old · acknowledged by Asha Patel" in text


def test_the_list_reads_for_a_partner_and_counts_what_is_left_out():
    card = risks_list_card(overview(45, may_act=False, role=Role.PARTNER))
    text = strings(card["body"])
    assert "45 open risks" in text and "more not shown" in text and "you are a partner" in text
    assert "actions" not in card and len(json.dumps(card)) < MAX_BYTES
    shown = text.count("Risk ")
    assert f"{45 - shown} more not shown" in text
    assert risks_list_card(RiskRefused("You are not on Vale."))["body"][0]["text"] == "You are not on Vale."


def test_a_very_long_brief_is_split_into_parts_and_nothing_is_lost(engine, programme):
    check_in(engine, BOB, FRI, comment="Comment 00 " + "words " * 6000)  # one quote longer than a card
    b = brief(engine, programme, MON)
    cards = report_cards(b)
    assert len(cards) > 1
    for index, card in enumerate(cards):
        assert card["body"][0]["text"].endswith(f"(part {index + 1} of {len(cards)})")
        assert len(json.dumps(card).encode()) < MAX_BYTES and card["version"] == "1.5"
    text = "\n".join(strings(c["body"]) for c in cards)
    assert text.count("“Comment 00") == 1 and text.count("words") == 6000
    assert PART_BYTES < MAX_BYTES


def test_the_chart_fits_a_teams_message_and_is_still_the_same_picture():
    picture = Image.new("RGB", (960, 540), "white")
    for x in range(960):
        picture.putpixel((x, 270 + (x % 90) - 45), (0, 94, 184))
    raw = io.BytesIO()
    picture.save(raw, format="PNG")
    uri = chart_image(raw.getvalue())
    assert uri.startswith("data:image/png;base64,") and len(uri) < 24_000
    shown = Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1])))
    assert shown.size == (960, 540)


def test_help_names_the_commands_as_typed_in_teams():
    card = help_card(help_for(Role.LEAD, ("Vale winter fund",)))
    text = strings(card["body"])
    assert "/winter" not in text and "`status`" in text and "You are **a lead** on Vale winter fund" in text
    stranger = strings(unknown_command_card("*boom*", help_for(None))["body"])
    assert "\\*boom\\*" in stranger and "not on a winterbot programme" in stranger and "/winter" not in stranger


def test_the_status_card_shows_the_money_and_the_capacity(engine, programme):
    check_in(engine, BOB, FRI)
    with session_scope(engine) as session:
        screen = status_screen(
            session,
            session.get(Programme, programme.id),
            __import__("datetime").datetime(2027, 1, 11, 12, tzinfo=__import__("datetime").timezone.utc),
        )
    card = status_card(screen)
    text = strings(card["body"])
    assert f"Status: {programme.name}" in text and "Allocated so far" in text and "£400,000" in text
    assert "Home Carers Ltd" in text and len(json.dumps(card)) < MAX_BYTES
