"""The lead's one screen on SQLite and PostgreSQL: money from the ledger, the capacity grid's latest
level and staleness over the New Year bank holiday, open risks by severity, quiet partners, today's
check-ins, and a number of statements that does not grow with the programme."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlmodel import select

from bot.programme.loader import load_path
from bot.reports.status import StatusScreen, status_screen
from bot.risks.changes import change_status
from bot.risks.register import raise_risk
from models.db import session_scope
from models.tables import CapacityReport, CheckIn, Member, Organisation, Programme, Scheme, SpendReport
from models.vocabulary import Severity

PROGRAMME = Path(__file__).with_name("fixtures") / "leads.yaml"
UTC = UTC
NOW = datetime(2027, 1, 6, 10, 0, tzinfo=UTC)  # Wednesday 6 January 2027, 10:00 in London
D = date


def _org(session, key: str, programme_id: int | None = None) -> Organisation:
    query = select(Organisation).where(Organisation.key == key)
    if programme_id is not None:
        query = query.where(Organisation.programme_id == programme_id)
    return session.exec(query).one()


def _member(session, user_id: str) -> Member:
    return session.exec(select(Member).where(Member.platform_user_id == user_id)).one()


def _capacity(session, org: Organisation, service: str, day: date, level: int) -> None:
    session.add(
        CapacityReport(
            programme_id=org.programme_id, organisation_id=org.id, service=service, local_date=day, level=level
        )
    )
    session.flush()


def _checkin(session, member: Member, day: date) -> None:
    session.add(
        CheckIn(
            programme_id=member.programme_id,
            member_id=member.id,
            organisation_id=member.organisation_id,
            local_date=day,
        )
    )


@pytest.fixture
def db(engine):
    load_path(engine, PROGRAMME)
    with session_scope(engine) as s:
        programme = s.exec(select(Programme)).one()
        carers, surgery, trust = _org(s, "carers"), _org(s, "surgery"), _org(s, "trust")
        # Home care: 2 before Christmas, then 3 and (amended, a later row) 4 on 5 Jan; a row dated
        # tomorrow is not read today.
        _capacity(s, carers, "home_care", D(2026, 12, 21), 2)
        _capacity(s, carers, "home_care", D(2027, 1, 5), 3)
        _capacity(s, carers, "home_care", D(2027, 1, 5), 4)
        _capacity(s, carers, "home_care", D(2027, 1, 7), 1)
        # Reablement last reported 30 Dec: 31 Dec, 4 and 5 Jan since: three working days, stale.
        _capacity(s, carers, "reablement", D(2026, 12, 30), 2)
        # GP last reported 31 Dec: 1 Jan is a bank holiday, so two working days: fresh.
        _capacity(s, surgery, "gp", D(2026, 12, 31), 3)
        _capacity(s, trust, "acute_discharge", D(2027, 1, 6), 1)
        # Community nursing never reported.
        hours = s.exec(select(Scheme).where(Scheme.key == "hours")).one()
        beds = s.exec(select(Scheme).where(Scheme.key == "beds")).one()
        for scheme, actual, committed in ((hours, "12000", "3000"), (beds, "30000.50", "0")):
            s.add(
                SpendReport(
                    programme_id=programme.id,
                    scheme_id=scheme.id,
                    local_date=D(2027, 1, 4),
                    actual=Decimal(actual),
                    committed=Decimal(committed),
                    activity=Decimal("10"),
                )
            )
        # Check-ins: Tom and Nia today, Bob last on 29 Dec, Vic never; Gita away; Carol archived.
        for user_id, day in (
            ("U0PART0001", D(2027, 1, 6)),
            ("U0PART0005", D(2027, 1, 6)),
            ("U0PART0005", D(2027, 1, 5)),
            ("U0PART0002", D(2026, 12, 29)),
            ("U0PART0004", D(2027, 1, 5)),
            ("U0PART0001", D(2027, 1, 5)),
        ):
            _checkin(s, _member(s, user_id), day)
        _member(s, "U0PART0004").away_until = D(2027, 1, 11)
        _member(s, "U0PART0003").archived_at = datetime(2026, 12, 24, tzinfo=UTC)
        # Risks: a critical, two high (one older), a low, and a closed one that is not shown.
        raised = datetime(2026, 12, 22, 10, tzinfo=UTC)
        raise_risk(
            s,
            programme.id,
            "capacity_level",
            "carers:home_care",
            "Home care at level 4",
            None,
            Severity.CRITICAL,
            carers.id,
            NOW,
        )
        raise_risk(
            s, programme.id, "capacity_level", "surgery:gp", "GP at level 3", None, Severity.HIGH, surgery.id, NOW
        )
        raise_risk(s, programme.id, "manual", "older", "Older high risk", None, Severity.HIGH, None, raised)
        raise_risk(s, programme.id, "manual", "low", "A low one", None, Severity.LOW, None, NOW)
        closed = raise_risk(s, programme.id, "manual", "gone", "Closed", None, Severity.CRITICAL, None, raised)
        change_status(s, closed.risk_id, _member(s, "U0LEAD0001"), "close", "Done", NOW)
    return engine


def _screen(db, now=NOW, slug: str | None = None) -> StatusScreen:
    with session_scope(db) as s:
        query = select(Programme)
        if slug:
            query = query.where(Programme.slug == slug)
        return status_screen(s, s.exec(query).one(), now)


def test_money_panel(db):
    money = _screen(db).money
    assert money.actual == Decimal("42000.50")
    assert money.committed == Decimal("3000.00")
    assert money.commitment == Decimal("45000.50")
    assert money.allocated_so_far == Decimal("300000")  # the ICB tranche lands on 11 Jan
    assert money.allocated_total == Decimal("500000")
    assert money.deadline == D(2027, 3, 31)
    assert money.working_days_left > 50
    assert money.outturn_recent >= money.actual
    assert any(flag.rule == "underspend_risk" for flag in money.flags)


def test_capacity_grid_latest_level_and_staleness(db):
    screen = _screen(db)
    grid = screen.capacity
    assert grid.stale_after_working_days == 3
    # Organisations without services have no row; the columns follow the file's order.
    assert [row.name for row in grid.rows] == [
        "Vale Hospital",
        "Home Carers Ltd",
        "Riverside Surgery",
        "Community Nurses",
    ]
    assert grid.services == ("acute_discharge", "home_care", "reablement", "gp", "community_nursing")
    carers = grid.rows[1]
    home_care, reablement = carers.cells
    assert (home_care.label, home_care.level, home_care.reported_on, home_care.stale) == (
        "Home care",
        4,
        D(2027, 1, 5),
        False,
    )
    assert home_care.wording.startswith("Pressure continues to escalate")
    assert (reablement.level, reablement.reported_on, reablement.working_days_old, reablement.stale) == (
        2,
        D(2026, 12, 30),
        3,
        True,
    )
    assert carers.worst == 4
    gp = grid.rows[2].cells[0]
    assert (gp.level, gp.working_days_old, gp.stale) == (3, 2, False)
    nursing = grid.rows[3].cells[0]
    assert (nursing.level, nursing.reported_on, nursing.stale) == (None, None, True)
    assert grid.rows[0].cells[0].working_days_old == 0
    with session_scope(db) as s:
        assert grid.cell(_org(s, "surgery").id, "gp") == gp
    # A day later, the GP report (31 Dec) is three working days old: stale.
    later = _screen(db, now=datetime(2027, 1, 7, 10, tzinfo=UTC)).capacity
    assert (later.rows[2].cells[0].working_days_old, later.rows[2].cells[0].stale) == (3, True)
    assert later.rows[1].cells[0].level == 1  # the row dated 7 Jan is read on 7 Jan
    # The weekend does not age a report: on Monday 11 Jan the 7 Jan one has missed Friday only.
    monday = _screen(db, now=datetime(2027, 1, 11, 10, tzinfo=UTC)).capacity
    assert (monday.rows[1].cells[0].working_days_old, monday.rows[1].cells[0].stale) == (1, False)


def test_open_risks_by_severity(db):
    risks = _screen(db).risks
    assert risks.by_severity == ((Severity.CRITICAL, 1), (Severity.HIGH, 2), (Severity.MEDIUM, 0), (Severity.LOW, 1))
    assert risks.total == 4
    assert [r.title for r in risks.top] == ["Home care at level 4", "Older high risk", "GP at level 3", "A low one"]


def test_quiet_and_today(db):
    screen = _screen(db)
    assert screen.quiet_after_working_days == 3
    # Vic never answered; Bob last answered 29 Dec. Gita is away, Carol archived.
    assert [(q.name, q.last_check_in) for q in screen.quiet] == [
        ("Vic Volunteer", None),
        ("Bob Carer", D(2026, 12, 29)),
    ]
    today = screen.checkins_today
    # Prompted today: Tom, Bob, Nia, Vic; Tom and Nia have answered.
    assert (today.local_date, today.working_day, today.expected, today.answered) == (D(2027, 1, 6), True, 4, 2)
    saturday = _screen(db, now=datetime(2027, 1, 9, 10, tzinfo=UTC)).checkins_today
    assert (saturday.working_day, saturday.expected, saturday.answered) == (False, 0, 0)
    new_year = _screen(db, now=datetime(2027, 1, 1, 10, tzinfo=UTC)).checkins_today
    assert (new_year.working_day, new_year.expected) == (False, 0)


def test_local_date_decides_today(db):
    # 23:30 UTC on 5 Jan is still 5 Jan in London.
    screen = _screen(db, now=datetime(2027, 1, 5, 23, 30, tzinfo=UTC))
    assert screen.today == D(2027, 1, 5)
    assert screen.checkins_today.answered == 3  # Tom, Nia and Gita (not yet away) answered on 5 Jan


# -- the number of statements does not grow with the programme -------------------------------


def _programme_yaml(slug: str, n: int) -> str:
    kinds = (("home_care", "[home_care, reablement]"), ("gp", "[gp]"), ("vcs", "[]"), ("local_authority", "[]"))
    lines = [
        "programme:",
        f"  slug: {slug}",
        f"  name: Fund {slug}",
        "  deadline: 2027-03-31",
        "  channel: C0SIZE",
        "  tranches:",
        "    - {key: la, name: LA grant, amount: 5000000, source: local_authority_grant, announced: 2026-11-16, available: 2026-12-21}",
        "organisations:",
    ]
    for i in range(n):
        kind, services = kinds[i % len(kinds)]
        lines.append(f"  - {{key: org{i}, name: Organisation {i}, kind: {kind}, services: {services}}}")
    lines.append("members:")
    lines.append(f"  - {{slack: U{slug.upper()}L, name: Lead, organisation: org3, role: lead}}")
    for i in range(n):
        lines.append(f"  - {{slack: U{slug.upper()}{i:03d}, name: Partner {i}, organisation: org{i}, role: partner}}")
    lines.append("schemes:")
    for i in range(n):
        lines.append(
            f"  - {{key: s{i}, name: Scheme {i}, owner: org{i}, type: home_care, source: local_authority_grant, "
            "budget: 50000, unit: hours, planned: 1000}"
        )
    return "\n".join(lines) + "\n"


def _seed_sized(engine, tmp_path, slug: str, n: int) -> None:
    path = tmp_path / f"{slug}.yaml"
    path.write_text(_programme_yaml(slug, n))
    load_path(engine, path)
    with session_scope(engine) as s:
        programme = s.exec(select(Programme).where(Programme.slug == slug)).one()
        organisations = s.exec(select(Organisation).where(Organisation.programme_id == programme.id)).all()
        members = s.exec(select(Member).where(Member.programme_id == programme.id, Member.role == "partner")).all()
        schemes = s.exec(select(Scheme).where(Scheme.programme_id == programme.id)).all()
        for i, member in enumerate(members):
            for day in (D(2026, 12, 21), D(2026, 12, 22), D(2027, 1, 4), D(2027, 1, 6))[: 1 + i % 4]:
                _checkin(s, member, day)
        for organisation in organisations:
            for service in organisation.services:
                _capacity(s, organisation, service, D(2027, 1, 4), 2)
        for scheme in schemes:
            for day, actual in ((D(2026, 12, 22), "100"), (D(2027, 1, 5), "900")):
                s.add(
                    SpendReport(
                        programme_id=programme.id,
                        scheme_id=scheme.id,
                        local_date=day,
                        actual=Decimal(actual),
                        committed=Decimal("50"),
                        activity=Decimal("5"),
                    )
                )
        for i in range(3):
            raise_risk(s, programme.id, "manual", f"r{i}", f"Risk {i}", None, Severity.HIGH, organisations[i].id, NOW)


def _statements(engine, slug: str) -> tuple[int, StatusScreen]:
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    with session_scope(engine) as s:
        programme = s.exec(select(Programme).where(Programme.slug == slug)).one()
        event.listen(engine, "before_cursor_execute", count)
        try:
            screen = status_screen(s, programme, NOW)
        finally:
            event.remove(engine, "before_cursor_execute", count)
    return len(seen), screen


def test_statement_count_does_not_grow_with_the_programme(engine, tmp_path):
    _seed_sized(engine, tmp_path, "small", 20)
    _seed_sized(engine, tmp_path, "large", 60)
    small, small_screen = _statements(engine, "small")
    large, large_screen = _statements(engine, "large")
    # The screens really are of different sizes...
    assert len(small_screen.capacity.rows) == 10 and len(large_screen.capacity.rows) == 30
    assert small_screen.checkins_today.expected == 20 and large_screen.checkins_today.expected == 60
    assert large_screen.money.actual == Decimal("54000.00")
    assert large_screen.risks.total == 3
    # ...read with the same, small number of statements.
    assert small == large
    assert small <= 16, small
