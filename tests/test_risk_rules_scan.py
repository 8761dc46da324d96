"""The risk rules on SQLite and PostgreSQL: no rules on a day off, no NHS number in a risk, a fixed
handful of queries and statements, and runs and silences longer than the recent weeks."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from risk_rules_support import (
    WED_16_DEC,
    D,
    at,
    by_rule,
    capacity,
    keep_reporting,
    loaded,  # noqa: F401 (fixtures)
    member,
    programme_session,
)
from sqlalchemy import event
from sqlmodel import Session, select

from bot.common.redact import REPLACEMENT
from bot.risks.scan import findings, scan
from models.tables import Programme, Risk

# --- days with no rules, and no NHS number ------------------------------------------------------------


@pytest.mark.parametrize("today", [D(2026, 12, 19), D(2026, 12, 25), D(2026, 12, 28), D(2027, 4, 1)])
def test_nothing_on_a_day_off_or_after_the_deadline(loaded, today):
    with programme_session(loaded) as (session, programme):
        capacity(session, "brightside", "home_care", today - timedelta(days=1), 4)
        assert findings(session, programme, today) == []
        result = scan(session, programme, at(today))
        assert (result.new, result.updated, result.unchanged, result.raised) == (0, 0, 0, ())


def test_a_name_with_an_nhs_number_never_reaches_the_register(loaded):
    with programme_session(loaded) as (session, programme):
        bob = member(session, "U0RULE0002")
        bob.name = "Bob 943 476 5919"
        session.add(bob)
        session.flush()
        result = scan(session, programme, at(WED_16_DEC))
        raised = [r for f, r in result.outcomes if f.subject == f"member:{bob.id}"]
        assert len(raised) == 1 and raised[0].redactions == 2  # the title and the detail
        risk = session.get(Risk, raised[0].risk_id)
        assert "943 476 5919" not in risk.title + (risk.detail or "")
        assert risk.title == f"Bob {REPLACEMENT} (Brightside Home Care) has not checked in"


# --- a fixed handful of queries ---------------------------------------------------------------------


def queries(engine, today: date) -> int:
    statements: list[str] = []

    def count(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    with programme_session(engine) as (session, programme):
        event.listen(engine, "before_cursor_execute", count)
        try:
            findings(session, programme, today)
        finally:
            event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def test_the_number_of_queries_does_not_grow_with_days_or_organisations(loaded):
    with programme_session(loaded) as (session, _):
        capacity(session, "brightside", "home_care", D(2026, 12, 8), 3, {"discharges": "3"})
        capacity(session, "surgery", "gp", D(2026, 12, 8), 3)
    few = queries(loaded, D(2026, 12, 9))
    with programme_session(loaded) as (session, _):
        day = D(2026, 12, 9)
        while day <= D(2027, 1, 8):
            for key, service in [("brightside", "home_care"), ("surgery", "gp"), ("nurses", "community_nursing")]:
                capacity(session, key, service, day, 3, {"discharges": str(day.day)})
            day += timedelta(days=1)
    many = queries(loaded, D(2027, 1, 8))
    # seven for the spend flags, two to find when a run began, two for the first prompt, one for blockers
    assert many == few <= 18


# --- cost that follows the recent weeks ----------------------------------------------------------


def test_a_run_longer_than_the_lookback_still_says_when_it_began(loaded):
    """The capacity rule reads the last weeks first; a run that began before them is followed
    back through the whole history, so the detail names its real first day."""
    with programme_session(loaded) as (session, programme):
        capacity(session, "brightside", "home_care", D(2026, 12, 8), 2)
        day = D(2026, 12, 9)
        while day <= D(2027, 2, 26):
            capacity(session, "brightside", "home_care", day, 3)
            day += timedelta(days=1)
        found = by_rule(findings(session, programme, D(2027, 2, 26)), "capacity")
    assert "since Wed 9 Dec 2026" in found["brightside:home_care"].detail


def test_a_run_broken_within_the_lookback_starts_after_the_break(loaded):
    with programme_session(loaded) as (session, programme):
        day = D(2026, 12, 8)
        while day <= D(2027, 2, 26):
            capacity(session, "brightside", "home_care", day, 2 if day == D(2027, 2, 10) else 3)
            day += timedelta(days=1)
        found = by_rule(findings(session, programme, D(2027, 2, 26)), "capacity")
    assert "since Thu 11 Feb 2027" in found["brightside:home_care"].detail


def test_a_service_silent_for_months_is_named_with_its_last_report(loaded):
    """Reports from before the rules' window still date a long silence."""
    with programme_session(loaded) as (session, programme):
        capacity(session, "surgery", "gp", D(2026, 12, 9), 2)
        found = by_rule(findings(session, programme, D(2027, 2, 26)), "silent_service")
    assert "since Wed 9 Dec 2026" in found["surgery:gp"].detail


def test_worsening_after_a_silence_compares_with_the_last_level_before_it(loaded):
    with programme_session(loaded) as (session, programme):
        keep_reporting(session, D(2027, 2, 26), but={"brightside:home_care"})
        capacity(session, "brightside", "home_care", D(2026, 12, 9), 1)
        capacity(session, "brightside", "home_care", D(2027, 2, 26), 2)
        found = by_rule(findings(session, programme, D(2027, 2, 26)), "capacity_worsening")
    assert "up from level 1" in found["brightside:home_care"].detail


def statements_of(engine, work) -> list[str]:
    seen: list[str] = []

    def count(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        with programme_session(engine) as (session, programme):
            work(session, programme)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return seen


def test_raising_many_risks_takes_a_fixed_handful_of_statements(loaded):
    """The first scan inserts every new risk together; a scan that changes nothing writes nothing."""

    def scanned(session: Session, programme: Programme) -> None:
        scan(session, programme, at(D(2027, 1, 20)))

    first = statements_of(loaded, scanned)
    again = statements_of(loaded, scanned)
    with programme_session(loaded) as (session, _):
        risks = session.exec(select(Risk)).all()
    assert len(risks) >= 5, "the silent services and partners of the whole programme are raised"
    writes = [s for s in first if s.lstrip().upper().startswith(("INSERT", "UPDATE"))]
    assert len(writes) <= 3, [w[:60] for w in writes]
    assert not [s for s in again if s.lstrip().upper().startswith(("INSERT", "UPDATE"))]
    assert len(again) == len(first) - len(writes) - sum(1 for s in first if "SAVEPOINT" in s.upper())
