"""Sending one message to each of many destinations, each exactly once.

Every key is planned first; then a pool of sender threads drains the job's keys as a work queue:
each thread claims the next due key(s) among those this process can send (it has an Outgoing for
them) with one statement (bot.sending.deliveries.claim_next), sends them, and claims again until
nothing of the job is claimable. Any number of clock processes can do this at once: on PostgreSQL
they take disjoint keys (SKIP LOCKED), each just before its send, its lease kept while it is
under way.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime

from bot.checkin.prompts import Prompt
from bot.sending.deliveries import (
    Claim,
    Planned,
    claim_next,
    claimable_keys,
    delivery_key,
    ledger,
    mark_failed,
    mark_sent,
    plan,
    retry_until,
)
from bot.sending.jobs.base import JobContext, JobResult
from bot.sending.jobs.leases import Clock, Keeper, job_clock
from bot.sending.ports import Messenger, Recipient, SendError
from models.db import session_scope
from models.tables import Programme

log = logging.getLogger(__name__)

CLAIM_AT_ONCE = 1  # keys a sender thread claims in one statement: each is sent soon after
CHUNK = 500  # keys offered to one claim: the statement's array, and the index probes it makes


@dataclass(frozen=True)
class Outgoing:
    """One message to send under one key: how to send it, and how to look for it having
    gone already when an earlier attempt ended without an outcome."""

    key: str
    platform: str
    send: Callable[[Messenger, str], str]
    find: Callable[[Messenger, str], str | None]
    member_id: int | None = None
    target: str | None = None


@dataclass(frozen=True)
class Send:
    """A prompt or reminder to one member."""

    recipient: Recipient
    prompt: Prompt


def prompt_outgoing(result: JobResult, send: Send) -> Outgoing:
    recipient, prompt = send.recipient, send.prompt
    return Outgoing(
        key=delivery_key(result.programme, result.job, f"m{recipient.member_id}", result.local_date),
        platform=recipient.platform,
        send=lambda messenger, key: messenger.send_prompt(recipient, prompt, key),
        find=lambda messenger, key: messenger.find_sent(recipient, key),
        member_id=recipient.member_id,
    )


def fan_out(ctx: JobContext, result: JobResult, programme_id: int, sends: list[Send], now: datetime) -> JobResult:
    return deliver(ctx, result, programme_id, [prompt_outgoing(result, s) for s in sends], now)


def deliver(
    ctx: JobContext,
    result: JobResult,
    programme_id: int,
    outgoing: list[Outgoing],
    now: datetime,
    *,
    same_day: bool = True,
) -> JobResult:
    """Plan every key, then send in parallel, each key claimed just before its send and its
    lease kept while the send is under way; count the outcome. `same_day`: a transient failure
    is retried only within its day's retry window (escalations, keyed by risk, have none)."""
    usable: dict[str, Outgoing] = {}
    for item in outgoing:
        if item.platform not in ctx.messengers:
            result.skipped[f"{item.platform} is not configured"] += 1
            continue
        usable[item.key] = item
    if not usable:
        return result
    keys = list(usable)
    planned = [Planned(k, usable[k].member_id, usable[k].target) for k in keys]
    plan(ctx.engine, programme_id, result.job, result.local_date, planned, now)
    candidates = claimable_keys(ctx.engine, keys, now)
    until = _retry_until(ctx, programme_id, result.local_date, now) if same_day else None
    outcomes: dict[str, str] = {}
    if candidates:
        clock = job_clock(now)
        queue = _Queue(ctx, candidates, clock)
        threads = max(1, min(ctx.workers, -(-len(candidates) // CLAIM_AT_ONCE)))
        with (
            Keeper(ctx.engine, clock) as keeper,
            ThreadPoolExecutor(max_workers=threads, thread_name_prefix=result.job) as pool,
        ):
            drained = [pool.submit(_drain, ctx, keeper, queue, usable, now, until, outcomes) for _ in range(threads)]
            for done in drained:
                done.result()
    mine = [o for o in outcomes.values() if o not in NOT_MINE]
    result.sent += mine.count("sent")
    result.already_sent += mine.count("found")
    result.retrying += mine.count("retrying")
    result.failed += mine.count("failed")
    standing = ledger(ctx.engine, keys)
    claimed = {k for k, o in outcomes.items() if o not in NOT_MINE}
    result.already_sent += len(standing.sent - claimed)
    result.failed += len(standing.failed_for_good - claimed)
    busy = len(standing.waiting - claimed)
    if busy:
        result.skipped["waiting to retry or in another process's hands"] += busy
    return result


NOT_MINE = frozenset({"busy", "lost"})


def _retry_until(ctx: JobContext, programme_id: int, day: date, now: datetime) -> datetime:
    with session_scope(ctx.engine) as session:
        programme = session.get(Programme, programme_id)
    return retry_until(day, programme.timezone if programme else None, now)


class _Queue:
    """The keys this process may send, offered to claims a chunk at a time: every thread claims
    from the same chunk (the database keeps their claims apart) and moves on to the next when a
    claim finds nothing due in it."""

    def __init__(self, ctx: JobContext, keys: Sequence[str], clock: Clock) -> None:
        self._engine, self._clock = ctx.engine, clock
        self._chunks = [keys[i : i + CHUNK] for i in range(0, len(keys), CHUNK)]
        self._at = 0
        self._lock = threading.Lock()

    def next(self) -> list[Claim]:
        """The next claims, taken now; empty when nothing of the job is left to claim."""
        while True:
            with self._lock:
                at = self._at
            if at >= len(self._chunks):
                return []
            claims = claim_next(self._engine, self._chunks[at], self._clock(), CLAIM_AT_ONCE)
            if claims:
                return claims
            with self._lock:
                self._at = max(self._at, at + 1)


def _drain(
    ctx: JobContext,
    keeper: Keeper,
    queue: _Queue,
    usable: dict[str, Outgoing],
    now: datetime,
    until: datetime | None,
    outcomes: dict[str, str],
) -> None:
    """One sender thread: claim, send, record, until nothing is left to claim."""
    while claims := queue.next():
        for held in claims:
            keeper.hold(held)
        for held in claims:
            try:
                outcomes[held.key] = _attempt(ctx, keeper, held, usable[held.key], now, until)
            finally:
                keeper.drop(held.key)


def _attempt(
    ctx: JobContext, keeper: Keeper, held: Claim, item: Outgoing, now: datetime, until: datetime | None
) -> str:
    messenger = ctx.messengers[item.platform]
    try:
        if held.uncertain or held.attempt > 1:  # a failed attempt may have gone all the same (a 5xx after it was taken)
            earlier = item.find(messenger, held.key)
            if earlier is not None:
                mark_sent(ctx.engine, held.key, now, earlier, owner=held.owner)
                return "found"
        if not keeper.still_mine(held):
            log.warning("%s: its lease ran out before the send; left to the process holding it now", held.key)
            return "lost"
        reference = item.send(messenger, held.key)
    except SendError as error:
        retry = mark_failed(
            ctx.engine,
            held.key,
            now,
            str(error),
            attempt=held.attempt,
            permanent=error.permanent,
            retry_until=until,
            owner=held.owner,
        )
        level = logging.INFO if retry else logging.WARNING
        log.log(
            level, "%s failed (attempt %d, %s): %s", held.key, held.attempt, "will retry" if retry else "gave up", error
        )
        return "retrying" if retry else "failed"
    except Exception as error:  # an unexpected fault must not lose the send: retry it
        retry = mark_failed(
            ctx.engine,
            held.key,
            now,
            f"{type(error).__name__}: {error}",
            attempt=held.attempt,
            permanent=False,
            retry_until=until,
            owner=held.owner,
        )
        log.exception("%s to %s failed unexpectedly", held.key, item.target or f"member {item.member_id}")
        return "retrying" if retry else "failed"
    mark_sent(ctx.engine, held.key, now, reference, owner=held.owner)
    return "sent"
