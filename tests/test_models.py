from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import StatementError
from sqlmodel import SQLModel, select

from models import Programme, Tranche, migrate, session_scope


def _programme(**kw) -> Programme:
    values = {
        "slug": "vale",
        "name": "Vale",
        "deadline": date(2027, 3, 31),
        "channel": "C1",
        "checkin_time": time(9, 30),
        "reminder_time": time(14),
        "brief_time": time(8, 30),
        "digest_time": time(15),
    }
    values.update(kw)
    return Programme(**values)


def test_migrations_match_the_tables(engine):
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == []


def test_migrating_twice_is_harmless(engine):
    migrate(engine)
    with engine.connect() as conn:
        assert conn.execute(text("select version_num from alembic_version")).scalar() == "0009"


def test_money_round_trips_to_the_penny_as_integer_pence(engine):
    with session_scope(engine) as session:
        programme = _programme()
        session.add(programme)
        session.flush()
        session.add(
            Tranche(
                programme_id=programme.id,
                key="t1",
                name="First",
                amount=Decimal("1234567.89"),
                funding_source="icb_allocation",
                announced_on=date(2026, 11, 16),
                available_on=date(2026, 12, 7),
            )
        )
    with engine.connect() as conn:
        assert conn.execute(text("select amount from tranche")).scalar() == 123456789
    with session_scope(engine) as session:
        tranche = session.exec(select(Tranche)).one()
        assert tranche.amount == Decimal("1234567.89")
        assert isinstance(tranche.amount, Decimal)


def test_money_refuses_floats_and_fractions_of_a_penny(engine):
    for bad in (1.5, Decimal("0.001")):
        with pytest.raises(StatementError), session_scope(engine) as session:
            programme = _programme(slug=f"p{id(bad)}")
            session.add(programme)
            session.flush()
            session.add(
                Tranche(
                    programme_id=programme.id,
                    key="t",
                    name="t",
                    amount=bad,
                    funding_source="other",
                    announced_on=date(2026, 11, 16),
                    available_on=date(2026, 12, 7),
                )
            )


def test_instants_come_back_aware_in_utc(engine):
    summer = datetime(2027, 3, 30, 9, 30, tzinfo=timezone(timedelta(hours=1)))
    with session_scope(engine) as session:
        session.add(_programme(created_at=summer))
    with session_scope(engine) as session:
        stored = session.exec(select(Programme)).one().created_at
    assert stored.tzinfo is not None
    assert stored.utcoffset() == timedelta(0)
    assert stored == summer
    assert stored.hour == 8


def test_naive_datetimes_are_refused(engine):
    with pytest.raises(StatementError, match="naive"), session_scope(engine) as session:
        session.add(_programme(created_at=datetime(2026, 12, 1, 9, 30)))
    with session_scope(engine) as session:
        assert session.exec(select(Programme)).all() == []


def test_a_read_scope_reads_what_others_committed_without_a_transaction_of_its_own(engine):
    from models.db import read_scope

    with session_scope(engine) as session:
        session.add(
            Programme(
                slug="read-me",
                name="Read me",
                deadline=date(2027, 3, 31),
                channel="C0READ",
                checkin_time=time(9, 30),
                reminder_time=time(14),
                brief_time=time(8, 30),
                digest_time=time(15),
            )
        )
    with read_scope(engine) as session:
        autocommit = session.connection().get_execution_options().get("isolation_level") == "AUTOCOMMIT"
        assert autocommit == (engine.dialect.name == "postgresql")  # SQLite's driver begins nothing to read
        assert [p.slug for p in session.exec(select(Programme))] == ["read-me"]
    with engine.connect() as connection:  # the pool's connection is given back as it was
        assert "isolation_level" not in connection.get_execution_options()
        assert not connection.in_transaction()
