"""Slack allows about one message a second in a channel; bursts are 429'd. Pace posts per
channel so a fan-out to one channel (a long digest, say) never trips the limit."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class ChannelThrottle:
    def __init__(
        self,
        interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.interval = interval
        self._clock = clock
        self._sleep = sleep
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, channel: str) -> float:
        """Block until this channel may take another message; returns the seconds waited."""
        with self._lock:
            now = self._clock()
            slot = max(now, self._next.get(channel, now))
            self._next[channel] = slot + self.interval
        delay = slot - now
        if delay > 0:
            self._sleep(delay)
        return delay
