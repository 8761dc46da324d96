"""The weekly digest: its day and week, what it says, and a very long one split across
messages within Block Kit's limits without losing anything. On SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from test_brief import (  # noqa: F401  (fixtures)
    BOB,
    CAROL,
    DEV,
    LEAD,
    NHS,
    all_text,
    at,
    capacity,
    check_in,
    member,
    organisation,
    programme,
    spend,
)

from bot.reports.decisions import DecisionView
from bot.reports.digest import Digest, compose_digest, digest_day, digest_week, is_digest_day
from bot.reports.markdown import to_markdown
from bot.reports.voice import Voice
from bot.risks.changes import change_status
from bot.risks.register import raise_risk
from handlers.slack.blocks.digest import digest_messages
from handlers.slack.blocks.limits import MESSAGE_BLOCKS, check_message
from models.db import session_scope
from models.tables import Decision, Programme, Tranche

FRI, THU = date(2027, 1, 15), date(2027, 1, 14)
MON, TUE, WED = date(2027, 1, 11), date(2027, 1, 12), date(2027, 1, 13)
PNG = b"\x89PNG\r\n\x1a\n"


def digest(engine, programme: Programme, today: date = FRI, chart: bool = False) -> Digest:
    with session_scope(engine) as session:
        return compose_digest(session, session.get(Programme, programme.id), today, chart=chart)


# -- its day and its week (pure calendar) -----------------------------------------------------------


def friday() -> Programme:
    return Programme(
        slug="p",
        name="P",
        deadline=date(2027, 3, 31),
        channel="C",
        checkin_time="09:30",
        reminder_time="14:00",
        brief_time="08:30",
        digest_weekday=4,
        digest_time="15:00",
    )


def test_a_friday_digest_and_the_week_it_covers():
    p = friday()
    assert is_digest_day(p, FRI) and not is_digest_day(p, THU)
    assert digest_week(p, FRI) == date(2027, 1, 9)  # Saturday after the previous Friday
    assert digest_week(p, THU) == date(2027, 1, 8)  # any other day: the seven days ending it


def test_a_bank_holiday_moves_the_digest_to_the_next_working_day():
    p = friday()
    assert digest_day(p, date(2027, 3, 26)) == date(2027, 3, 30)  # Good Friday, Easter Monday: Tuesday
    assert is_digest_day(p, date(2027, 3, 30)) and not is_digest_day(p, date(2027, 3, 26))
    assert digest_week(p, date(2027, 3, 30)) == date(2027, 3, 20)  # from the day after Fri 19 Mar
    assert digest_day(p, date(2026, 12, 29)) == date(2026, 12, 29)  # Christmas Day: Tue 29 Dec
    assert digest_day(p, date(2027, 1, 4)) == date(2027, 1, 4)  # New Year's Day: Mon 4 Jan
    assert digest_week(p, date(2027, 1, 4)) == date(2026, 12, 30)
    assert digest_week(p, date(2027, 1, 8)) == date(2027, 1, 5)  # after the moved one


# -- what it says ----------------------------------------------------------------------------------


def test_spend_against_the_trajectory_and_the_chart(engine, programme):
    spend(engine, TUE, "20000", "5000")
    d = digest(engine, programme, chart=True)
    assert d.position.actual == Decimal("20000") and d.chart_png.startswith(PNG)
    assert Decimal(0) < d.even_pace < d.position.allocated_total
    assert d.burn.points[-1].actual == Decimal("20000")
    assert "behind the even pace" in to_markdown(d)


def test_capacity_by_service_over_the_week(engine, programme):
    capacity(engine, date(2027, 1, 4), 4)  # before the week: not its worst
    capacity(engine, MON, 2)
    capacity(engine, TUE, 3)
    capacity(engine, WED, 4)
    capacity(engine, THU, 2)
    capacity(engine, date(2027, 1, 5), 2, service="reablement")
    weeks = {s.service: s for s in digest(engine, programme).capacity}
    home = weeks["home_care"]
    assert (home.worst, home.latest, home.days_pressed, home.organisations) == (4, 2, 2, 1)
    reablement = weeks["reablement"]
    assert (reablement.worst, reablement.latest, reablement.days_pressed) == (None, 2, 0)


def test_risks_opened_and_closed_in_the_week(engine, programme):
    with session_scope(engine) as session:
        owner = organisation(session, "carers").id
        lead = member(session, LEAD)
        before = raise_risk(
            session, programme.id, "capacity", "a", "Raised last week", None, "high", owner, at(date(2027, 1, 6), 15)
        )
        this = raise_risk(
            session, programme.id, "capacity", "b", "Raised this week", None, "critical", owner, at(TUE, 15)
        )
        change_status(session, before.risk_id, lead, "close", "Extra hours bought", at(WED, 11))
        change_status(session, this.risk_id, lead, "acknowledge", None, at(WED, 12))
    d = digest(engine, programme)
    assert [m.title for m in d.opened] == ["Raised this week"]
    assert [(m.title, m.note, m.day) for m in d.closed] == [("Raised last week", "Extra hours bought", WED)]


def test_decisions_voice_engagement_and_what_is_next(engine, programme):
    with session_scope(engine) as session:
        lead = member(session, LEAD)
        for day, text in ((date(2027, 1, 7), "Old decision"), (WED, "Extend bridging care to 31 March")):
            session.add(
                Decision(
                    programme_id=programme.id, member_id=lead.id, text=text, local_date=day, decided_at=at(day, 12)
                )
            )
        session.add(
            Tranche(
                programme_id=programme.id,
                key="top-up",
                name="January top-up",
                amount=Decimal("150000"),
                funding_source="icb_allocation",
                announced_on=date(2027, 1, 12),
                available_on=date(2027, 1, 25),
            )
        )
    check_in(engine, BOB, TUE, blockers="No drivers")
    check_in(engine, CAROL, THU, blockers="No drivers")  # the same words from the same organisation: once
    check_in(engine, DEV, WED, comment=f"Letter quoted {NHS}")
    check_in(engine, LEAD, WED, comment="Statutory words")
    d = digest(engine, programme)
    assert [x.text for x in d.decisions] == ["Extend bridging care to 31 March"]
    assert [(v.organisation, v.day) for v in d.voice] == [("Home Carers Ltd", THU), ("Healthwatch", WED)]
    assert [s.sector for s in d.engagement] == ["statutory", "community", "all"]
    community = d.engagement[1]
    assert community.answered == 3 and community.prompted >= 3
    assert [t.name for t in d.next.tranches] == ["January top-up"]
    assert (
        d.next.deadline == date(2027, 3, 31) and d.next.working_days_left == 52
    )  # Fri 15 Jan (no figure dated it yet) to Wed 31 Mar, Easter out
    markdown = to_markdown(d)
    for heading in (
        "## Spend",
        "## Capacity by service",
        "## Risks",
        "## Decisions",
        "## Partner voice",
        "## Engagement by sector",
        "## What is next",
    ):
        assert heading in markdown
    for text in (markdown, all_text(digest_messages(d))):
        assert NHS not in text and "9434765919" not in text and "Statutory words" not in text
        assert "January top-up" in text and "Extend bridging care" in text


def test_a_short_digest_is_spend_then_the_rest(engine, programme):
    messages = digest_messages(digest(engine, programme, chart=True))
    assert len(messages) == 2
    assert "Spend against the trajectory" in all_text(messages[:1]) and "burn-up chart follows" in all_text(
        messages[:1]
    )
    assert "Capacity by service" in all_text(messages[1:])
    for message in messages:
        check_message(message.blocks)


def test_a_very_long_digest_is_split_within_the_limits_and_nothing_is_cut(engine, programme):
    base = digest(engine, programme)
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
    voice = tuple(Voice("Home Carers Ltd", "home_care", WED, f"Blocker {n:03d} " + "x" * 2980, None) for n in range(20))
    long = replace(base, decisions=decisions, voice=voice)
    messages = digest_messages(long)
    assert len(messages) > 5
    for index, message in enumerate(messages):
        check_message(message.blocks)
        assert len(message.blocks) <= MESSAGE_BLOCKS
        assert message.text.endswith(f"(part {index + 1} of {len(messages)})")
        if index < len(messages) - 1:
            assert "Continued in the next message" in all_text([message])
        if index:
            assert f"continued: part {index + 1} of {len(messages)}" in all_text([message])
    text = all_text(messages)
    for n in range(120):
        assert f"Decision {n:03d}" in text
    for n in range(20):
        assert f"Blocker {n:03d}" in text
    # a 3,000-character blocker is split, not cut: every x is there
    assert text.count("x") >= 20 * 2980
    assert "(continued)" in text


def test_a_capacity_line_names_the_organisations_behind_its_worst_level(engine, programme):
    capacity(engine, MON, 3)
    capacity(engine, TUE, 4)
    capacity(engine, WED, 2)
    weeks = {s.service: s for s in digest(engine, programme).capacity}
    home = weeks["home_care"]
    assert (home.worst, home.worst_at) == (4, ("Home Carers Ltd",))
    assert "Home care: worst this week 4 (Home Carers Ltd), latest 2" in to_markdown(digest(engine, programme))
