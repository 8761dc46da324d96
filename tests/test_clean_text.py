"""clean_text: NUL, other controls, bidi controls and zero-width characters never reach the
database or a channel; the words, tabs, line breaks and emoji stay."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.common.redact import redact
from bot.common.text import clean_text

REMOVED = (
    [chr(c) for c in range(0x20) if chr(c) not in "\t\n\r"]
    + [chr(c) for c in range(0x7F, 0xA0)]
    + list("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
    + list("\u200b\u200c\u200d\u2060\ufeff")
)


@pytest.mark.parametrize("hidden", REMOVED, ids=lambda c: f"U+{ord(c):04X}")
def test_each_control_is_removed_and_the_words_kept(hidden):
    assert clean_text(f"No{hidden} drivers{hidden}") == "No drivers"


def test_a_right_to_left_override_cannot_turn_a_comment_around():
    assert clean_text("Beds free: \u202e0 ,tnemom eht tA") == "Beds free: 0 ,tnemom eht tA"


def test_tabs_line_breaks_accents_and_emoji_stay():
    kept = "Café\tclosed\nTwo carers off 🤒 — ward 7; 👩\u200d⚕️ on call"
    assert clean_text(kept) == kept
    assert clean_text("line one\r\nline two\rthree") == "line one\nline two\nthree"


def test_a_joiner_between_letters_is_removed_but_between_emoji_kept():
    assert clean_text("ab\u200dcd 👩\u200d⚕️") == "abcd 👩\u200d⚕️"


@given(st.text())
def test_nothing_removed_is_left_and_cleaning_twice_changes_nothing(text):
    cleaned = clean_text(text)
    assert not any(c in cleaned for c in REMOVED if c != "\u200d")
    assert "\r" not in cleaned
    assert clean_text(cleaned) == cleaned


def test_redact_cleans_too_so_every_caller_stores_clean_text():
    assert redact("Mrs K\x00 \u202e943 476 5919\u200b waited").text == "Mrs K [NHS number removed] waited"
