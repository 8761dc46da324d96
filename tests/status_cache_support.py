"""What the status cache's tests (test_status_cache*.py) share: the leads programme loaded on SQLite
or PostgreSQL, its people, a fixed Wednesday in January 2027, and helpers that find the programme
and its members, read its data version and record a check-in."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlmodel import Session, select

from bot.programme.file import parse_programme_file
from bot.programme.loader import load_path, load_programme
from bot.reports.leads_view import LEADS
from bot.views.status_cache import data_version
from models.db import session_scope
from models.tables import CheckIn, Member, Programme

PROGRAMME = Path(__file__).with_name("fixtures") / "leads.yaml"
UTC = UTC
NOW = datetime(2027, 1, 6, 10, 0, tzinfo=UTC)  # Wednesday 6 January 2027, 10:00 in London
TODAY = date(2027, 1, 6)
LEAD, BOB, TOM, OBSERVER = "U0LEAD0001", "U0PART0002", "U0PART0001", "U0OBSV0001"
LEADING = [role.value for role in LEADS]


@pytest.fixture
def db(engine):
    load_path(engine, PROGRAMME)
    return engine


def _programme(s: Session, slug: str = "leads-fund") -> Programme:
    return s.exec(select(Programme).where(Programme.slug == slug)).one()


def _member(s: Session, user_id: str, slug: str = "leads-fund") -> Member:
    programme = _programme(s, slug)
    return s.exec(select(Member).where(Member.platform_user_id == user_id, Member.programme_id == programme.id)).one()


def _version(engine) -> tuple:
    with session_scope(engine) as s:
        return data_version(s, _programme(s))


def _checkin(s: Session, user_id: str, day: date = TODAY, slug: str = "leads-fund") -> None:
    member = _member(s, user_id, slug)
    s.add(
        CheckIn(
            programme_id=member.programme_id,
            member_id=member.id,
            organisation_id=member.organisation_id,
            local_date=day,
        )
    )


def _second_programme(engine) -> None:
    """The same file under another slug, with its own members."""
    text = PROGRAMME.read_text().replace("slug: leads-fund", "slug: other-fund").replace("U0", "U9")
    load_programme(engine, parse_programme_file(text, "other.yaml"))
