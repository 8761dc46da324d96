"""The leads' daily brief: which day it covers, what it says, and whose voice it carries.
On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import select

from bot.common.calendar import local_instant
from bot.programme.loader import load_path
from bot.reports.brief import Brief, compose_brief
from bot.reports.markdown import to_markdown
from bot.risks.changes import change_status
from bot.risks.register import raise_risk
from handlers.slack.blocks.brief import brief_messages
from handlers.slack.blocks.limits import check_message
from models.db import session_scope
from models.tables import CapacityReport, CheckIn, Member, Organisation, Programme, Scheme, SpendReport

PROGRAMME = Path(__file__).with_name("fixtures") / "checkin.yaml"
LEAD, BOB, CAROL, DEV = "U0TEST0001", "U0TEST0002", "U0TEST0003", "U0TEST0004"
THU, FRI, MON = date(2027, 1, 7), date(2027, 1, 8), date(2027, 1, 11)
NHS = "943 476 5919"  # a valid NHS number (DOMAIN.md)


def at(day: date, hh: int, mm: int = 0) -> datetime:
    return local_instant(day, time(hh, mm))


@pytest.fixture
def programme(engine) -> Programme:
    load_path(engine, PROGRAMME)
    with session_scope(engine) as session:
        return session.exec(select(Programme)).one()


def member(session, user_id: str) -> Member:
    return session.exec(select(Member).where(Member.platform_user_id == user_id)).one()


def organisation(session, key: str) -> Organisation:
    return session.exec(select(Organisation).where(Organisation.key == key)).one()


def check_in(
    engine,
    user_id: str,
    day: date,
    *,
    blockers: str | None = None,
    comment: str | None = None,
    hh: int = 10,
    supersedes: int | None = None,
) -> int:
    """Stored as given: free text is not redacted here, to show the brief redacts again."""
    with session_scope(engine) as session:
        m = member(session, user_id)
        row = CheckIn(
            programme_id=m.programme_id,
            member_id=m.id,
            organisation_id=m.organisation_id,
            local_date=day,
            blockers=blockers,
            comment=comment,
            supersedes_id=supersedes,
            submitted_at=at(day, hh),
        )
        session.add(row)
        session.flush()
        return row.id


def capacity(engine, day: date, level: int, org: str = "carers", service: str = "home_care") -> None:
    with session_scope(engine) as session:
        o = organisation(session, org)
        session.add(
            CapacityReport(
                programme_id=o.programme_id,
                organisation_id=o.id,
                service=service,
                local_date=day,
                level=level,
                reported_at=at(day, 10),
            )
        )


def spend(engine, day: date, actual: str, committed: str, scheme: str = "hours") -> None:
    with session_scope(engine) as session:
        s = session.exec(select(Scheme).where(Scheme.key == scheme)).one()
        session.add(
            SpendReport(
                programme_id=s.programme_id,
                scheme_id=s.id,
                local_date=day,
                actual=Decimal(actual),
                committed=Decimal(committed),
                activity=Decimal(0),
                reported_at=at(day, 10),
            )
        )


def brief(engine, programme: Programme, today: date) -> Brief:
    with session_scope(engine) as session:
        return compose_brief(session, session.get(Programme, programme.id), today)


def all_text(messages) -> str:
    """The fallback and every block's text of SlackMessages, or of chat.postMessage calls."""
    out = []
    for m in messages:
        text, blocks = (m.text, m.blocks) if hasattr(m, "blocks") else (m["text"], m["blocks"])
        out.append(text)
        for block in blocks:
            if isinstance(block.get("text"), dict):
                out.append(block["text"]["text"])
            out += [e.get("text", "") for e in block.get("elements", [])]
    return "\n".join(out)


# -- which day -------------------------------------------------------------------------------------


def test_monday_covers_friday(engine, programme):
    check_in(engine, BOB, FRI)
    check_in(engine, CAROL, THU)
    b = brief(engine, programme, MON)
    assert b.day == FRI
    assert (b.checkins.answered, b.checkins.expected) == (1, 3)
    community = next(s for s in b.checkins.by_sector if s.sector == "community")
    assert (community.answered, community.expected) == (1, 3)
    assert b.checkins.not_heard_from == ("Healthwatch",)


def test_the_brief_after_christmas_covers_christmas_eve(engine, programme):
    # Fri 25 Dec and Mon 28 Dec 2026 are bank holidays
    assert brief(engine, programme, date(2026, 12, 29)).day == date(2026, 12, 24)
    assert brief(engine, programme, date(2027, 1, 4)).day == date(2026, 12, 31)  # Fri 1 Jan too


# -- what it says ----------------------------------------------------------------------------------


def test_money_then_against_the_day_before(engine, programme):
    spend(engine, THU, "1000", "500")
    spend(engine, FRI, "1800", "300")
    m = brief(engine, programme, MON).money
    assert (m.actual, m.actual_before, m.actual_change) == (Decimal("1800"), Decimal("1000"), Decimal("800"))
    assert m.committed_change == Decimal("-200")
    assert m.allocated_total == Decimal("400000") and m.working_days_left > 0


def test_capacity_changes_up_and_down(engine, programme):
    capacity(engine, THU, 2)
    capacity(engine, FRI, 3)
    capacity(engine, THU, 3, service="reablement")
    capacity(engine, FRI, 1, service="reablement")
    capacity(engine, FRI, 2, org="carers", service="gp")  # first report: not a change
    changes = brief(engine, programme, MON).capacity
    assert [(c.service, c.level_from, c.level_to, c.worse) for c in changes] == [
        ("home_care", 2, 3, True),
        ("reablement", 3, 1, False),
    ]
    assert changes[0].organisation == "Home Carers Ltd"


def test_risks_new_and_changed_since_the_last_brief(engine, programme):
    with session_scope(engine) as session:
        owner = organisation(session, "carers").id
        old = raise_risk(session, programme.id, "capacity", "a", "Old risk", None, "high", owner, at(THU, 15))
        raise_risk(session, programme.id, "capacity", "b", "Quiet risk", None, "medium", owner, at(THU, 15))
        raise_risk(session, programme.id, "capacity", "c", "New risk", None, "critical", owner, at(FRI, 15))
        change_status(session, old.risk_id, member(session, LEAD), "acknowledge", None, at(FRI, 16))
    risks = brief(engine, programme, MON).risks
    assert [(r.title, r.new, r.critical_now) for r in risks] == [("New risk", True, True), ("Old risk", False, False)]
    assert risks[1].actions == ("acknowledged",) and risks[1].owner == "Home Carers Ltd"
    assert risks[1].said == ("acknowledged by Alice Lead (Council)",)
    # Monday's brief covered Friday to Sunday; Tuesday's starts on Monday
    assert brief(engine, programme, date(2027, 1, 12)).risks == ()


def test_partner_voice_is_community_only_and_attributed(engine, programme):
    check_in(engine, BOB, FRI, blockers="No drivers on the east side", comment="Two carers off sick")
    check_in(engine, DEV, FRI, comment="Families tell us discharge letters arrive late")
    check_in(engine, LEAD, FRI, comment="Council budget meeting moved")  # statutory: not partner voice
    check_in(engine, CAROL, THU, comment="Yesterday's words")  # not the day
    voice = brief(engine, programme, MON).voice
    assert [(q.text, q.label, q.organisations) for q in voice] == [
        ("No drivers on the east side", "blockers", ("Home Carers Ltd",)),  # blockers first
        ("Families tell us discharge letters arrive late", "comment", ("Healthwatch",)),  # then newest first
        ("Two carers off sick", "comment", ("Home Carers Ltd",)),
    ]
    text = all_text(brief_messages(brief(engine, programme, MON)))
    assert "Council budget meeting" not in text and "Yesterday's words" not in text
    assert ">No drivers on the east side" in text  # quoted
    assert "— *Home Carers Ltd*, blockers" in text and "— *Healthwatch*, comment" in text


def test_an_amended_checkin_speaks_once_and_repeated_blockers_once(engine, programme):
    first = check_in(engine, BOB, FRI, comment="First draft", hh=10)
    check_in(engine, BOB, FRI, comment="Amended words", hh=11, supersedes=first)
    check_in(engine, CAROL, FRI, blockers="No drivers", hh=12)
    check_in(engine, BOB, FRI, blockers="no  drivers", hh=9)  # the same blocker, said earlier: once
    voice = brief(engine, programme, MON).voice
    assert [(q.text, q.label) for q in voice] == [("No drivers", "blockers"), ("Amended words", "comment")]


def test_nhs_numbers_never_appear(engine, programme):
    check_in(engine, BOB, FRI, blockers=f"Waiting on equipment for {NHS}", comment="Patient 9434765919 home")
    b = brief(engine, programme, MON)
    for text in (str(b.voice), to_markdown(b), all_text(brief_messages(b))):
        assert NHS not in text and "9434765919" not in text
    assert "equipment for" in to_markdown(b)


def test_markdown_and_block_kit(engine, programme):
    capacity(engine, THU, 2)
    capacity(engine, FRI, 4)
    check_in(engine, BOB, FRI, comment="Busy & stretched <b>")
    b = brief(engine, programme, MON)
    markdown = to_markdown(b)
    for heading in (
        "# Daily brief: Test fund",
        "## Check-ins on Fri 08 Jan",
        "## Money",
        "## Capacity changes",
        "## Risks new or changed",
        "## Partner voice",
    ):
        assert heading in markdown
    assert "> Busy & stretched <b>" in markdown
    messages = brief_messages(b)
    assert len(messages) == 1
    check_message(messages[0].blocks)
    text = all_text(messages)
    assert "Busy &amp; stretched &lt;b&gt;" in text and "home care up from level 2 to 4" in text.lower()


def test_a_brief_quotes_a_few_partners_whole_and_counts_the_rest(engine, programme):
    for n in range(60):
        check_in(engine, BOB if n % 2 else DEV, FRI, comment=f"Comment {n:02d} " + "words " * 450, hh=8 + n % 10)
    b = brief(engine, programme, MON)
    messages = brief_messages(b)
    for message in messages:
        check_message(message.blocks)
    text = all_text(messages)
    quoted = [n for n in range(60) if f"Comment {n:02d}" in text]
    assert 1 <= len(quoted) <= 3
    assert text.count("words") == 450 * len(quoted)  # each quote whole, however long
    rest = f"{60 - len(quoted)} more quotes not shown"
    assert rest in text and rest in to_markdown(b)


def test_the_change_in_spend_is_said_since_the_day_before_not_on_it(engine, programme):
    spend(engine, THU, "1000", "500")
    spend(engine, FRI, "1800", "300")
    said = to_markdown(brief(engine, programme, MON))
    assert f"Spent £1,800 (+£800 since {THU:%a %d %b})" in said
    assert " on Thu" not in said.split("Spent", 1)[1].split("\n", 1)[0]


def test_a_risk_reworded_by_the_scan_is_not_news_but_its_severity_status_or_owner_is(engine, programme):
    with session_scope(engine) as session:
        owner, council = organisation(session, "carers").id, organisation(session, "council").id
        for subject, severity in (("a", "high"), ("b", "medium"), ("c", "low")):
            raise_risk(
                session, programme.id, "rule", subject, f"Risk {subject}", "Figures", severity, owner, at(THU, 15)
            )
        raise_risk(session, programme.id, "rule", "a", "Risk a, reworded", "New figures", "high", owner, at(FRI, 9))
        raise_risk(session, programme.id, "rule", "b", "Risk b", "New figures", "high", owner, at(FRI, 9))
        c = raise_risk(session, programme.id, "rule", "c", "Risk c", "Figures", "low", owner, at(THU, 15))
        change_status(session, c.risk_id, member(session, LEAD), "assign", None, at(FRI, 10), council)
    b = brief(engine, programme, MON)
    assert [(r.title, r.said) for r in b.risks] == [
        ("Risk b", ("severity medium → high",)),
        ("Risk c", ("assigned to Council",)),
    ]
    assert "- Risk b (high): severity medium → high\n- Risk c (low): assigned to Council\n" in to_markdown(b)


def test_a_service_gone_critical_leads_the_brief_saying_its_level(engine, programme):
    capacity(engine, THU, 3)
    capacity(engine, FRI, 4)
    with session_scope(engine) as session:
        owner = organisation(session, "carers").id
        title = "Home Carers Ltd: home care at level {}"
        raise_risk(
            session, programme.id, "capacity", "carers:home_care", title.format(3), None, "high", owner, at(THU, 15)
        )
        raise_risk(
            session, programme.id, "capacity", "carers:home_care", title.format(4), None, "critical", owner, at(FRI, 15)
        )
    b = brief(engine, programme, MON)
    assert [(r.critical_now, r.said) for r in b.risks] == [(True, ("level 3 → 4",))]
    markdown = to_markdown(b)
    needs = markdown.split("## Needs you\n\n")[1].split("\n\n")[0]
    assert needs.startswith("- Home Carers Ltd: home care at level 4 (critical): level 3 → 4\n")
    assert "Capacity changes\n\nEach change is said with its risk." in markdown  # not twice
    assert "up from level 3 to 4" not in all_text(brief_messages(b))
