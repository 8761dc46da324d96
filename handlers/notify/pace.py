"""Keeping to GOV.UK Notify's rate limit: 3,000 messages a minute for an API key, beyond which it
answers 429. A token bucket: up to 3,000 go at once, and beyond that each request waits for the
slot the limit gives it, so a very large fan-out goes out at the limit instead of meeting 429s and
waiting out the delivery ledger's back-off. It counts this process's requests only: processes
sharing one key share its minute."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

NOTIFY_PER_MINUTE = 3000


class Pace:
    """Shared by every thread sending with one API key (the email and text messengers alike)."""

    def __init__(
        self,
        per_minute: int = NOTIFY_PER_MINUTE,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._capacity = float(per_minute)
        self._rate = per_minute / 60.0
        self._clock, self._sleep = clock, sleep
        self._lock = threading.Lock()
        self._tokens = self._capacity
        self._last = clock()

    def wait(self) -> float:
        """Block until this request may go; the seconds waited."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self._capacity, self._tokens + (now - self._last) * self._rate)
            self._last = now
            self._tokens -= 1
            waited = max(0.0, -self._tokens / self._rate)
        if waited > 0:
            self._sleep(waited)
        return waited
