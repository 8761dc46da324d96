"""The demo's whole winter, brief by brief: each reads in a minute (under 1,500 characters as
Markdown) unless a risk became critical, and says what changed, never only "updated"."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from bot.common.calendar import working_days
from bot.reports.brief_words import BRIEF_CHARS
from handlers.slack.blocks.limits import check_message

pytestmark = pytest.mark.slow

CHANGED = re.compile(
    r"^- (New: .+"
    r"|.+ \((low|medium|high|critical)\): "
    r"(severity \w+ → \w+|level \d → \d|(acknowledged|mitigated|closed|reopened) by .+|assigned to .+"
    r"|acknowledged|mitigated|closed|reopened)(; .+)?)$"
)


@pytest.fixture(scope="module")
def winter(whole_winter):
    """The demo's winter, to the deadline (run once for the session)."""
    return whole_winter


@pytest.fixture(scope="module")
def folder(winter) -> Path:
    return winter.out_dir / "briefs"


@pytest.fixture(scope="module")
def briefs(folder) -> dict[str, str]:
    return {path.name: path.read_text(encoding="utf-8") for path in sorted(folder.glob("*.md"))}


def section(text: str, heading: str) -> list[str]:
    """The lines under a "## heading", up to the next heading."""
    if f"## {heading}\n" not in text:
        return []
    return [line for line in text.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0].splitlines() if line]


def critical(text: str) -> bool:
    return any("(critical" in line for line in section(text, "Needs you"))


def test_every_ordinary_brief_of_the_winter_reads_in_a_minute(briefs):
    assert len(briefs) > 70
    long = {name: len(text) for name, text in briefs.items() if len(text) >= BRIEF_CHARS and not critical(text)}
    assert long == {}
    assert any(critical(text) for text in briefs.values())  # the winter has its critical days


def test_a_risk_is_listed_only_saying_what_changed(briefs):
    said = []
    for name, text in briefs.items():
        assert ": updated" not in text, name
        for line in section(text, "Risks new or changed"):
            if line.startswith("- "):
                assert CHANGED.match(line), f"{name}: {line}"
                said.append(line)
    assert any(" by " in line for line in said) and any("→" in line for line in said)


def test_spend_flags_are_a_line_each_and_quantities_are_counted_whole(briefs):
    for name, text in briefs.items():
        money = section(text, "Money")
        assert sum(line.startswith("- Behind plan:") for line in money) <= 1, name
        assert sum(line.startswith("- Not reporting:") for line in money) <= 1, name
        assert not re.search(r"\d\.\d+ (people|beds|packages|visits|sessions|assessments|equipment)", text), name
        assert not re.search(r"\d\.\d\d+ staff", text), name
    assert any("Behind plan: 14 schemes, worst " in text for text in briefs.values())


def test_every_brief_posted_is_block_kit_slack_would_take(folder):
    for path in folder.glob("*.json"):
        for message in json.loads(path.read_text()):
            check_message(message["blocks"])


def test_the_closing_summary_names_the_days_the_briefs_flagged_the_underspend(winter, briefs):
    flagged = sorted(
        date.fromisoformat(name[:10])
        for name, text in briefs.items()
        if any(line.startswith("- Underspend risk (raised ") for line in text.splitlines())
    )
    assert flagged, "the demo's winter starts slowly: the briefs flag an underspend"
    first, last = flagged[0], flagged[-1]
    said = f"The briefs flagged an underspend from {first:%a %d %b} to {last:%a %d %b}; cleared "
    assert said in winter.text
    # One spell: every working day's brief between the first and the last carried it.
    assert flagged == list(working_days(first, last))
    assert all(f"(raised {first:%a %d %b})" in briefs[f"{day}-brief.md"] for day in flagged)
