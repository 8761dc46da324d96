"""Exactly-once scheduled sends.

Every send has a key (programme, job, recipient, local date) written before the send. A
sender claims a key with one conditional UPDATE, so of two clock processes only one wins;
a claim is a lease, so a process that dies mid-send leaves a key that another may take
over once the lease has run out. Such a takeover is uncertain (the message may have gone
out before the crash), so the sender asks the platform whether it did before sending again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from models.db import session_scope
from models.tables import Delivery
from models.vocabulary import DeliveryState

LEASE = timedelta(minutes=2)
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=2),
    timedelta(minutes=5),
    timedelta(minutes=10),
    timedelta(minutes=20),
    timedelta(minutes=30),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
CLAIM_BATCH = 100


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


def plan(
    engine: Engine, programme_id: int, job: str, local_date: date, planned: Sequence[Planned], now: datetime
) -> None:
    """Write the keys not yet written. Another process may write the same ones at the same
    time: the unique key makes the loser's insert fail, and it simply retries the rest."""
    for _ in range(3):
        try:
            with session_scope(engine) as session:
                existing = _existing(session, [p.key for p in planned])
                session.add_all(
                    Delivery(
                        key=p.key,
                        programme_id=programme_id,
                        job=job,
                        member_id=p.member_id,
                        target=p.target,
                        local_date=local_date,
                        state=DeliveryState.PENDING.value,
                        created_at=now,
                    )
                    for p in planned
                    if p.key not in existing
                )
            return
        except IntegrityError:
            continue
    raise RuntimeError(f"could not write the {job} keys for {local_date}: another process keeps racing")


def _existing(session, keys: Sequence[str]) -> set[str]:  # type: ignore[no-untyped-def]
    found: set[str] = set()
    for chunk in _chunks(keys, 500):
        found.update(session.execute(select(Delivery.key).where(Delivery.key.in_(chunk))).scalars())
    return found


def _chunks(items: Sequence[str], size: int) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def claim(engine: Engine, keys: Sequence[str], now: datetime) -> list[Claim]:
    """Take the lease on those keys that are unsent, unclaimed and due for an attempt."""
    claims: list[Claim] = []
    for chunk in _chunks(_claimable_now(engine, keys, now), CLAIM_BATCH):
        with session_scope(engine) as session:
            rows = session.execute(
                update(Delivery)
                .where(Delivery.key.in_(chunk), claimable(now))
                .values(claimed_until=now + LEASE, attempts=Delivery.attempts + 1)
                .returning(Delivery.key, Delivery.attempts, Delivery.state)
            ).all()
        claims.extend(
            Claim(key=key, attempt=attempts, uncertain=state == DeliveryState.PENDING.value and attempts > 1)
            for key, attempts, state in rows
        )
    return claims


def _claimable_now(engine: Engine, keys: Sequence[str], now: datetime) -> list[str]:
    """The keys worth trying to claim, read first: a rerun with everything sent writes nothing
    (on SQLite even an UPDATE that changes no row takes the database's one write lock)."""
    found: list[str] = []
    with session_scope(engine) as session:
        for chunk in _chunks(keys, 500):
            found += session.execute(select(Delivery.key).where(Delivery.key.in_(chunk), claimable(now))).scalars()
    return found


def claimable(now: datetime):  # type: ignore[no-untyped-def]
    return and_(
        Delivery.state != DeliveryState.SENT.value,
        Delivery.attempts < MAX_ATTEMPTS,
        or_(Delivery.claimed_until.is_(None), Delivery.claimed_until <= now),
        or_(Delivery.next_attempt_at.is_(None), Delivery.next_attempt_at <= now),
    )


def mark_sent(engine: Engine, key: str, now: datetime, platform_ref: str | None) -> None:
    with session_scope(engine) as session:
        session.execute(
            update(Delivery)
            .where(Delivery.key == key)
            .values(
                state=DeliveryState.SENT.value,
                sent_at=now,
                platform_ref=platform_ref,
                claimed_until=None,
                next_attempt_at=None,
                last_error=None,
            )
        )


def mark_failed(engine: Engine, key: str, now: datetime, error: str, *, attempt: int, permanent: bool) -> bool:
    """Record a failed attempt; returns True when it will be tried again."""
    retry = not permanent and attempt < MAX_ATTEMPTS
    with session_scope(engine) as session:
        session.execute(
            update(Delivery)
            .where(Delivery.key == key)
            .values(
                state=DeliveryState.FAILED.value,
                last_error=error[:500],
                claimed_until=None,
                next_attempt_at=now + BACKOFF[min(attempt, len(BACKOFF)) - 1] if retry else None,
                attempts=Delivery.attempts if retry else MAX_ATTEMPTS,
            )
        )
    return retry


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
                select(Delivery.key, Delivery.state, Delivery.attempts).where(Delivery.key.in_(chunk))
            ).all()
            for key, state, attempts in rows:
                if state == DeliveryState.SENT.value:
                    sent.add(key)
                elif attempts >= MAX_ATTEMPTS:
                    gave_up.add(key)
                else:
                    waiting.add(key)
    return Ledger(frozenset(sent), frozenset(gave_up), frozenset(waiting))
