"""The Teams cards for the daily brief, the weekly digest and the chart: the reports' sections in
Slack's order, and long reports split into parts within Teams' limits with nothing lost. On SQLite
and PostgreSQL where a database is needed. The risks' cards are in test_teams_risk_cards.py."""

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
from teams_cards_support import texts, within_limits
from teams_double import strings
from test_brief import BOB, CAROL, DEV, LEAD, PROGRAMME, at, brief, capacity, check_in, member, organisation, spend
from test_digest import digest

from bot.programme.loader import load_path
from bot.reports.decisions import DecisionView
from bot.reports.voice import Voice
from bot.risks.changes import change_status
from bot.risks.register import raise_risk
from handlers.teams.cards.report_text import split_text
from handlers.teams.cards.reports import chart_card, report_cards
from models.db import session_scope
from models.tables import Programme

PART_LIMIT = 24_000
THU, FRI, MON, WED = date(2027, 1, 7), date(2027, 1, 8), date(2027, 1, 11), date(2027, 1, 13)
DIGEST_FRI = date(2027, 1, 15)


@pytest.fixture
def programme(engine) -> Programme:
    load_path(engine, PROGRAMME)
    with session_scope(engine) as session:
        return session.exec(select(Programme)).one()


def subheadings(cards: list[dict[str, Any]]) -> list[str]:
    """The section headings across cards, "(continued)" ones left out."""
    return [
        e["text"]
        for c in cards
        for e in c["body"][1:]
        if e.get("weight") == "Bolder" and not e["text"].endswith("(continued)")
    ]


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
        "Needs you",  # the new critical risk
        "Check-ins on Fri 08 Jan",
        "Money (to the end of Fri 08 Jan)",
        "Capacity changes",
        "Risks new or changed",
        "Blockers",
        "Partner voice",
        "Huddle board",  # how to get the board's link: typed in the personal chat, not a button here
    ]
    text = strings(card["body"])
    assert "🔴 **New**: " in text and "New risk" in text and "⬆️ 🔴 " in text
    assert "“No \\*drivers\\* \\[today\\](http://x)”\n\n— **Home Carers Ltd**, blockers" in text
    assert not re.search(r":[a-z_]+:|<http|<!date", text)


def test_a_long_brief_is_split_into_labelled_parts_each_quote_whole_and_once(engine, programme):
    # the brief quotes a few partners (bot.reports.brief_words.fitted), each whole however long
    for n in range(30):
        check_in(engine, BOB if n % 2 else DEV, FRI, comment=f"Comment {n:02d} " + "ŵord " * 4000, hh=8 + n % 10)
    b = brief(engine, programme, MON)
    cards = report_cards(b)
    assert len(cards) > 1
    for index, card in enumerate(cards):
        within_limits(card, PART_LIMIT)
        assert len(card["body"]) < 40
        assert texts(card)[0].endswith(f"(part {index + 1} of {len(cards)})")
        assert ("Continued in the next card" in texts(card)[-1]) is (index < len(cards) - 1)
    text = "\n".join(strings(c["body"]) for c in cards)
    shown = text.count("“Comment ")
    assert 1 <= shown <= 3 and text.count("ŵord") == 4000 * shown  # each quote whole, once
    assert f"{30 - shown} more quotes not shown" in text


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
        "You said, we did",
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
    drawn = Image.open(io.BytesIO(d.chart_png))
    # The same picture, narrowed only as far as the message needs, its proportions kept.
    assert shown.format == "PNG" and 0.4 * drawn.width <= shown.width <= drawn.width
    assert abs(shown.height / shown.width - drawn.height / drawn.width) < 0.01


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
