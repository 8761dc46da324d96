"""What the risk rules' tests share: the rules programme loaded, a session on it, and helpers that
record capacity reports and check-ins on winter days."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
from sqlmodel import Session, select

from bot.programme.loader import load_path
from bot.risks.register import Finding
from models.db import session_scope
from models.tables import CapacityReport, CheckIn, Member, Organisation, Programme

PROGRAMME = Path(__file__).with_name("fixtures") / "rules.yaml"
D = date
START = D(2026, 12, 7)  # the money lands on a Monday


@pytest.fixture
def loaded(engine):
    load_path(engine, PROGRAMME)
    return engine


@contextmanager
def programme_session(engine) -> Iterator[tuple[Session, Programme]]:
    with session_scope(engine) as session:
        yield session, session.exec(select(Programme).where(Programme.slug == "rules-fund")).one()


def org(session: Session, key: str) -> Organisation:
    return session.exec(select(Organisation).where(Organisation.key == key)).one()


def member(session: Session, user_id: str) -> Member:
    return session.exec(select(Member).where(Member.platform_user_id == user_id)).one()


def at(day: date, hour: int = 15, minute: int = 0) -> datetime:
    """An instant on a winter day (London is on GMT then, so UTC is local time)."""
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


def capacity(
    session: Session,
    org_key: str,
    service: str,
    day: date,
    level: int,
    measures: dict[str, str] | None = None,
    minute: int = 0,
    reported: datetime | None = None,
) -> None:
    o = org(session, org_key)
    session.add(
        CapacityReport(
            programme_id=o.programme_id,
            organisation_id=o.id,
            service=service,
            local_date=day,
            level=level,
            measures=measures or {},
            reported_at=reported or at(day, 10, minute),
        )
    )
    session.flush()


def checkin(session: Session, user_id: str, day: date) -> None:
    m = member(session, user_id)
    session.add(
        CheckIn(
            programme_id=m.programme_id,
            member_id=m.id,
            organisation_id=m.organisation_id,
            local_date=day,
            submitted_at=at(day, 10),
        )
    )
    session.flush()


def thresholds(session: Session, programme: Programme, **values: int) -> None:
    programme.settings = {**programme.settings, "thresholds": {**programme.settings.get("thresholds", {}), **values}}
    session.add(programme)
    session.flush()


def by_rule(found: list[Finding], rule: str) -> dict[str, Finding]:
    return {f.subject: f for f in found if f.rule == rule}


def keep_reporting(session: Session, today: date, *, but: set[str] = frozenset()) -> None:
    """Every listed service reports level 1 today, so nothing is silent but what a test says."""
    for o in session.exec(select(Organisation)).all():
        for service in o.services:
            if f"{o.key}:{service}" not in but:
                capacity(session, o.key, service, today, 1, minute=1)


WED_16_DEC = D(2026, 12, 16)


MON_4_JAN = D(2027, 1, 4)
