"""Exactly-once scheduled sends.

Every send has a key (programme, job, recipient, local date) written before the send. A
sender claims a key just before it sends, writing a fresh random owner token, so of two clock
processes only one wins. On PostgreSQL the ledger is a work queue (`claim_next`): one statement
takes the next due keys of those a sender may send, `FOR UPDATE SKIP LOCKED`, so any number of
clock processes, on any machines, take disjoint keys rather than race through one list; on
SQLite (one machine) a conditional UPDATE on the owner read first does it. A claim is a lease: the holder
renews it while the send is under way (bot.sending.jobs.fanout), and a process that dies mid-send
leaves a key that another may take over once the lease has run out. Such a takeover is
uncertain (the message may have gone out before the crash), so the sender asks the platform
whether it did before sending again. Outcomes are fenced on the token: a sender that lost its
lease records nothing over the new owner's outcome.

A transient failure is retried with a back-off capped at MAX_BACKOFF for as long as its day's
retry window is open (until RETRY_UNTIL local time, or the end of the day for a send first
tried after it); a permanent one, or one whose window has closed, is given up on.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar, cast

from sqlalchemy import ColumnElement, and_, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import CursorResult, Engine
from sqlmodel import Session, col

from bot.common.calendar import local_instant
from models.db import session_scope
from models.tables import Delivery, table_of
from models.vocabulary import DeliveryState

log = logging.getLogger(__name__)
T = TypeVar("T")

LEASE = timedelta(minutes=2)
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=2),
    timedelta(minutes=5),
    timedelta(minutes=10),
)
MAX_BACKOFF = BACKOFF[-1]
RETRY_UNTIL = time(18, 0)  # local: a day's sends are retried until then (or midnight, if first tried later)
GAVE_UP = 1_000_000  # the attempts of a key given up on: a permanent error, or its day's retries over
CLAIM_BATCH = 100


class _Count:
    """A thread-safe tally, read by tests and the clock's log."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.value = 0

    def add(self, n: int = 1) -> None:
        with self._lock:
            self.value += n


FENCES_LOST = _Count()  # outcomes not recorded because another sender had taken the lease over


def delivery_key(programme_slug: str, job: str, recipient: str, local_date: date) -> str:
    return f"{programme_slug}:{job}:{recipient}:{local_date.isoformat()}"


@dataclass(frozen=True)
class Planned:
    """A send that should happen: its key and whom it is for."""

    key: str
    member_id: int | None = None
    target: str | None = None


@dataclass(frozen=True)
class Claim:
    key: str
    attempt: int
    uncertain: bool  # an earlier attempt's lease ran out without an outcome
    owner: str = ""  # the random token this claim wrote; only its holder records the outcome
    until: datetime | None = None  # when the lease runs out unless renewed


def plan(
    engine: Engine, programme_id: int, job: str, local_date: date, planned: Sequence[Planned], now: datetime
) -> None:
    """Write the keys not yet written, in one unit of work. Another process may write the same
    ones at the same time (every clock plans a job's keys): a key it wrote first is left as it
    is (INSERT ... ON CONFLICT DO NOTHING), so neither has to try again. The keys already there
    are read first, so a rerun with every key written writes nothing (on SQLite even an insert
    that adds no row takes the database's one write lock)."""
    with session_scope(engine) as session:
        existing = _existing(session, [p.key for p in planned])
        rows = [
            {
                "key": p.key,
                "programme_id": programme_id,
                "job": job,
                "member_id": p.member_id,
                "target": p.target,
                "local_date": local_date,
                "state": DeliveryState.PENDING.value,
                "attempts": 0,
                "created_at": now,
            }
            for p in planned
            if p.key not in existing
        ]
        if not rows:
            return
        insert = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert
        statement = insert(table_of(Delivery)).on_conflict_do_nothing(index_elements=["key"])
        for chunk in _chunks(rows, 1000):
            session.connection().execute(statement, list(chunk))


def _existing(session: Session, keys: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for chunk in _chunks(keys, 500):
        found.update(session.execute(select(col(Delivery.key)).where(col(Delivery.key).in_(chunk))).scalars())
    return found


def _chunks(items: Sequence[T], size: int) -> Iterable[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def new_owner() -> str:
    return secrets.token_hex(16)


def claim(engine: Engine, keys: Sequence[str], now: datetime) -> list[Claim]:
    """Take the lease on those keys that are unsent, unclaimed and due for an attempt, each
    under a fresh owner token. Compare-and-set on the owner read first, so of two processes
    racing for a key one wins, and the winner knows whether an earlier lease ran out without
    an outcome (its `claimed_until` still set: every outcome clears it)."""
    claims: list[Claim] = []
    until = now + LEASE
    for chunk in _chunks(_claimable_now(engine, keys, now), CLAIM_BATCH):
        with session_scope(engine) as session:
            for key, seen_owner, seen_until in chunk:
                held = _compare_and_set(session, key, seen_owner, seen_until, now, until)
                if held is not None:
                    claims.append(held)
    return claims


def _owner_is(owner: str | None) -> ColumnElement[bool]:
    return col(Delivery.lease_owner).is_(None) if owner is None else col(Delivery.lease_owner) == owner


def _claimable_now(engine: Engine, keys: Sequence[str], now: datetime) -> list[tuple[str, str | None, datetime | None]]:
    """The keys worth trying to claim, with their owner and lease as read: a rerun with
    everything sent writes nothing (on SQLite even an UPDATE that changes no row takes the
    database's one write lock)."""
    found: list[tuple[str, str | None, datetime | None]] = []
    with session_scope(engine) as session:
        for chunk in _chunks(keys, 500):
            rows = session.execute(
                select(col(Delivery.key), col(Delivery.lease_owner), col(Delivery.claimed_until)).where(
                    col(Delivery.key).in_(chunk), claimable(now)
                )
            ).all()
            found += [(key, owner, until) for key, owner, until in rows]
    return found


def claimable_keys(engine: Engine, keys: Sequence[str], now: datetime) -> list[str]:
    """Which of `keys` could be claimed now (read only)."""
    return [key for key, _, _ in _claimable_now(engine, keys, now)]


def claimable(now: datetime) -> ColumnElement[bool]:
    return and_(
        col(Delivery.state) != DeliveryState.SENT.value,
        col(Delivery.attempts) < GAVE_UP,
        or_(col(Delivery.claimed_until).is_(None), col(Delivery.claimed_until) <= now),
        or_(col(Delivery.next_attempt_at).is_(None), col(Delivery.next_attempt_at) <= now),
    )


# The work queue's claim on PostgreSQL: the next `n` due keys of those given, in the order of the
# keys, the shorter first (so a member's event 9 before their event 10: a reply to a blocker before
# the note that follows it), each row locked as it is taken and rows another claim has locked
# skipped, all in one statement. (Ordered by the keys' places in the list instead, through unnest
# WITH ORDINALITY, the 5,000-prompt fan-out of benchmarks/many_areas.py took 1.40x its floor, not
# 1.14x.) The inner SELECT reads `claimed_until` as it was (set: a lease ran out with no outcome).
_CLAIM_NEXT = text(
    f"""
    UPDATE {Delivery.__tablename__} AS d
    SET claimed_until = :until, attempts = d.attempts + 1,
        lease_owner = replace(gen_random_uuid()::text, '-', '')
    FROM (
        SELECT id, claimed_until AS seen_until FROM {Delivery.__tablename__}
        WHERE key = ANY(:keys) AND state <> :sent AND attempts < :gave_up
          AND (claimed_until IS NULL OR claimed_until <= :now)
          AND (next_attempt_at IS NULL OR next_attempt_at <= :now)
        ORDER BY length(key), key LIMIT :n
        FOR UPDATE SKIP LOCKED
    ) AS picked
    WHERE d.id = picked.id
    RETURNING d.key, d.attempts, d.lease_owner, picked.seen_until
    """
)


def claim_next(engine: Engine, keys: Sequence[str], now: datetime, n: int = 1) -> list[Claim]:
    """Take the lease on up to `n` of `keys` that are due now (the work queue's claim): none
    already held by another sender, none another process is claiming at this instant. Empty when
    none of `keys` is claimable. Taken shorter keys first, then in order. On SQLite, compare-and-set
    on the keys read first (one machine: a key another thread has just taken is passed over)."""
    if not keys or n < 1:
        return []
    until = now + LEASE
    if engine.dialect.name == "postgresql":
        params = {"keys": list(keys), "now": now, "until": until, "n": n}
        with engine.begin() as connection:
            rows = connection.execute(
                _CLAIM_NEXT, {**params, "sent": DeliveryState.SENT.value, "gave_up": GAVE_UP}
            ).all()
        return [Claim(key, attempts, seen is not None, owner, until) for key, attempts, owner, seen in rows]
    found = sorted(_claimable_now(engine, keys, now), key=lambda row: (len(row[0]), row[0]))
    claims: list[Claim] = []
    with session_scope(engine) as session:
        for key, seen_owner, seen_until in found:
            held = _compare_and_set(session, key, seen_owner, seen_until, now, until)
            if held is not None:
                claims.append(held)
                if len(claims) >= n:
                    break
    return claims


# The updates below are Core statements: the ORM's would first look for the rows among the
# session's objects (there are none), milliseconds a send.


def _compare_and_set(
    session: Session, key: str, seen_owner: str | None, seen_until: datetime | None, now: datetime, until: datetime
) -> Claim | None:
    owner = new_owner()
    attempts = (
        session.connection()
        .execute(
            update(Delivery)
            .where(col(Delivery.key) == key, claimable(now), _owner_is(seen_owner))
            .values(claimed_until=until, attempts=col(Delivery.attempts) + 1, lease_owner=owner)
            .returning(col(Delivery.attempts))
        )
        .scalar()
    )
    return None if attempts is None else Claim(key, attempts, seen_until is not None, owner, until)


def renew(engine: Engine, claims: Sequence[Claim], until: datetime) -> set[str]:
    """Extend the leases still held by these claims to `until`, in one statement; returns the
    keys still held (a key missing was taken over, or its outcome recorded). Found by key (its
    unique index) and owner: a token is written for one key, so the pair is the claim."""
    owners = {c.owner: c.key for c in claims}
    if not owners:
        return set()
    with session_scope(engine) as session:
        held = (
            session.connection()
            .execute(
                update(Delivery)
                .where(
                    col(Delivery.key).in_(list(owners.values())),
                    col(Delivery.lease_owner).in_(list(owners)),
                    col(Delivery.claimed_until).is_not(None),
                )
                .values(claimed_until=until)
                .returning(col(Delivery.lease_owner))
            )
            .scalars()
            .all()
        )
    return {owners[o] for o in held if o is not None}


def mark_sent(engine: Engine, key: str, now: datetime, platform_ref: str | None, *, owner: str) -> bool:
    """Record the send, if `owner` (the claim's token) still holds the key's lease; False,
    logged and counted, when another sender has taken it over: its outcome stands."""
    with session_scope(engine) as session:
        result = cast(
            "CursorResult[Any]",
            session.connection().execute(
                update(Delivery)
                .where(col(Delivery.key) == key, _fence(owner))
                .values(
                    state=DeliveryState.SENT.value,
                    sent_at=now,
                    platform_ref=platform_ref,
                    claimed_until=None,
                    next_attempt_at=None,
                    last_error=None,
                )
            ),
        )
        done = result.rowcount
    return _fenced(done, key, "sent")


def mark_failed(
    engine: Engine,
    key: str,
    now: datetime,
    error: str,
    *,
    attempt: int,
    permanent: bool,
    owner: str,
    retry_until: datetime | None = None,
) -> bool:
    """Record a failed attempt; returns True when it will be tried again: a transient error,
    while the retry window (`retry_until`, None for no end) lets the next attempt in. A sender
    that lost the lease records nothing (and never turns another's `sent` into `failed`)."""
    due = now + BACKOFF[min(attempt, len(BACKOFF)) - 1] if attempt >= 1 else now + BACKOFF[0]
    retry = not permanent and (retry_until is None or due < retry_until)
    with session_scope(engine) as session:
        result = cast(
            "CursorResult[Any]",
            session.connection().execute(
                update(Delivery)
                .where(col(Delivery.key) == key, col(Delivery.state) != DeliveryState.SENT.value, _fence(owner))
                .values(
                    state=DeliveryState.FAILED.value,
                    last_error=error[:500],
                    claimed_until=None,
                    next_attempt_at=due if retry else None,
                    attempts=col(Delivery.attempts) if retry else GAVE_UP,
                )
            ),
        )
        done = result.rowcount
    _fenced(done, key, "failed")
    return retry


def _fence(owner: str) -> ColumnElement[bool]:
    """Only the lease's holder records an outcome."""
    return col(Delivery.lease_owner) == owner


def _fenced(rows: int, key: str, outcome: str) -> bool:
    if rows:
        return True
    FENCES_LOST.add()
    log.warning("%s: not recorded as %s, another sender holds its lease now (its outcome stands)", key, outcome)
    return False


def retry_until(day: date, tz: str | None, now: datetime) -> datetime:
    """When a day's sends stop being retried: RETRY_UNTIL local time, or the end of the day
    for a send first tried after it (a day's prompt is never sent on a later day)."""
    evening = local_instant(day, RETRY_UNTIL, tz)
    return evening if now < evening else local_instant(day + timedelta(days=1), time(0, 0), tz)


@dataclass(frozen=True)
class Ledger:
    """Where each key stands, for reporting."""

    sent: frozenset[str]
    failed_for_good: frozenset[str]
    waiting: frozenset[str]


def ledger(engine: Engine, keys: Sequence[str]) -> Ledger:
    sent: set[str] = set()
    gave_up: set[str] = set()
    waiting: set[str] = set()
    with session_scope(engine) as session:
        for chunk in _chunks(keys, 500):
            rows = session.execute(
                select(col(Delivery.key), col(Delivery.state), col(Delivery.attempts)).where(
                    col(Delivery.key).in_(chunk)
                )
            ).all()
            for key, state, attempts in rows:
                if state == DeliveryState.SENT.value:
                    sent.add(key)
                elif attempts >= GAVE_UP:
                    gave_up.add(key)
                else:
                    waiting.add(key)
    return Ledger(frozenset(sent), frozenset(gave_up), frozenset(waiting))
