"""The `/winter spend` renderer: within Slack's limits for a big programme, nothing dropped
silently, user text escaped."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from bot.spend.position import Flag, Forecast, SchemeSpend, SourceSpend, SpendPosition
from handlers.slack.blocks.limits import MESSAGE_BLOCKS, check_message
from handlers.slack.blocks.spend import spend_blocks, spend_text

D = Decimal


def scheme(i: int, name: str = "") -> SchemeSpend:
    return SchemeSpend(
        scheme_id=i,
        key=f"scheme-{i:02d}-with-a-long-key",
        name=name or f"Scheme number {i} " + "with a long descriptive name " * 5,
        scheme_type="home_care",
        funding_source="local_authority_grant",
        owner="Home Carers Ltd",
        budget=D("123456.78"),
        actual=D("1234.57"),
        committed=D("99.99"),
        activity=D("12.5"),
        planned=D("1000"),
        unit="hours",
        last_reported=date(2027, 1, 19) if i % 2 else None,
    )


def position(schemes: int, flags_per_scheme: int = 2) -> SpendPosition:
    lines = tuple(scheme(i) for i in range(schemes))
    flags = tuple(
        Flag("silent_scheme", s.key, f"{s.name} ({s.owner}) has not reported for 29 working days (never reported).")
        for s in lines
        for _ in range(flags_per_scheme)
    )
    return SpendPosition(
        programme_slug="vale",
        programme_name="Vale winter discharge fund",
        today=date(2027, 1, 20),
        deadline=date(2027, 3, 31),
        allocated_so_far=D("100000.00"),
        allocated_total=D("150000.00"),
        actual=D("1234.57") * schemes,
        committed=D("99.99") * schemes,
        by_source=(SourceSpend("local_authority_grant", D("100000.00"), D("150000.00"), D("1"), D("2")),),
        schemes=lines,
        forecast=Forecast(
            29,
            49,
            D("2775.51"),
            D("1200.00"),
            D("482.76"),
            D("72800.01"),
            D("37655.25"),
            D("-77199.99"),
            D("-112344.75"),
        ),
        flags=flags,
    )


def everything(blocks) -> str:
    return "\n".join(
        [b["text"]["text"] for b in blocks if "text" in b] + [e["text"] for b in blocks for e in b.get("elements", [])]
    )


def test_sixty_schemes_fit_slacks_limits_and_every_scheme_is_shown():
    blocks = spend_blocks(position(60))
    check_message(blocks)
    text = everything(blocks)
    for i in range(60):
        assert f"scheme-{i:02d}-with-a-lon…" in text or f"scheme-{i:02d}" in text
    assert text.count("has not reported for 29 working days") == 120
    assert "more sections not shown" not in text


def test_a_pathological_programme_says_what_was_left_out():
    blocks = spend_blocks(position(200, flags_per_scheme=4))
    check_message(blocks)
    assert len(blocks) == MESSAGE_BLOCKS
    assert "more sections not shown here: `winterbot status` prints them all." in blocks[-1]["elements"][0]["text"]


def test_the_totals_and_forecast_are_to_the_penny():
    text = everything(spend_blocks(position(3)))
    assert "*Allocated so far* £100,000.00 of £150,000.00" in text
    assert "*Actual* £3,703.71   *Committed* £299.97   *Commitment* £4,003.68 (3% of the allocation)" in text
    assert "Run rate needed to spend the rest: £2,775.51 a working day" in text
    assert "outturn at the deadline £72,800.01 (underspend £77,199.99)" in text
    assert spend_text(position(3)).startswith("Spend for Vale winter discharge fund: actual £3,703.71")


def test_names_are_escaped():
    p = position(1)
    p = replace(p, flags=(Flag("silent_scheme", "x", "<!channel> & co has not reported"),))
    text = everything(spend_blocks(p))
    assert "&lt;!channel&gt; &amp; co" in text and "<!channel>" not in text


def test_no_flags_says_so():
    assert "*Flags*: none" in everything(spend_blocks(replace(position(1), flags=())))
