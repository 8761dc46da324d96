"""What the tenancy tests share (test_tenancy_*.py): two areas' programmes loaded from one file
for two owners, the other area's risk, blocker and check-in, and a snapshot of every table's rows
to say a request changed nothing (or nothing of one programme's).

`request_seen` is left out of the snapshots: a request that may write is recorded against replays
before the tenancy check (handlers.slack.endpoint, handlers.teams.replays), by design.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select as core_select
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel, select

from bot.programme.loader import load_programme, read_path
from bot.programme.ownership import Owner
from bot.risks.register import raise_risk
from models.db import session_scope
from models.tables import Blocker, BlockerEvent, CheckIn, Member, Organisation, Programme, Scheme, row_id

FIXTURES = Path(__file__).with_name("fixtures")
NOT_SNAPSHOT = frozenset({"request_seen"})

Rows = dict[str, list[tuple[Any, ...]]]


@dataclass(frozen=True)
class Area:
    """One area's programme as loaded, and the ids a crafted request would name."""

    programme_id: int
    slug: str
    name: str
    organisation_id: int  # the home care provider's
    scheme_id: int
    risk_id: int
    blocker_id: int
    checkin_id: int
    partner_member_id: int


def load_area(
    engine: Engine,
    folder: Path,
    source: str,
    replacements: dict[str, str],
    owner: Owner,
    extra_members: tuple[str, ...] = (),
) -> Area:
    """Load `source` (a file in tests/fixtures) with its words replaced, for `owner`; then raise a
    risk and a blocker from a check-in on it, as its partner."""
    text = (FIXTURES / source).read_text()
    for old, new in replacements.items():
        text = text.replace(old, new)
    for line in extra_members:
        text = text.replace("\nschemes:\n", f"\n{line}\nschemes:\n", 1)
    path = folder / f"{owner.slack_team_id or owner.teams_tenant_id}.yaml"
    path.write_text(text)
    spec = read_path(path)
    load_programme(engine, spec, owner=owner)
    return _seed(engine, spec.programme.slug)


def _seed(engine: Engine, slug: str) -> Area:
    now = datetime.now(UTC)
    with session_scope(engine) as session:
        programme = session.exec(select(Programme).where(Programme.slug == slug)).one()
        pid = programme.id
        carers = session.exec(
            select(Organisation).where(Organisation.programme_id == pid, Organisation.key == "carers")
        ).one()
        partner = session.exec(
            select(Member).where(Member.programme_id == pid, Member.organisation_id == carers.id).order_by(Member.id)  # type: ignore[arg-type]
        ).first()
        scheme = session.exec(select(Scheme).where(Scheme.programme_id == pid, Scheme.key == "hours")).one()
        assert pid is not None and carers.id is not None and partner is not None and partner.id is not None
        checkin = CheckIn(
            programme_id=pid,
            member_id=partner.id,
            organisation_id=carers.id,
            local_date=date(2027, 1, 19),
            blockers="Referrals after 4pm with no medication list",
        )
        session.add(checkin)
        session.flush()
        blocker = Blocker(
            programme_id=pid,
            organisation_id=carers.id,
            raised_by_member_id=partner.id,
            checkin_id=row_id(checkin),
            text="Referrals after 4pm with no medication list",
            raised_on=date(2027, 1, 19),
        )
        session.add(blocker)
        session.flush()
        session.add(BlockerEvent(blocker_id=row_id(blocker), member_id=partner.id, action="raised"))
        raised = raise_risk(
            session,
            pid,
            "capacity_level",
            "carers:home_care",
            "Home care at level 3",
            "14 hours",
            "high",
            carers.id,
            now,
        )
        assert checkin.id is not None and blocker.id is not None and scheme.id is not None
        return Area(pid, slug, programme.name, carers.id, scheme.id, raised.risk_id, blocker.id, checkin.id, partner.id)


def snapshot(engine: Engine) -> Rows:
    """Every table's rows (but request_seen's), each row as a tuple of its columns, sorted."""
    found: Rows = {}
    with engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            if table.name in NOT_SNAPSHOT:
                continue
            rows = connection.execute(core_select(table)).all()
            found[table.name] = sorted((tuple(_plain(value) for value in row) for row in rows), key=repr)
    return found


def _plain(value: Any) -> Any:
    """A JSON column's value as its text, so every row can be compared and hashed."""
    return json.dumps(value, sort_keys=True, default=str) if isinstance(value, (dict, list)) else value


def owned_by(engine: Engine, rows: Rows, programme_id: int) -> Rows:
    """The rows of `rows` that belong to one programme: its own, those carrying its id, and those
    referring (by a foreign key, at any depth) to a row of it. Read from the schema, so a table
    added later is covered."""
    tables = {t.name: t for t in SQLModel.metadata.sorted_tables}
    keys: dict[str, dict[str, set[Any]]] = {}
    mine: Rows = {}
    for name, table in tables.items():
        if name not in rows:
            continue
        columns = [c.name for c in table.columns]
        links = [(fk.parent.name, fk.column.table.name, fk.column.name) for fk in table.foreign_keys]

        def belongs(row: dict[str, Any], name: str = name, links: list[tuple[str, str, str]] = links) -> bool:
            if name == "programme":
                return row["id"] == programme_id
            if row.get("programme_id") == programme_id:
                return True
            return any(row[col] in keys.get(target, {}).get(target_col, set()) for col, target, target_col in links)

        picked = [values for values in rows[name] if belongs(dict(zip(columns, values, strict=True)))]
        mine[name] = picked
        keys[name] = {c: {values[i] for values in picked} for i, c in enumerate(columns)}
    return mine


def changed(before: Rows, after: Rows) -> dict[str, tuple[int, int]]:
    """The tables whose rows differ: (rows only before, rows only after)."""
    return {
        name: (len(set(before[name]) - set(after[name])), len(set(after[name]) - set(before[name])))
        for name in before
        if before[name] != after[name]
    }


def settle(*probes: Callable[[], object], quiet: float = 0.3, most: float = 5.0) -> None:
    """Wait until what the probes see has not moved for `quiet` seconds: a listener that
    acknowledged first (a button) does its work after the response."""
    deadline = time.monotonic() + most
    seen = [probe() for probe in probes]
    still_since = time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.05)
        now = [probe() for probe in probes]
        if now != seen:
            seen, still_since = now, time.monotonic()
        elif time.monotonic() - still_since >= quiet:
            return
