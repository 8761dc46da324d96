"""The database of a load benchmark (status_load.py, peak.py): which ones to measure, a fresh
one, the risks the previous working day's scan left in it, and its programme's people (leads,
and partners with what their organisations last reported), read once before the servers start."""

from __future__ import annotations

import itertools
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from benchmarks.load_servers import SetupError


def databases_to_measure(only: str | None, pg: str | None) -> list[str]:
    """ "sqlite" and "postgres" as --only allows; PostgreSQL only when a URL was given."""
    names = [name for name in ("sqlite", "postgres") if only in (None, name)]
    if "postgres" in names and not pg:
        names.remove("postgres")
        print("  (no --pg or TEST_DATABASE_URL: SQLite only)", file=sys.stderr)
    return names


@contextmanager
def database(pg: str | None) -> Iterator[tuple[str, str]]:
    """(name, URL) of a fresh database: a SQLite file, or a PostgreSQL schema dropped afterwards."""
    if pg:
        from benchmarks.spend import postgres_schema

        with ExitStack() as stack:
            try:
                url = stack.enter_context(postgres_schema(pg))
            except Exception as error:
                raise SetupError(f"PostgreSQL at {pg} could not give a fresh schema: {error}") from error
            yield "postgres", url
    else:
        with tempfile.TemporaryDirectory(prefix="winterbot-bench-") as tmp:
            yield "sqlite", f"sqlite:///{Path(tmp) / 'bench.db'}"


class _SendsNothing:
    """A messenger for set-up: each post "goes" at once and nothing is sent anywhere."""

    platform = "slack"

    def __init__(self) -> None:
        self._ts = itertools.count(1)

    def post_risk(self, destination: Any, risk: Any, key: str) -> str:
        return f"{destination.address}:1700000000.{next(self._ts):06d}"

    def find_posted(self, destination: Any, key: str) -> str | None:
        return None

    def post_notice(self, destination: Any, text: str, key: str) -> str:
        return f"{destination.address}:1700000000.{next(self._ts):06d}"


def seed_risks(url: str, slug: str, at: datetime) -> str:
    """The risk scan the clock would have run at `at` (the previous working day's reminder
    time), its escalations recorded as sent: the risks a programme carries into the day."""
    from sqlmodel import Session, select

    from bot.sending.jobs import JobContext
    from bot.sending.jobs.risk_scan import run_risk_scan
    from models.db import make_engine
    from models.tables import Programme

    engine = make_engine(url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            programme = session.exec(select(Programme).where(Programme.slug == slug)).one()
        ctx = JobContext(engine=engine, messengers={"slack": _SendsNothing()}, workers=4)  # type: ignore[dict-item]
        return run_risk_scan(ctx, programme, at).line()
    finally:
        engine.dispose()


@dataclass(frozen=True)
class SchemeFigures:
    """A scheme and its last cumulative figures (zero when it never reported)."""

    id: int
    name: str
    actual: Decimal
    committed: Decimal
    activity: Decimal


@dataclass(frozen=True)
class Partner:
    """A partner who checks in, and what their organisation last reported."""

    user_id: str
    programme_id: int
    organisation_id: int
    organisation_name: str
    levels: dict[str, int | None]  # each service the organisation runs: its last level
    schemes: tuple[SchemeFigures, ...]


@dataclass(frozen=True)
class People:
    programme_id: int
    programme_name: str
    leads: list[str]  # Slack user ids
    partners: list[Partner]


def people(url: str, slug: str) -> People:
    """The programme's leads and partners, read once before the servers start."""
    from models.db import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return _people(connection, slug)
    finally:
        engine.dispose()


def _people(connection: Any, slug: str) -> People:
    from sqlmodel import col, select

    from models.tables import (
        CapacityReport,
        Member,
        Organisation,
        Programme,
        Scheme,
        SpendReport,
    )

    programme = connection.execute(select(col(Programme.id), col(Programme.name)).where(Programme.slug == slug)).one()
    pid = programme.id
    orgs = {
        r.id: r
        for r in connection.execute(
            select(col(Organisation.id), col(Organisation.name), col(Organisation.services)).where(
                Organisation.programme_id == pid
            )
        )
    }
    levels: dict[tuple[int, str], int] = {}
    for row in connection.execute(
        select(col(CapacityReport.organisation_id), col(CapacityReport.service), col(CapacityReport.level))
        .where(CapacityReport.programme_id == pid)
        .order_by(col(CapacityReport.local_date), col(CapacityReport.id))
    ):
        levels[(row.organisation_id, row.service)] = row.level
    last: dict[int, Any] = {}
    for row in connection.execute(
        select(SpendReport)
        .where(SpendReport.programme_id == pid)
        .order_by(col(SpendReport.local_date), col(SpendReport.id))
    ):
        last[row.scheme_id] = row
    schemes: dict[int, list[SchemeFigures]] = {}
    for row in connection.execute(
        select(col(Scheme.id), col(Scheme.name), col(Scheme.owner_organisation_id))
        .where(Scheme.programme_id == pid)
        .order_by(col(Scheme.id))
    ):
        report = last.get(row.id)
        zero = Decimal(0)
        schemes.setdefault(row.owner_organisation_id, []).append(
            SchemeFigures(
                row.id,
                row.name,
                Decimal(report.actual) if report else zero,
                Decimal(report.committed) if report else zero,
                Decimal(report.activity) if report else zero,
            )
        )
    members = connection.execute(
        select(col(Member.platform_user_id), col(Member.role), col(Member.organisation_id))
        .where(Member.programme_id == pid, Member.platform == "slack", col(Member.archived_at).is_(None))
        .order_by(col(Member.id))
    ).all()
    partners = [
        Partner(
            m.platform_user_id,
            pid,
            m.organisation_id,
            orgs[m.organisation_id].name,
            {s: levels.get((m.organisation_id, s)) for s in orgs[m.organisation_id].services},
            tuple(schemes.get(m.organisation_id, ())),
        )
        for m in members
        if m.role == "partner"
    ]
    leads = [m.platform_user_id for m in members if m.role == "lead"]
    return People(pid, programme.name, leads, partners)
