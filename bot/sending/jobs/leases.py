"""Holding a send's lease for as long as the send takes.

A fan-out claims each key just before its send (bot.sending.jobs.fanout). A send can still take long:
the platform paces us (Slack: about 50 posts a minute) and a 429 is waited out. So while sends
are under way a keeper thread renews every lease this fan-out holds, a third of a lease at a
time, in one fenced statement; a lease found taken over is marked lost, and a sender checks
its lease just before it sends: near its end it renews there and then, and when the lease is
gone it leaves the key to the process that holds it now. A process that dies stops renewing,
so its keys are taken over (as uncertain) once a lease has run out.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from types import TracebackType
from typing import Self

from sqlalchemy.engine import Engine

from bot.sending import deliveries
from bot.sending.deliveries import Claim, renew

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def job_clock(now: datetime) -> Clock:
    """The job's instant moving on with the wall clock: leases are written in the same time as
    `now` (a simulated day in the demo and tests, the real one in production)."""
    began = time.monotonic()
    return lambda: now + timedelta(seconds=time.monotonic() - began)


class Keeper:
    def __init__(self, engine: Engine, clock: Clock) -> None:
        self._engine, self._clock = engine, clock
        self._lock = threading.Lock()
        self._held: dict[str, Claim] = {}
        self._ends: dict[str, datetime] = {}
        self._lost: set[str] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="lease-keeper", daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self._stop.set()
        self._thread.join()

    def hold(self, claim: Claim) -> None:
        with self._lock:
            self._held[claim.key] = claim
            self._ends[claim.key] = claim.until or self._clock() + deliveries.LEASE

    def drop(self, key: str) -> None:
        with self._lock:
            self._held.pop(key, None)
            self._ends.pop(key, None)
            self._lost.discard(key)

    def still_mine(self, claim: Claim) -> bool:
        """Whether the lease is ours for long enough to send now (renewed here when near its end)."""
        with self._lock:
            if claim.key in self._lost:
                return False
            end = self._ends.get(claim.key)
        if end is not None and self._clock() + deliveries.LEASE / 4 < end:
            return True
        return claim.key in self._renew([claim])

    def _renew(self, claims: list[Claim]) -> set[str]:
        until = self._clock() + deliveries.LEASE
        held = renew(self._engine, claims, until)
        with self._lock:
            for claim in claims:
                if claim.key not in self._held:
                    continue
                if claim.key in held:
                    self._ends[claim.key] = until
                else:
                    self._lost.add(claim.key)
        return held

    def _run(self) -> None:
        every = max(0.05, deliveries.LEASE.total_seconds() / 3)
        while not self._stop.wait(every):
            with self._lock:
                claims = list(self._held.values())
            if not claims:
                continue
            try:
                self._renew(claims)
            except Exception:
                log.exception("could not renew %d leases; a sender checks its own before it sends", len(claims))
