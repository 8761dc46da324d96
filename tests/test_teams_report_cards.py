"""The Teams cards for risks, the daily brief, the weekly digest and the chart: the buttons a
risk's status allows and what each sends back, the closing note and the owner chosen on the
card itself, the reports' sections in Slack's order, and long reports split into parts within
Teams' limits with nothing lost. On SQLite and PostgreSQL where a database is needed."""

from __future__ import annotations

import base64
import io
import json
import re
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from PIL import Image
from sqlmodel import select
from teams_double import strings
from test_brief import BOB, CAROL, DEV, LEAD, PROGRAMME, at, brief, capacity, check_in, member, organisation, spend
from test_digest import digest
from test_risk_blocks import RAISED, overview, risk

from bot.programme.loader import load_path
from bot.reports.decisions import DecisionView
from bot.reports.voice import Voice
from bot.risks.changes import RiskRefused, change_status
from bot.risks.listing import EventView
from bot.risks.register import raise_risk
from bot.risks.requests import Register, RisksOverview
from handlers.teams.cards.base import notice_card as risk_notice_card
from handlers.teams.cards.report_text import split_text
from handlers.teams.cards.reports import chart_card, report_cards
from handlers.teams.cards.risks import risk_card, risks_list_card
from models.db import session_scope
from models.tables import Programme
from models.vocabulary import RiskStatus, Role, Severity

MAX_BYTES = 28_000
PART_LIMIT = 24_000
THU, FRI, MON, WED = date(2027, 1, 7), date(2027, 1, 8), date(2027, 1, 11), date(2027, 1, 13)
DIGEST_FRI = date(2027, 1, 15)
ORGANISATIONS = [("3", "Home Carers Ltd"), ("4", "Vale Council")]


@pytest.fixture
def programme(engine) -> Programme:
    load_path(engine, PROGRAMME)
    with session_scope(engine) as session:
        return session.exec(select(Programme)).one()


def texts(card: dict[str, Any]) -> list[str]:
    return [e["text"] for e in card["body"] if e["type"] == "TextBlock"]


def subheadings(cards: list[dict[str, Any]]) -> list[str]:
    """The section headings across cards, "(continued)" ones left out."""
    return [
        e["text"]
        for c in cards
        for e in c["body"][1:]
        if e.get("weight") == "Bolder" and not e["text"].endswith("(continued)")
    ]


def within_limits(card: dict[str, Any], limit: int = MAX_BYTES) -> None:
    assert card["version"] == "1.5" and card["type"] == "AdaptiveCard"
    assert len(json.dumps(card).encode()) < limit
    assert json.loads(json.dumps(card)) == card


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


# -- the daily brief ----------------------------------------------------------------------------------


def test_the_brief_has_slacks_sections_in_order_and_marks_not_slack_codes(engine, programme):
    check_in(engine, BOB, FRI, blockers="No *drivers* [today](http://x)")
    capacity(engine, THU, 2)
    capacity(engine, FRI, 4)
    spend(engine, FRI, "1800", "300")
    with session_scope(engine) as session:
        owner = organisation(session, "carers").id
        raise_risk(session, programme.id, "capacity", "c", "New risk", None, "critical", owner, at(FRI, 15))
    [card] = report_cards(brief(engine, programme, MON))
    within_limits(card, PART_LIMIT)
    b = brief(engine, programme, MON)
    assert texts(card)[0] == b.title and texts(card)[1].startswith("Mon 11 Jan 2027 · covering Fri 08 Jan")
    assert subheadings([card]) == [
        "Check-ins on Fri 08 Jan",
        "Money (to the end of Fri 08 Jan)",
        "Capacity changes",
        "Risks new or changed",
        "Partner voice",
    ]
    text = strings(card["body"])
    assert "🔴 **New**: " in text and "New risk" in text and "⬆️ 🔴 " in text
    assert "“No \\*drivers\\* \\[today\\](http://x)”\n\n— **Home Carers Ltd**, blockers, Fri 08 Jan" in text
    assert not re.search(r":[a-z_]+:|<http|<!date", text)


def test_a_long_brief_is_split_into_labelled_parts_each_comment_once(engine, programme):
    for n in range(30):
        check_in(engine, BOB if n % 2 else DEV, FRI, comment=f"Comment {n:02d} " + "ŵord " * 700, hh=8 + n % 10)
    b = brief(engine, programme, MON)
    cards = report_cards(b)
    assert len(cards) > 2
    for index, card in enumerate(cards):
        within_limits(card, PART_LIMIT)
        assert len(card["body"]) < 40
        assert texts(card)[0].endswith(f"(part {index + 1} of {len(cards)})")
        assert ("Continued in the next card" in texts(card)[-1]) is (index < len(cards) - 1)
    text = "\n".join(strings(c["body"]) for c in cards)
    assert len(b.voice) == 30 and b.voice_left_out == 0
    for voice in b.voice:
        assert text.count(voice.comment.split(" ŵord")[0]) == 1
    assert text.count("ŵord") == sum(v.comment.count("ŵord") for v in b.voice)


# -- the weekly digest ----------------------------------------------------------------------------------


def test_a_short_digest_is_the_spend_then_the_rest_without_the_chart(engine, programme):
    d = digest(engine, programme, DIGEST_FRI, chart=True)
    assert d.chart_png
    cards = report_cards(d)
    assert len(cards) == 2
    assert texts(cards[0])[0].endswith("(part 1 of 2)") and texts(cards[1])[0].endswith("(part 2 of 2)")
    assert subheadings(cards) == [
        "Spend against the trajectory",
        "Capacity by service this week",
        "Risks opened this week",
        "Risks closed this week",
        "Decisions this week",
        "Partner voice",
        "Engagement by sector (check-ins, last five working days)",
        "What is next",
    ]
    assert subheadings(cards[:1]) == ["Spend against the trajectory"]
    assert "burn-up chart follows" in strings(cards[0]["body"])
    for card in cards:
        within_limits(card, PART_LIMIT)
        assert "Image" not in json.dumps(card) and "data:image" not in json.dumps(card)


def test_the_digest_shows_risks_decisions_and_voice_in_teams_markdown(engine, programme):
    with session_scope(engine) as session:
        owner = organisation(session, "carers").id
        opened = raise_risk(
            session, programme.id, "capacity", "b", "Raised *this* week", None, "critical", owner, at(WED, 15)
        )
        change_status(session, opened.risk_id, member(session, LEAD), "close", "Extra hours bought", at(WED, 16))
    check_in(engine, CAROL, WED, comment="Thank you_all_")
    text = "\n".join(strings(c["body"]) for c in report_cards(digest(engine, programme, DIGEST_FRI)))
    assert "Raised \\*this\\* week" in text and "Extra hours bought" in text
    assert "“Thank you\\_all\\_”" in text
    assert not re.search(r":[a-z_]+:|<http|<!date", text)


def test_a_very_long_digest_is_split_within_the_limits_and_nothing_is_cut(engine, programme):
    base = digest(engine, programme, DIGEST_FRI)
    decisions = tuple(
        DecisionView(
            id=n,
            text=f"Decision {n:03d} " + "and more words & <detail> " * 75,
            local_date=WED,
            decided_at=at(WED, 12),
            by="Alice Lead",
            organisation="Council",
        )
        for n in range(120)
    )
    huge = DecisionView(
        id=999,
        text=" ".join(f"t{n:04d}" for n in range(1500)),
        local_date=WED,
        decided_at=at(WED, 12),
        by="Alice Lead",
        organisation="Council",
    )
    voice = tuple(
        Voice("Home Carers Ltd", "home_care", WED, f"Blocker {n:03d} " + "ŵ" * 2980, f"Comment {n:03d}")
        for n in range(20)
    )
    cards = report_cards(replace(base, decisions=(*decisions, huge), voice=voice))
    assert len(cards) > 5
    for index, card in enumerate(cards):
        within_limits(card, PART_LIMIT)
        assert len(card["body"]) < 40
        assert texts(card)[0] == f"{base.title} (part {index + 1} of {len(cards)})"
    text = "\n".join(strings(c["body"]) for c in cards)
    for n in range(120):
        assert text.count(f"Decision {n:03d} ") == 1
    for n in range(20):
        assert text.count(f"Blocker {n:03d} ") == 1 and text.count(f"“Comment {n:03d}”") == 1
    assert text.count("ŵ") == 20 * 2980  # split into pieces, not cut
    assert all(f"t{n:04d}" in text for n in range(1500)) and "(continued)" in text
    assert subheadings(cards[:1]) == ["Spend against the trajectory"]


def test_many_short_lines_are_split_by_the_number_of_elements(engine, programme):
    base = digest(engine, programme, DIGEST_FRI)
    decisions = tuple(
        DecisionView(
            id=n,
            text=f"Short decision {n:03d}",
            local_date=WED,
            decided_at=at(WED, 12),
            by="Alice Lead",
            organisation="Council",
        )
        for n in range(150)
    )
    cards = report_cards(replace(base, decisions=decisions))
    assert len(cards) >= 5
    for card in cards:
        within_limits(card, PART_LIMIT)
        assert len(card["body"]) < 40
    text = "\n".join(strings(c["body"]) for c in cards)
    assert all(text.count(f"- Wed 13 Jan, Alice Lead (Council): Short decision {n:03d}") == 1 for n in range(150))
    assert text.count("Decisions this week (continued)") >= 3


def test_a_report_is_a_brief_or_a_digest():
    with pytest.raises(TypeError):
        report_cards("not a report")  # type: ignore[arg-type]


# -- the chart -----------------------------------------------------------------------------------------


def test_the_chart_card_is_the_titled_picture_within_a_message(engine, programme):
    spend(engine, date(2027, 1, 12), "20000", "5000")
    d = digest(engine, programme, DIGEST_FRI, chart=True)
    card = chart_card(d.chart_png, d.chart_title)
    within_limits(card)
    title, image = card["body"]
    assert title["text"] == d.chart_title and title["weight"] == "Bolder"
    assert image["type"] == "Image" and image["altText"] == d.chart_title
    assert image["url"].startswith("data:image/png;base64,")
    shown = Image.open(io.BytesIO(base64.b64decode(image["url"].split(",", 1)[1])))
    assert shown.format == "PNG" and shown.size == Image.open(io.BytesIO(d.chart_png)).size


# -- splitting text -------------------------------------------------------------------------------------


def test_long_text_splits_at_spaces_and_never_inside_an_escape():
    assert split_text("short", 100) == ["short"]
    escaped = "a" + "\\*" * 200
    pieces = split_text(escaped, 100)
    assert len(pieces) > 2 and all(len(p) <= 100 for p in pieces)
    bare = [p.replace("(continued)", "").strip() for p in pieces]
    assert "".join(bare) == escaped and all(not p.endswith("\\") for p in bare)
    words = split_text("word " * 100, 60)
    assert all(len(p) <= 60 for p in words)
    assert all(set(p.replace("(continued)", "").split()) == {"word"} for p in words)
    assert words[0].endswith(" (continued)") and words[-1].startswith("(continued) ")
