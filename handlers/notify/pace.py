"""Keeping to GOV.UK Notify's rate limit: 3,000 requests a minute for an API key, counted over any
60 seconds, beyond which it answers 429. Up to 3,000 go at once; the next waits until the oldest of
the last 3,000 is a minute old. So a very large fan-out goes out as fast as Notify takes it instead
of meeting 429s and waiting out the delivery ledger's back-off. `Pace` counts this process's
requests only; `SharedPace` counts every process's that sends with the same key (bot.sending.limits),
which is what Notify counts: `pace_for` picks it whenever there is a database to count in."""

from __future__ import annotations

import hashlib
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Protocol

from sqlalchemy.engine import Engine

from bot.sending.limits import SharedLimit

NOTIFY_PER_MINUTE = 3000
WINDOW_SECONDS = 60.5  # Notify's minute, and half a second for the time a request takes to reach it


class Pace:
    """Shared by every thread sending with one API key (the email and text messengers alike)."""

    def __init__(
        self,
        per_minute: int = NOTIFY_PER_MINUTE,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        window: float = WINDOW_SECONDS,
    ) -> None:
        self._most, self._window = per_minute, window
        self._clock, self._sleep = clock, sleep
        self._lock = threading.Lock()
        self._sent: deque[float] = deque()  # when each of the last `per_minute` requests went (or will)

    def wait(self) -> float:
        """Block until this request may go; the seconds waited."""
        with self._lock:
            now = self._clock()
            slot = now
            if len(self._sent) >= self._most:
                slot = max(now, self._sent.popleft() + self._window)
            self._sent.append(slot)
        waited = slot - now
        if waited > 0:
            self._sleep(waited)
        return waited


class Pacing(Protocol):
    def wait(self) -> float: ...


class SharedPace:
    """Notify's minute kept by every process sending with one API key: windows of a second, each
    letting through a 61st of the minute's requests (49 of 3,000), since any 60 seconds overlap at
    most 61 such windows. Steady at 49 a second, where `Pace` lets 3,000 go at once: a minute's
    fan-out takes a second or two longer, and no process can push another's sends into 429s."""

    def __init__(
        self,
        engine: Engine,
        api_key: str,
        per_minute: int = NOTIFY_PER_MINUTE,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        service = hashlib.sha256(api_key.encode()).hexdigest()[:16]  # never the key itself
        self.limit = SharedLimit(engine, f"notify:{service}", per_minute // 61, window=1.0, clock=clock, sleep=sleep)

    def wait(self) -> float:
        return self.limit.wait().waited


def pace_for(api_key: str | None, engine: Engine | None) -> Pacing:
    """The pace every messenger sending with this key shares: across processes given a database."""
    return SharedPace(engine, api_key) if engine is not None and api_key else Pace()
