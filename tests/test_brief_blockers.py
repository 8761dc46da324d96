"""The brief's Blockers part, pure (no database): its lines, the same words from several
organisations once, the partner voice not quoting a listed blocker again, the cut to fit a
minute's reading, the Slack Reply buttons and form, and the Teams Reply… forms. End to end:
test_brief_blockers_slack.py and test_brief_blockers_teams.py."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest
from test_brief_words import a_brief, risk

from bot.checkin.blockers import BlockerView, Reply
from bot.reports.brief import Brief
from bot.reports.brief_words import BRIEF_CHARS, blocker_sentence, brief_markdown, shown_blockers
from bot.reports.quotes import RaisedBlocker, blocker_quotes, without_listed
from bot.reports.voice import Voice
from handlers.slack.blocks.blocker_reply import (
    BUTTON_ID,
    CALLBACK,
    CHOICE_BLOCK,
    NOTE_BLOCK,
    blocker_id_of,
    reply_modal,
)
from handlers.slack.blocks.brief import brief_blocks, brief_messages
from handlers.slack.blocks.limits import check_message, check_modal
from handlers.teams.cards.reports import BLOCKER_REPLY, report_cards

MON, TUE, WED, THU = date(2026, 12, 7), date(2026, 12, 8), date(2026, 12, 9), date(2026, 12, 10)
DAYS = {MON: 3, TUE: 2, WED: 1}


def raised(blocker_id: int, organisation: str, text: str, day: date = WED, status: str = "open") -> RaisedBlocker:
    return RaisedBlocker(blocker_id, organisation, text, day, status)


def grouped(*items: RaisedBlocker):
    return tuple(blocker_quotes(items, WED, DAYS.__getitem__))


def with_blockers(b: Brief, *items: RaisedBlocker) -> Brief:
    return replace(b, blockers=grouped(*items))


# -- the words ------------------------------------------------------------------------------------------


def test_a_new_blocker_and_an_old_unanswered_one_each_say_how_they_stand():
    old, new = grouped(
        raised(3, "Age Well Vale", "No transport home after 6pm", MON),
        raised(12, "Brightside Home Care", "No drivers after 4pm"),
    )
    assert blocker_sentence(new) == "#12 Brightside Home Care: “No drivers after 4pm” (new)"
    assert (
        blocker_sentence(old) == "#3 Age Well Vale: “No transport home after 6pm” (open 3 working days, no answer yet)"
    )
    [taken] = grouped(raised(13, "Meadowbank Care", "Keys", WED, "working"))
    assert blocker_sentence(taken).endswith("(new, being worked on)")


def test_the_same_words_on_the_same_day_are_one_line_with_every_organisation():
    items = grouped(
        raised(12, "Brightside Home Care", "No drivers after 4pm"),
        raised(14, "Meadowbank Care", "no drivers  after 4PM"),
        raised(15, "Brightside Home Care", "No drivers after 4pm"),
        raised(2, "Age Well Vale", "No drivers after 4pm", TUE),  # another day: its own line
    )
    assert [(q.blocker_ids, q.organisations) for q in items] == [
        ((2,), ("Age Well Vale",)),
        ((12, 14, 15), ("Brightside Home Care", "Meadowbank Care")),
    ]
    assert blocker_sentence(items[1]) == (
        "#12, #14, #15 Brightside Home Care and Meadowbank Care: “No drivers after 4pm” (new)"
    )


def test_long_words_are_shortened_in_their_one_line():
    [q] = grouped(raised(1, "Age Well Vale", "word " * 60))
    assert len(blocker_sentence(q)) < 160 and "…”" in blocker_sentence(q)


def test_partner_voice_keeps_comments_but_not_a_blocker_the_brief_lists():
    listed = grouped(raised(12, "Brightside Home Care", "No drivers after 4pm."))
    voice = [
        Voice("Brightside Home Care", "home_care", WED, "no drivers after 4pm.", "Quiet otherwise."),
        Voice("Meadowbank Care", "home_care", WED, "No drivers after 4pm.", None),  # not an item: still quoted
        Voice("Age Well Vale", "vcs", WED, "No drivers after 4pm.", None),
    ]
    kept = without_listed(voice, listed)
    assert [(v.organisation, v.blockers, v.comment) for v in kept] == [
        ("Brightside Home Care", None, "Quiet otherwise."),
        ("Meadowbank Care", "No drivers after 4pm.", None),
        ("Age Well Vale", "No drivers after 4pm.", None),
    ]
    assert without_listed(voice[:1], grouped(raised(1, "Brightside Home Care", "Other words"))) == voice[:1]


# -- in the brief -----------------------------------------------------------------------------------------


def test_the_markdown_brief_has_a_blockers_part_before_partner_voice():
    b = with_blockers(
        a_brief(capacity=0, voice=0),
        raised(3, "Age Well Vale", "No transport home after 6pm", MON),
        raised(12, "Brightside Home Care", "No drivers after 4pm"),
    )
    text = brief_markdown(b)
    part = text.split("## Blockers\n\n", 1)[1].split("\n\n## Partner voice", 1)[0]
    assert part.splitlines() == [
        "- #3 Age Well Vale: “No transport home after 6pm” (open 3 working days, no answer yet)",
        "- #12 Brightside Home Care: “No drivers after 4pm” (new)",
    ]
    assert "No new blockers" in brief_markdown(a_brief(capacity=0, voice=0))


def test_many_blockers_are_cut_to_whole_lines_the_new_ones_kept_saying_how_many_more():
    old = [raised(n, f"Organisation {n}", f"Old blocker number {n} " + "words " * 8, MON) for n in range(1, 12)]
    new = [raised(20 + n, f"Partner {n}", f"New blocker number {n}", WED) for n in range(2)]
    risks = tuple(risk(f"Risk {n} about a service", "high", said=("acknowledged by Helen",)) for n in range(6))
    b = with_blockers(a_brief(risks), *old, *new)
    text = brief_markdown(b)
    assert len(text) < BRIEF_CHARS
    lines = text.split("## Blockers\n\n", 1)[1].split("\n\n", 1)[0].splitlines()
    shown, more = [x for x in lines if x.startswith("- #")], lines[-1]
    assert more == f"{13 - len(shown)} more: `/winter blockers` shows them all."
    assert shown[-2:] == [
        "- #20 Partner 0: “New blocker number 0” (new)",
        "- #21 Partner 1: “New blocker number 1” (new)",
    ]
    picked, left = shown_blockers(b, 4)
    assert [q.blocker_ids for q in picked] == [(1,), (20,), (21,)] and left == 10  # oldest first once chosen


# -- Slack -----------------------------------------------------------------------------------------------------


def test_each_listed_blocker_has_a_reply_button_carrying_only_its_id():
    b = with_blockers(
        a_brief(capacity=1, voice=1),
        raised(3, "Age Well Vale", "No transport home after 6pm", MON),
        raised(12, "Brightside Home Care", "No drivers after 4pm"),
        raised(14, "Meadowbank Care", "No drivers after 4pm"),
    )
    blocks = brief_blocks(b)
    for message in brief_messages(b):
        check_message(message.blocks)
    single = next(x for x in blocks if "#3 Age Well Vale" in x.get("text", {}).get("text", ""))
    assert single["accessory"] == {
        "type": "button",
        "text": {"type": "plain_text", "text": "Reply", "emoji": True},
        "action_id": "blocker_reply:3",
        "value": "3",
    }
    at = blocks.index(next(x for x in blocks if "#12, #14 Brightside" in x.get("text", {}).get("text", "")))
    row = blocks[at + 1]
    assert row["type"] == "actions" and [(e["text"]["text"], e["value"]) for e in row["elements"]] == [
        ("Reply to #12", "12"),
        ("Reply to #14", "14"),
    ]
    assert all(BUTTON_ID.match(e["action_id"]) for e in row["elements"])
    assert "accessory" not in blocks[at]


@pytest.mark.parametrize(("value", "expected"), [("12", 12), (" 7 ", 7), ("", None), ("12; drop", None), (None, None)])
def test_a_button_or_form_value_is_a_blocker_id_or_nothing(value, expected):
    assert blocker_id_of(value) == expected


def view(replies: int = 0, text: str = "No drivers after 4pm") -> BlockerView:
    at = datetime(2026, 12, 9, 10)
    thread = tuple(Reply("Helen Price (NHS Vale ICB)", "reply", f"Reply {n} " + "x" * 900, at) for n in range(replies))
    return BlockerView(12, "Brightside Home Care", text, "open", None, WED, (Reply("Bo", "raised", None, at), *thread))


def test_the_form_shows_the_blocker_and_asks_the_words_and_what_to_do():
    modal = reply_modal(view(1))
    check_modal(modal)
    assert (modal["callback_id"], modal["private_metadata"], modal["title"]["text"]) == (
        CALLBACK,
        "12",
        "Blocker #12",
    )
    about, words, choice = modal["blocks"]
    assert "#12 Brightside Home Care, since Wed 9 Dec (open)" in about["text"]["text"]
    assert (
        "No drivers after 4pm" in about["text"]["text"]
        and "Helen Price (NHS Vale ICB) replied" in about["text"]["text"]
    )
    assert words["block_id"] == NOTE_BLOCK and words["element"]["multiline"] is True
    assert choice["block_id"] == CHOICE_BLOCK
    assert [o["value"] for o in choice["element"]["options"]] == ["reply", "take", "resolve", "wontfix"]
    assert choice["element"]["initial_option"]["value"] == "reply"


def test_the_form_stays_within_slacks_limits_however_long_the_thread():
    check_modal(reply_modal(view(40, "<&> " * 800)))


# -- Teams -------------------------------------------------------------------------------------------------------


def test_each_listed_blocker_unfolds_a_reply_form_on_the_brief_card():
    b = with_blockers(
        a_brief(capacity=1, voice=1),
        raised(12, "Brightside Home Care", "No drivers after 4pm"),
        raised(14, "Meadowbank Care", "No drivers after 4pm"),
        raised(3, "Age Well Vale", "Keys", TUE),
    )
    [card] = report_cards(b)
    sets = [e for e in card["body"] if e["type"] == "ActionSet"]
    forms = [a for s in sets for a in s["actions"]]
    assert [a["title"] for a in forms] == ["Reply…", "Reply to #12…", "Reply to #14…"]
    for form, blocker_id in zip(forms, (3, 12, 14), strict=True):
        inputs = {e["id"]: e for e in form["card"]["body"]}
        assert set(inputs) == {f"note:{blocker_id}", f"action:{blocker_id}"}
        assert [c["value"] for c in inputs[f"action:{blocker_id}"]["choices"]] == [
            "reply",
            "take",
            "resolve",
            "wontfix",
        ]
        [send] = form["card"]["actions"]
        assert send["verb"] == BLOCKER_REPLY and send["data"] == {"verb": BLOCKER_REPLY, "blocker_id": blocker_id}
