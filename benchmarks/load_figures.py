"""What a load benchmark (status_load.py, peak.py) records and prints: the calls that reached
the Slack double, and each interaction's latencies and failures."""

from __future__ import annotations

import asyncio
import math
import re
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # the Slack double

from slack_double import CANNED, Call, SlackDouble

from benchmarks.load_requests import SLACK_WAITS_SECONDS

# ---------------------------------------------------------------- what reached the Slack double


class Recorder:
    """The accepted calls of some Web API methods, as they reached the double (Call.at): its
    canned answers, with a note of each call first. A call the double refused (429) is not here."""

    def __init__(
        self, slack: SlackDouble, methods: Sequence[str] = ("chat.postMessage", "views.publish", "chat.update")
    ):
        self._lock = threading.Lock()
        self._calls: dict[str, list[Call]] = {m: [] for m in methods}
        self._published: dict[str, list[float]] = {}
        for method in methods:
            slack.answer(method, self._answer(slack, method))

    def _answer(self, slack: SlackDouble, method: str) -> Callable[[Call], dict[str, Any]]:
        canned = CANNED[method]

        def answer(call: Call) -> dict[str, Any]:
            with self._lock:
                self._calls[method].append(call)
                if method == "views.publish":
                    self._published.setdefault(str(call.get("user_id")), []).append(call.at)
            return canned(slack, call)

        return answer

    def calls(self, method: str) -> list[Call]:
        with self._lock:
            return list(self._calls[method])

    def published(self, user_id: str) -> int:
        with self._lock:
            return len(self._published.get(user_id, ()))

    def published_at(self, user_id: str, index: int) -> float | None:
        with self._lock:
            arrivals = self._published.get(user_id, ())
            return arrivals[index] if index < len(arrivals) else None

    def last_at(self) -> float:
        with self._lock:
            return max((c.at for calls in self._calls.values() for c in calls[-1:]), default=0.0)

    async def wait_published(self, user_id: str, index: int, began: float, timeout: float) -> float | None:
        """The arrival of that user's `index`-th Home (0-based), waiting up to `timeout` after `began`."""
        while (arrived := self.published_at(user_id, index)) is None:
            if time.time() - began > timeout:
                return None
            await asyncio.sleep(0.002)
        return arrived


# ---------------------------------------------------------------- figures


@dataclass
class Load:
    """What one interaction measured: a latency per request, and what went wrong."""

    name: str
    latencies_ms: list[float] = field(default_factory=list)
    failures: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    def add(self, latency_ms: float, problem: str | None) -> None:
        self.latencies_ms.append(latency_ms)
        if problem is not None:
            self.failures[_kind_of(problem)] += 1

    @property
    def requests(self) -> int:
        return len(self.latencies_ms)

    @property
    def failed(self) -> int:
        return sum(self.failures.values())

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def over_slack_wait(self) -> int:
        return sum(1 for ms in self.latencies_ms if ms > SLACK_WAITS_SECONDS * 1000)

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies_ms)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]

    def failure_lines(self) -> list[str]:
        return [f"{count} x {kind}" for kind, count in self.failures.most_common(4)]


def _kind_of(problem: str) -> str:
    """A failure reason with its request-specific parts cut, so like failures count together."""
    return re.sub(r"\d{5,}", "#", problem)[:160]


def ms(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.1f}"  # NaN: nothing measured
