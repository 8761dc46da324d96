"""Rate limits every process keeps together: a Slack workspace's posts, a Teams tenant's sends,
a Notify API key's requests.

A platform limits a workspace, not a process, so clocks on several machines must share one count.
Time is cut into short windows aligned to the epoch (WINDOW, 200 ms: a slot is the window's number
since 1970), and a limit of `rate` a second lets `cap = rate x window` sends into each. A send
takes its slot with one upsert on `send_slot(bucket, slot)` that adds one only while `used < cap`
and says how many it holds; a full window is waited out (the send takes its place in the next
window with room, at once, and sleeps until then: no crowd of threads at a window's opening),
never refused. Inside a window the n-th send waits until n/cap of it has passed, so a window's
sends are spread over it, not fired at its start: any second, aligned or not, sees about `rate`.
Windows more than KEEP_SLOTS old are deleted now and then by whoever opens a window. A process
remembers the latest window it found full and starts there, so its threads queued behind one
another do not each walk the full windows again, one upsert at a time.

On SQLite each take is a write transaction of its own; one machine, but still shared by its
processes (what it costs per send is measured by benchmarks/many_areas.py --limiter-only).
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import Engine

WINDOW = 0.2  # seconds
KEEP_SLOTS = 50  # windows kept behind the present one (10 s at 200 ms)
TIDY_EVERY = 25  # the window that opens each 25th slot deletes the old ones (every 5 s a bucket)

_TAKE = text(
    """
    INSERT INTO send_slot (bucket, slot, used) VALUES (:bucket, :slot, 1)
    ON CONFLICT (bucket, slot) DO UPDATE SET used = send_slot.used + 1
    WHERE send_slot.used < :cap
    RETURNING used
    """
)
# On PostgreSQL the same, its commit not waiting for the disk: a count lost in a crash is of a
# window long past, not worth a flush on every send (set_config is local to the transaction).
_TAKE_PG = text(
    """
    INSERT INTO send_slot (bucket, slot, used)
    SELECT :bucket, :slot, 1 FROM (SELECT set_config('synchronous_commit', 'off', true)) AS quick
    ON CONFLICT (bucket, slot) DO UPDATE SET used = send_slot.used + 1
    WHERE send_slot.used < :cap
    RETURNING used
    """
)
_TIDY = text("DELETE FROM send_slot WHERE bucket = :bucket AND slot < :before")

Clock = Callable[[], float]
Sleep = Callable[[float], None]


@dataclass(frozen=True)
class Taken:
    """Where a send went: its window, its place in it, and the seconds it waited."""

    slot: int
    place: int
    waited: float


class SharedLimit:
    """One bucket's limit, shared by every thread and process that names the same bucket."""

    def __init__(
        self,
        engine: Engine,
        bucket: str,
        per_second: float,
        *,
        window: float = WINDOW,
        clock: Clock = time.time,
        sleep: Sleep = time.sleep,
    ) -> None:
        if per_second <= 0:
            raise ValueError(f"a limit is a positive number a second, not {per_second}")
        self.engine, self.bucket, self.window = engine, _fit(bucket), window
        self.cap = max(1, math.floor(per_second * window + 1e-9))
        self._clock, self._sleep = clock, sleep
        self._lock = threading.Lock()
        self._full_to = -1  # the latest window this process has found full

    def wait(self) -> Taken:
        """Block until this send may go, having taken its place in a window."""
        began = now = self._clock()
        with self._lock:
            slot = max(math.floor(now / self.window), self._full_to + 1)
        while True:
            place = self._take(slot)
            if place is not None:
                break
            with self._lock:
                self._full_to = max(self._full_to, slot)
            slot += 1  # full: a place in the next window, taken now and waited for below
        start = slot * self.window + (place - 1) * self.window / self.cap
        self._pause(start - self._clock())
        return Taken(slot, place, self._clock() - began)

    def _take(self, slot: int) -> int | None:
        take = _TAKE_PG if self.engine.dialect.name == "postgresql" else _TAKE
        with self.engine.begin() as connection:  # Core: no ORM session to set up for one statement
            used = connection.execute(take, {"bucket": self.bucket, "slot": slot, "cap": self.cap}).scalar()
            if used == 1 and slot % TIDY_EVERY == 0:
                connection.execute(_TIDY, {"bucket": self.bucket, "before": slot - KEEP_SLOTS})
        return None if used is None else int(used)

    def _pause(self, seconds: float) -> None:
        if seconds > 0:
            self._sleep(seconds)


class SharedLimits:
    """The limits of one engine, by bucket, made on first use (a messenger's workspace is known
    only once it has sent)."""

    def __init__(self, engine: Engine, per_second: float, *, window: float = WINDOW) -> None:
        self.engine, self.per_second, self.window = engine, per_second, window
        self._lock = threading.Lock()
        self._by_bucket: dict[str, SharedLimit] = {}

    def of(self, bucket: str) -> SharedLimit:
        with self._lock:
            found = self._by_bucket.get(bucket)
            if found is None:
                found = self._by_bucket[bucket] = SharedLimit(self.engine, bucket, self.per_second, window=self.window)
            return found

    def wait(self, bucket: str) -> Taken:
        return self.of(bucket).wait()


def _fit(bucket: str) -> str:
    """A bucket's name within the column's 120 characters: a long one by its digest."""
    return bucket if len(bucket) <= 120 else f"{bucket[:80]}~{hashlib.sha256(bucket.encode()).hexdigest()[:32]}"
