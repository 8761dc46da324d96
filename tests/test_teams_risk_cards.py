"""The Teams cards for risks: the buttons a risk's status allows and what each sends back, the
closing note and the owner chosen on the card itself, what a risk's card shows, and the risks list.
The reports' cards are in test_teams_report_cards.py."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from teams_cards_support import texts, within_limits
from teams_double import strings
from test_risk_blocks import RAISED, overview, risk

from bot.risks.changes import RiskRefused
from bot.risks.listing import EventView
from bot.risks.requests import Register, RisksOverview
from handlers.teams.cards.base import notice_card as risk_notice_card
from handlers.teams.cards.risks import risk_card, risks_list_card
from models.vocabulary import RiskStatus, Role, Severity

ORGANISATIONS = [("3", "Home Carers Ltd"), ("4", "Vale Council")]


def sends(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each button's title and what it sends back, those on unfolding cards too."""
    out = {}
    for action in card.get("actions", []):
        if action["type"] == "Action.ShowCard":
            inner = action["card"]["actions"]
            out |= {f"{action['title']} > {a['title']}": a["data"] for a in inner}
        else:
            out[action["title"]] = action["data"]
    return out


def unfolding(card: dict[str, Any], title: str) -> dict[str, Any]:
    [shown] = [a["card"] for a in card.get("actions", []) if a["type"] == "Action.ShowCard" and a["title"] == title]
    return shown


# -- one risk ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (
            RiskStatus.OPEN,
            {
                "Acknowledge": "risk:acknowledge",
                "Assign owner… > Assign": "risk:assign",
                "Mitigated": "risk:mitigate",
                "Close… > Close the risk": "risk:close",
            },
        ),
        (
            RiskStatus.ACKNOWLEDGED,
            {
                "Assign owner… > Assign": "risk:assign",
                "Mitigated": "risk:mitigate",
                "Close… > Close the risk": "risk:close",
            },
        ),
        (RiskStatus.MITIGATED, {"Close… > Close the risk": "risk:close", "Reopen": "risk:reopen"}),
        (RiskStatus.CLOSED, {"Reopen": "risk:reopen"}),
    ],
)
def test_each_status_gets_its_buttons_each_sending_its_verb_and_the_risk(status, expected):
    card = risk_card(risk(41, status=status), organisations=ORGANISATIONS)
    within_limits(card)
    assert sends(card) == {title: {"verb": verb, "risk_id": 41} for title, verb in expected.items()}
    executes = [a for a in card["actions"] if a["type"] == "Action.Execute"]
    assert all(a["verb"] == a["data"]["verb"] for a in executes)


def test_close_unfolds_a_required_multiline_note_sent_with_its_own_button():
    close = unfolding(risk_card(risk(41, status=RiskStatus.MITIGATED)), "Close…")
    [note] = close["body"]
    assert note["type"] == "Input.Text" and note["id"] == "note"
    assert note["label"] == "Closing note (required)"
    assert note["isMultiline"] is True and note["isRequired"] is True
    assert [(a["type"], a["verb"], a["data"]["risk_id"]) for a in close["actions"]] == [
        ("Action.Execute", "risk:close", 41)
    ]


def test_assign_offers_every_organisation_with_the_owner_chosen_and_is_left_out_without_any():
    organisations = [(str(n), f"Organisation {n:03d}") for n in range(1, 121)]
    card = risk_card(risk(41, owner="Organisation 003"), organisations=organisations)
    within_limits(card)
    [choose] = unfolding(card, "Assign owner…")["body"]
    assert choose["type"] == "Input.ChoiceSet" and choose["id"] == "organisation"
    assert [(c["value"], c["title"]) for c in choose["choices"]] == [(k, n) for k, n in organisations]
    assert choose["value"] == "3"  # the risk's owner (organisation 3)
    bare = risk_card(risk(41))
    assert "risk:assign" not in json.dumps(bare) and "Assign owner…" not in json.dumps(bare)
    assert [a["title"] for a in bare["actions"]] == ["Acknowledge", "Mitigated", "Close…"]


def test_without_buttons_the_card_only_shows_the_risk():
    card = risk_card(risk(41), buttons=False, organisations=ORGANISATIONS)
    assert "actions" not in card and "Home care at level 3" in strings(card["body"])


def test_the_card_shows_title_detail_severity_status_owner_age_and_the_last_note():
    closed = EventView("closed", "Asha Patel", RAISED, "acknowledged", "closed", "Bank *shifts* booked [here](x)")
    card = risk_card(risk(41, status=RiskStatus.CLOSED, severity=Severity.CRITICAL, age=1, event=closed))
    shown = texts(card)
    assert shown[0].startswith("🚨 **Risk escalated to the leads**") and shown[0].endswith("critical")
    assert shown[1] == "🔴 **Home care at level 3**" and shown[2] == "14 hours not delivered yesterday"
    assert shown[3].startswith(
        "Critical · Closed · owner Home Carers Ltd · 1 working day old · closed by Asha Patel 4 Jan "
    )
    assert shown[3].endswith("“Bank \\*shifts\\* booked \\[here\\](x)”")


def test_someones_own_words_in_a_risk_are_shown_as_written_not_as_markdown():
    card = risk_card(
        risk(
            41,
            title="**Urgent** [click](http://x)",
            detail="_all_ `of` it",
            owner=None,
            age=0,
            event=EventView("raised", None, RAISED, None, "open", "Severity high"),
        )
    )
    shown = texts(card)
    assert shown[1] == "🟠 **\\*\\*Urgent\\*\\* \\[click\\](http://x)**"
    assert shown[2] == "\\_all\\_ \\`of\\` it"
    assert "no owner yet · raised today · raised by a rule" in shown[3] and "Severity high" not in shown[3]


def test_a_notice_is_one_line_of_plain_words():
    card = risk_notice_card("Only leads change risks; *you* are a partner.")
    within_limits(card)
    assert texts(card) == ["Only leads change risks; \\*you\\* are a partner."] and "actions" not in card


# -- the risks list -----------------------------------------------------------------------------------


def test_a_refusal_is_its_reason_alone():
    card = risks_list_card(RiskRefused("You are not on a winterbot programme yet."))
    assert texts(card) == ["You are not on a winterbot programme yet."] and "actions" not in card


def test_the_list_is_read_only_counts_by_severity_and_says_who_acts():
    partner = risks_list_card(overview(4, may_act=False, role=Role.PARTNER))
    text = strings(partner["body"])
    assert "**4 open risks** (1 critical, 1 high, 1 medium, 1 low), most severe first." in text
    assert "you are a partner, so you can read the register but not change it" in text
    assert "more not shown" not in text and "actions" not in partner
    lead = risks_list_card(overview(4, may_act=True))
    assert "Act on a risk from its escalation card" in strings(lead["body"]) and "actions" not in lead
    empty = strings(risks_list_card(overview(0, may_act=True))["body"])
    assert "No open risks" in empty


def test_a_long_list_shows_the_most_severe_across_programmes_and_counts_the_rest():
    low = tuple(
        risk(i, severity=Severity.LOW, title=f"Low {i:02d} " + "l" * 250, detail="d" * 1900) for i in range(1, 61)
    )
    critical = tuple(risk(100 + i, severity=Severity.CRITICAL, title=f"Critical {i}") for i in range(1, 6))
    result = RisksOverview((Register(1, "Vale", low, Role.LEAD, True), Register(2, "Wold", critical, Role.LEAD, True)))
    card = risks_list_card(result)
    within_limits(card)
    text = strings(card["body"])
    assert all(f"Critical {i}**" in text for i in range(1, 6)) and "Risks: Wold" in text
    shown = len(re.findall(r"Low \d\d", text))
    assert 0 < shown < 60
    assert f"Showing the {shown} most severe; **{60 - shown} more not shown**" in text
    assert [n for n in range(1, 61) if f"Low {n:02d}" in text] == list(range(1, shown + 1))  # the oldest first
