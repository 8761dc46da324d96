"""What the tests of the check-in against a real database share: the check-in programme loaded,
its people, and helpers that build a form, answer it, submit it and read the rows back."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import col, select

from bot.checkin import (
    CheckinForm,
    CheckinResult,
    Refusal,
    Rejected,
    build_form,
    checkin_no_change,
    scheme_key,
    service_key,
    submit_checkin,
)
from bot.programme.loader import load_path
from models.db import session_scope
from models.tables import Member

PROGRAMME = Path(__file__).with_name("fixtures") / "checkin.yaml"
BOB, CAROL, LEAD, WATCHER, OBSERVER = "U0TEST0002", "U0TEST0003", "U0TEST0001", "U0TEST0004", "U0TEST0005"
UTC = UTC
MONDAY = datetime(2027, 1, 4, 10, 0, tzinfo=UTC)
ON_MONDAY = MONDAY.date()
TUESDAY = MONDAY + timedelta(days=1)


@pytest.fixture
def db(engine):
    load_path(engine, PROGRAMME)
    return engine


def member(session, user_id: str) -> Member:
    return session.exec(select(Member).where(Member.platform_user_id == user_id)).one()


def form_for(db, user_id: str, day: date = ON_MONDAY) -> CheckinForm:
    with session_scope(db) as session:
        return build_form(session, member(session, user_id), day)


def keys(form: CheckinForm) -> dict[str, int]:
    return {s.name: s.id for s in form.schemes}


def answers(form: CheckinForm, hours=("£12,500", "£3,000", "400"), staff=("20k", "0", "4"), levels=("2", "1"), **extra):
    ids = keys(form)
    found = {}
    for name, figures in (("Home care hours", hours), ("Care workers recruited", staff)):
        for figure, typed in zip(("actual", "committed", "activity"), figures, strict=False):
            found[scheme_key(ids[name], figure)] = typed
    found[service_key("home_care")], found[service_key("reablement")] = levels
    return found | extra


def submit(db, user_id: str, typed: dict, now: datetime = MONDAY) -> CheckinResult | Rejected | Refusal:
    with session_scope(db) as session:
        return submit_checkin(session, "slack", user_id, None, typed, now)


def stored(db, user_id: str, typed: dict, now: datetime = MONDAY) -> CheckinResult:
    outcome = submit(db, user_id, typed, now)
    assert isinstance(outcome, CheckinResult), outcome
    return outcome


def rows(db, model, *where):
    with session_scope(db) as session:
        return session.exec(select(model).where(*where).order_by(col(model.id))).all()


def _no_change(db, user_id: str, now: datetime) -> CheckinResult:
    with session_scope(db) as session:
        outcome = checkin_no_change(session, "slack", user_id, None, now)
    assert isinstance(outcome, CheckinResult), outcome
    return outcome
