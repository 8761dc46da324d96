"""The web process's two kinds of work, kept apart so one cannot starve the other.

- Requests: the database work a platform must finish before it acknowledges (storing a
  check-in, reading a status screen) runs on its own thread pool, `requests`, which nothing
  else uses.
- After the acknowledgement: what can wait a moment (marking the prompt answered, refreshing
  the App Home) is handed to `Background`: a bounded number at a time, its database work on
  one thread of its own, and work for the same key merged while it waits (ten check-ins from
  one person refresh their Home once, from the state as it is when the refresh runs). It gives
  way to requests: while any request's database work is in hand, the next piece waits (up to
  YIELD_AT_MOST), so under a burst the acknowledgements have the interpreter to themselves and
  the refreshes follow when it has passed.

The risk scan and escalations are not here at all: they run in the clock (bot.sending.jobs.risk_scan),
outside the web process.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
Work = Callable[[], Awaitable[object]]  # what it returns is not kept

REQUEST_THREADS = 4
BACKGROUND_THREADS = 1
BACKGROUND_AT_ONCE = 4
MAX_WAITING = 5000
YIELD_AT_MOST = 2.0  # seconds a piece of background work waits for the requests to pause
YIELD_STEP = 0.005

log = logging.getLogger(__name__)


class Background:
    """Work to do after an acknowledgement, merged by key, a few at a time."""

    def __init__(
        self,
        at_once: int = BACKGROUND_AT_ONCE,
        threads: int = BACKGROUND_THREADS,
        max_waiting: int = MAX_WAITING,
        busy: Callable[[], bool] = lambda: False,
    ) -> None:
        self.at_once, self.max_waiting, self.busy = at_once, max_waiting, busy
        self.threads = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="after-ack")
        self._waiting: OrderedDict[str, Work] = OrderedDict()
        self._running: set[str] = set()
        self._runners: set[asyncio.Task[None]] = set()
        self.merged = self.dropped = self.done = 0

    def submit(self, key: str, work: Work) -> None:
        """Run `work` soon, on the running event loop. The same key already waiting runs once."""
        if key in self._waiting:
            self.merged += 1
            return
        if len(self._waiting) >= self.max_waiting:
            oldest, _ = self._waiting.popitem(last=False)
            self.dropped += 1
            log.warning("after-acknowledgement work is backed up; dropped the oldest (%s)", oldest.split(":", 1)[0])
        self._waiting[key] = work
        if len(self._runners) < self.at_once:
            runner = asyncio.get_running_loop().create_task(self._drain())
            self._runners.add(runner)
            runner.add_done_callback(self._runners.discard)

    async def run_sync(self, fn: Callable[[], T]) -> T:
        """`fn` on the background thread: never on the pool the acknowledgements need."""
        return await asyncio.get_running_loop().run_in_executor(self.threads, fn)

    async def _drain(self) -> None:
        """Take the oldest waiting work whose key is not running already (the same key twice at
        once could publish an older state after a newer one), until there is none."""
        while (key := next((k for k in self._waiting if k not in self._running), None)) is not None:
            work = self._waiting.pop(key)
            self._running.add(key)
            try:
                await self._give_way()
                await work()
            except Exception:
                log.exception("after-acknowledgement work failed (%s)", key.split(":", 1)[0])
            finally:
                self._running.discard(key)
            self.done += 1

    async def _give_way(self) -> None:
        loop = asyncio.get_running_loop()
        until = loop.time() + YIELD_AT_MOST
        while self.busy() and loop.time() < until:
            await asyncio.sleep(YIELD_STEP)

    async def idle(self, timeout: float = 10.0) -> None:
        """Wait until nothing is waiting or running (for tests and an orderly shutdown)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while (self._waiting or self._runners) and loop.time() < deadline:
            await asyncio.sleep(0.01)

    def close(self) -> None:
        self.threads.shutdown(wait=False, cancel_futures=True)


class Workers:
    """The thread pool for requests and the background runner, one set per web app."""

    def __init__(self, request_threads: int = REQUEST_THREADS) -> None:
        self.requests = ThreadPoolExecutor(max_workers=request_threads, thread_name_prefix="request")
        self.in_hand = 0  # requests' database work submitted and not yet done (event loop only)
        self.background = Background(busy=lambda: self.in_hand > 0)

    async def run(self, fn: Callable[[], T]) -> T:
        self.in_hand += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(self.requests, fn)
        finally:
            self.in_hand -= 1

    def close(self) -> None:
        self.requests.shutdown(wait=False, cancel_futures=True)
        self.background.close()
