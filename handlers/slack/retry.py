"""Sending as fast as Slack allows, no faster, and never giving up on a send that only had to wait.

Slack limits each Web API method per workspace and says so with 429 and Retry-After. slack_sdk's
own handler sleeps Retry-After plus up to a second more and gives up after a few tries, so in a
fan-out held at Slack's limit a prompt could run out of tries and wait a minute for the clock's
next attempt (measured: 5 of 14 prompts at two posts a second, eight threads). Waiting out each
429 alone and trying again keeps every send, but dozens of threads then take turns being
refused: 17,271 refusals for 14,400 prompts at 50 a second with 64 threads.

So every thread sending through one client shares a `Pacer` per method:
- until Slack refuses a burst it lets calls through as they come;
- BURST refusals within BURST_SECONDS mean the window is full (an isolated 429 is not: that
  thread alone waits it out): everyone stops until Retry-After has passed, and from then on
  calls are spaced at a pace a little under the rate Slack accepted in the last second;
- each PACE_STEP seconds without a burst the pace rises by PACE_RISE, so it follows a limit that
  is raised and finds it again after a dip.
A method whose pace every process keeps together (the workspace's posts, bot.sending.limits) is
`shared`: its pacer takes a place in that limit before each call and each retry (a retry is a post
too), and sets no pace of its own after a burst: a process pacing itself at what it saw accepted
(a third of the workspace's rate, with three processes) would hold the workspace below its limit.
`PatientRateLimitRetry` is the slack_sdk retry handler: a refused call waits Retry-After (plus a
little jitter, so the threads refused together do not all come back at one instant) and its
turn, and is tried again, up to MAX_RETRIES times.
"""

from __future__ import annotations

import random
import threading
import time
from collections import deque
from collections.abc import Callable

from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

MAX_RETRIES = 60  # each at least Retry-After (a second or more): well inside a send's two-minute lease
JITTER = 0.1  # seconds, at most, added to Retry-After
BURST, BURST_SECONDS = 3, 0.5
MIN_RATE = 0.5  # calls a second: never slower than this, however many bursts
BELOW_OBSERVED = 0.9
PACE_STEP, PACE_RISE = 3.0, 1.1

Clock = Callable[[], float]
Sleep = Callable[[float], None]


class Pacer:
    def __init__(self, clock: Clock = time.monotonic, sleep: Sleep = time.sleep) -> None:
        self._clock, self._sleep = clock, sleep
        self._lock = threading.Lock()
        self.rate: float | None = None  # calls a second; None: no full window met yet
        self._next = 0.0  # the earliest instant the next call may go
        self._raised_at = 0.0
        self._accepted: deque[float] = deque()
        self._refused: deque[float] = deque()
        self.bursts = 0
        self._shared: Callable[[], float] | None = None

    def share(self, place: Callable[[], float]) -> None:
        """From now on the turn is a place in a limit every process shares (`place` waits for it)."""
        self._shared = place

    def wait(self) -> float:
        """Block until this call's turn; returns the seconds waited."""
        if self._shared is not None:
            return self._shared()
        with self._lock:
            now = self._clock()
            if self.rate is not None and now - self._raised_at >= PACE_STEP:
                self.rate *= PACE_RISE
                self._raised_at = now
            slot = max(now, self._next)
            self._next = slot + (1 / self.rate if self.rate else 0.0)
        delay = slot - now
        if delay > 0:
            self._sleep(delay)
        return delay

    def accepted(self) -> None:
        with self._lock:
            now = self._clock()
            self._accepted.append(now)
            _forget_before(self._accepted, now - 1.0)

    def refused(self, retry_after: float) -> None:
        """Slack refused a call. A burst of refusals is a full window: everyone waits out
        Retry-After, then goes at a pace under what Slack was accepting."""
        if self._shared is not None:
            return  # the shared limit is the pace; the refused call waits Retry-After alone
        with self._lock:
            now = self._clock()
            self._refused.append(now)
            _forget_before(self._refused, now - BURST_SECONDS)
            if len(self._refused) < BURST:
                return
            self._refused.clear()
            self.bursts += 1
            _forget_before(self._accepted, now - 1.0)
            observed = len(self._accepted) * BELOW_OBSERVED or (self.rate or 2 * MIN_RATE) / 2
            self.rate = max(MIN_RATE, min(self.rate or observed, observed))
            self._next = max(self._next, now + retry_after)
            self._raised_at = self._next


def _forget_before(instants: deque[float], cutoff: float) -> None:
    while instants and instants[0] < cutoff:
        instants.popleft()


class Pacers:
    """One pacer per Web API method, shared by every thread using one client."""

    def __init__(self, clock: Clock = time.monotonic, sleep: Sleep = time.sleep) -> None:
        self._clock, self._sleep = clock, sleep
        self._by_method: dict[str, Pacer] = {}
        self._lock = threading.Lock()

    def of(self, method: str) -> Pacer:
        """`chat.postMessage`, `chat_postMessage` and a URL ending in it are the same method."""
        name = method.rsplit("/", 1)[-1].split("?", 1)[0].replace("_", ".", 1)
        with self._lock:
            pacer = self._by_method.get(name)
            if pacer is None:
                pacer = self._by_method[name] = Pacer(self._clock, self._sleep)
            return pacer


class PatientRateLimitRetry(RetryHandler):
    def __init__(
        self,
        pacers: Pacers | None = None,
        max_retry_count: int = MAX_RETRIES,
        sleep: Sleep = time.sleep,
        jitter: Callable[[], float] = lambda: random.uniform(0, JITTER),
    ) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.pacers = pacers or Pacers()
        self._sleep, self._jitter = sleep, jitter

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return response is not None and response.status_code == 429

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        pacer, wait = self.pacers.of(request.url), retry_after(response)
        pacer.refused(wait)
        state.next_attempt_requested = True
        state.increment_current_attempt()
        self._sleep(wait + self._jitter())
        pacer.wait()


def retry_after(response: HttpResponse | None) -> float:
    """Slack's Retry-After in seconds (one when it gives none or nonsense)."""
    for name, values in (response.headers if response is not None else {}).items():
        if name.lower() == "retry-after" and values:
            try:
                return max(0.0, float(values[0] if isinstance(values, list) else values))
            except ValueError:
                break
    return 1.0
