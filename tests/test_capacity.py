"""Capacity levels 1-4 in OPEL wording, and their labels for a select."""

from __future__ import annotations

import pytest

from bot.common.capacity import LEVELS, level_label, level_wording, parse_level

OPEL = {
    1: "Able to maintain flow and meet expected demand",
    2: "Showing signs of pressure",
    3: "Major pressures compromising flow",
    4: "Pressure continues to escalate; unable to deliver comprehensive care; safety may be at risk",
}


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_each_level_keeps_the_opel_wording(n):
    assert level_wording(n) == OPEL[n]


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_labels_fit_a_slack_option_and_start_with_their_number(n):
    label = level_label(n)
    assert len(label) <= 75
    assert label.startswith(f"{n} ")


def test_there_are_four_levels_and_no_fifth():
    assert [level.number for level in LEVELS] == [1, 2, 3, 4]
    with pytest.raises(ValueError, match="from 1 to 4"):
        level_label(5)
    with pytest.raises(ValueError):
        level_wording(0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", 1),
        (" 4 ", 4),
        ("0", None),
        ("5", None),
        ("two", None),
        ("", None),
        (None, None),
        ("-1", None),
        ("²", None),
        ("٣", None),
    ],
)
def test_parse_level_takes_only_one_to_four(text, expected):
    assert parse_level(text) == expected
