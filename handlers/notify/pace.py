"""Keeping to GOV.UK Notify's rate limit: 3,000 requests a minute for an API key, counted over any
60 seconds, beyond which it answers 429. Up to 3,000 go at once; the next waits until the oldest of
the last 3,000 is a minute old. So a very large fan-out goes out as fast as Notify takes it instead
of meeting 429s and waiting out the delivery ledger's back-off. It counts this process's requests
only: processes sharing one key share its minute."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

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
