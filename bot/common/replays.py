"""Replay protection: a request that writes is acted on once, however often it arrives.

A request is known by a key that a replay repeats (for Slack, a digest of the signature over
timestamp and body; for Teams, the activity's own id in its conversation). The key is stored
by one insert that does nothing when the key is there already, so the check costs one indexed
write and two copies arriving together cannot both pass. Keys older than a day are purged now
and then: Slack refuses a signature older than five minutes, so a day is ample.
"""

from __future__ import annotations

import hashlib
import itertools
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from models.tables import RequestSeen

KEEP_FOR = timedelta(days=1)
PURGE_EVERY = 1000
KEY_LENGTH = 128
_inserts = itertools.count(1)


def request_key(kind: str, *parts: str) -> str:
    """A key of bounded length for `parts` (a signature, an activity and conversation id)."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()
    return f"{kind}:{digest}"[:KEY_LENGTH]


def _insert_once(dialect_name: str, key: str, platform: str, now: datetime) -> Any:
    table = RequestSeen.metadata.tables["request_seen"]  # RequestSeen.__table__, which SQLModel leaves untyped
    dialect = sqlite_insert if dialect_name == "sqlite" else pg_insert
    insert = dialect(table).values(key=key[:KEY_LENGTH], platform=platform, seen_at=now)
    return insert.on_conflict_do_nothing(index_elements=["key"]).returning(table.c.key)


def first_time(session: Session, key: str, now: datetime, platform: str = "web") -> bool:
    """As seen_once, inside the caller's unit of work: the key is kept only if the work commits."""
    statement = _insert_once(session.get_bind().dialect.name, key, platform, now)
    return session.execute(statement).first() is not None


def seen_once(engine: Engine, key: str, platform: str, now: datetime, *, purge_every: int = PURGE_EVERY) -> bool:
    """True the first time `key` is seen (it is recorded), False for a replay of it."""
    with engine.begin() as connection:
        inserted = connection.execute(_insert_once(engine.dialect.name, key, platform, now)).first() is not None
    if inserted and next(_inserts) % purge_every == 0:
        purge_seen(engine, now)
    return inserted


def purge_seen(engine: Engine, now: datetime) -> int:
    """Forget the keys seen more than KEEP_FOR ago; the number forgotten."""
    with engine.begin() as connection:
        return connection.execute(delete(RequestSeen).where(col(RequestSeen.seen_at) < now - KEEP_FOR)).rowcount
