"""The status, partners and decide renderers (pure): within Block Kit's limits for the bundled sample
and for a 200-organisation programme; stale levels marked; what does not fit counted, never cut
silently."""

from __future__ import annotations

import re
import sys
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlmodel import select

from bot.programme.file import SAMPLE_PATH
from bot.programme.loader import load_path
from bot.reports.decisions import DecisionRecorded, DecisionRefused
from bot.reports.engagement import response_rates
from bot.reports.leads_view import ViewRefused
from bot.reports.status import CapacityCell, CapacityRow, status_screen
from handlers.slack.blocks.decide import decide_blocks, decide_text
from handlers.slack.blocks.limits import check_message
from handlers.slack.blocks.partners import partners_blocks, partners_text
from handlers.slack.blocks.status import capacity_line, status_blocks, status_text
from models.db import make_engine, migrate, session_scope
from models.tables import Programme

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from benchmarks.large_programme import LARGE_TODAY, build_large_programme  # noqa: E402

LARGE_NOW = datetime(2027, 3, 10, 11, 0, tzinfo=UTC)


def texts(blocks: list[dict]) -> list[str]:
    out = []
    for block in blocks:
        if "text" in block:
            out.append(block["text"]["text"])
        out += [element["text"] for element in block.get("elements", [])]
    return out


def grid_lines(shown: list[str], rows) -> int:
    """Lines of the capacity grid: one per organisation, starting with its name in bold."""
    names = {f"*{row.name}*" for row in rows}
    return sum(1 for text in shown for line in text.splitlines() if line.split(": ")[0] in names)


def within_limits(blocks: list[dict]) -> None:
    check_message(blocks)
    for block in blocks:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= 3000


@pytest.fixture(scope="module")
def sample():
    engine = make_engine("sqlite://")
    migrate(engine)
    load_path(engine, SAMPLE_PATH)
    with session_scope(engine) as session:
        programme = session.exec(select(Programme)).one()
        now = datetime(2027, 1, 20, 10, tzinfo=UTC)
        yield status_screen(session, programme, now), response_rates(session, programme, date(2027, 1, 20))
    engine.dispose()


@pytest.fixture(scope="module")
def large(tmp_path_factory):
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('large') / 'large.db'}")
    slug = build_large_programme(engine, organisations=200, schemes=60, working_days=15)
    with session_scope(engine) as session:
        programme = session.exec(select(Programme).where(Programme.slug == slug)).one()
        yield status_screen(session, programme, LARGE_NOW), response_rates(session, programme, LARGE_TODAY)
    engine.dispose()


def test_the_sample_programme_fits_and_says_what_it_shows(sample):
    screen, engagement = sample
    blocks = status_blocks(screen)
    within_limits(blocks)
    shown = "\n".join(texts(blocks))
    assert shown.startswith("Status: Vale winter discharge fund 2026/27")
    assert "Allocated so far £3,100,000 of £3,700,000" in shown
    assert f"*Gone quiet: {len(screen.quiet)}*" in shown
    assert all(row.name in shown for row in screen.capacity.rows)
    assert "never reported :hourglass:" in shown
    within_limits(partners_blocks(engagement))
    assert status_text(screen).startswith("Status for Vale winter discharge fund 2026/27: spent £0")


def test_a_200_organisation_programme_fits_and_accounts_for_every_organisation(large):
    screen, _ = large
    blocks = status_blocks(screen)
    within_limits(blocks)
    shown = texts(blocks)
    more = [int(m[1]) for text in shown if (m := re.match(r"^(\d+) more organisations? not shown", text))]
    assert grid_lines(shown, screen.capacity.rows) + sum(more) == len(screen.capacity.rows) > 150
    assert all(len(block["text"]["text"]) <= 3000 for block in blocks if block["type"] == "section")


def test_a_huge_grid_is_summarised_with_a_count_of_the_calmest(large):
    screen, _ = large
    rows = tuple(
        replace(row, organisation_id=row.organisation_id + 10_000 * copy, name=f"{row.name} copy {copy}")
        for copy in range(10)
        for row in screen.capacity.rows
    )
    big = replace(screen, capacity=replace(screen.capacity, rows=rows))
    blocks = status_blocks(big)
    within_limits(blocks)
    shown = texts(blocks)
    listed = grid_lines(shown, rows)
    [note] = [text for text in shown if " more organisations not shown" in text]
    assert listed + int(note.split()[0]) == len(rows)
    assert len(blocks) <= 50 and "none above level" in note
    names = {f"*{row.name}*" for row in rows}
    first = next(line for text in shown for line in text.splitlines() if line.split(": ")[0] in names)
    assert ":red_circle: 4" in first  # the most pressed first; the calmest are the ones counted


def test_stale_and_never_reported_levels_are_marked():
    row = CapacityRow(
        organisation_id=1,
        name="Brightside <Home> Care",
        kind="home_care",
        sector="community",
        cells=(
            CapacityCell("home_care", "Home care", 3, "Major pressures", date(2027, 1, 11), 6, True),
            CapacityCell("reablement", "Reablement", 1, "Able", date(2027, 1, 19), 0, False),
            CapacityCell("gp", "General practice", None, None, None, None, True),
        ),
    )
    assert capacity_line(row) == (
        "*Brightside &lt;Home&gt; Care*: Home care :large_orange_circle: 3 :hourglass: stale, 6 working days old · "
        "Reablement :large_green_circle: 1 · General practice :white_circle: never reported :hourglass:"
    )


def test_many_quiet_partners_are_named_up_to_a_point_then_counted(large):
    screen, _ = large
    assert len(screen.quiet) > 40
    shown = texts(status_blocks(screen))
    named = sum(1 for text in shown for line in text.splitlines() if line.startswith("• Person "))
    [note] = [text for text in shown if re.match(r"^\d+ more not shown\.$", text)]
    assert f"*Gone quiet: {len(screen.quiet)}*" in "\n".join(shown)
    assert named == 40 and named + int(note.split()[0]) == len(screen.quiet)


def test_partners_table_for_200_organisations_fits_and_counts_what_it_leaves_out(large):
    _, engagement = large
    blocks = partners_blocks(engagement)
    within_limits(blocks)
    table = "\n".join(texts(blocks))
    assert sum(1 for o in engagement.organisations if o.name[:28] in table) == len(engagement.organisations)
    huge = replace(engagement, organisations=engagement.organisations * 20)
    blocks = partners_blocks(huge)
    within_limits(blocks)
    shown = texts(blocks)
    rows = sum(
        1
        for text in shown
        for line in text.replace("```", "\n").splitlines()
        if re.search(r" (statutory|community) ", line)
    )
    [note] = [text for text in shown if " more organisations not shown" in text]
    assert rows + int(note.split()[0]) == len(huge.organisations)
    assert partners_text(engagement).startswith(f"Check-in response rates for {engagement.programme_name}: statutory ")


def test_refusals_are_shown_escaped():
    refused = ViewRefused("not_lead", "Only <leads> & admins")
    assert texts(status_blocks(refused)) == ["Only &lt;leads&gt; &amp; admins"]
    assert texts(partners_blocks(refused)) == ["Only &lt;leads&gt; &amp; admins"]
    assert status_text(refused) == "Only <leads> & admins"


def test_a_long_decision_is_confirmed_quoted_and_escaped_within_limits():
    text = ("Fund <@U123> & the hospice's night sitters\n\n" + "x" * 1950)[:2000]
    recorded = DecisionRecorded(
        decision_id=1,
        programme_id=1,
        programme_name="Vale",
        text=text,
        local_date=date(2027, 1, 20),
        decided_at=datetime(2027, 1, 20, 10, tzinfo=UTC),
        by="Alice",
        organisation="Council",
        redactions=0,
        message="Decision recorded for Vale. Every partner will see it in the weekly digest.",
    )
    blocks = decide_blocks(recorded)
    within_limits(blocks)
    shown = texts(blocks)
    assert shown[0] == ":white_check_mark: Decision recorded for Vale. Every partner will see it in the weekly digest."
    assert shown[1].startswith("> Fund &lt;@U123&gt; &amp; the hospice's night sitters\n>\n> xxx")
    assert shown[2] == "Recorded by Alice (Council) on Wed 20 Jan 2027. Shown only to you."
    refused = DecisionRefused("not_lead", "Only the programme's leads record decisions; you are a partner.")
    assert texts(decide_blocks(refused)) == [refused.message] and decide_text(refused) == refused.message
