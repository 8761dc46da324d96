"""Profiling one of clock.py's ticks: a sampling profiler of every thread (cProfile sees only
the thread that starts it) and a count of the SQL statements sent."""

from __future__ import annotations

import sys
import threading
import time
from collections import Counter
from datetime import time as clock_time
from pathlib import Path
from types import FrameType
from typing import Any, Self

from sqlalchemy import event
from sqlalchemy.engine import Engine

from benchmarks.clock_ticks import DAY
from benchmarks.large_programme import TZ
from bot.common.calendar import local_instant
from bot.sending.jobs import JobContext
from bot.sending.scheduler import tick

ROOT = Path(__file__).resolve().parent.parent
PROFILE_AT = clock_time(14, 32)


PROJECT = ("bot/", "handlers/", "models/")
LIBRARY_WAITS = ("threading.py:", "futures/", "queue.py:")


def _where(frame: FrameType) -> str:
    """`bot/sending/jobs/fanout.py:deliver` for the project's code, `sqlalchemy/orm/session.py:execute`
    for an installed package, `threading.py:wait` for the standard library."""
    parts = Path(frame.f_code.co_filename).parts
    if "site-packages" in parts:
        parts = parts[len(parts) - parts[::-1].index("site-packages") :]
    elif any(part.startswith("python3") for part in parts):
        parts = parts[-1:] if parts[-2].startswith("python3") else parts[-2:]
    else:
        try:
            parts = Path(frame.f_code.co_filename).resolve().relative_to(ROOT).parts
        except ValueError:
            parts = parts[-2:]
    return f"{'/'.join(parts)}:{frame.f_code.co_name}"


class Sampler:
    """A sampling profiler of every thread but its own (cProfile sees only the thread that
    starts it, and the tick may run programmes on a pool). Every `interval` seconds it takes
    each thread's stack. A stack with no frame of the project is an idle thread (a pool
    worker between tasks, the double's server) and is not counted; one whose innermost frame
    is in threading or concurrent.futures is a thread waiting for others, counted apart."""

    def __init__(self, interval: float = 0.002) -> None:
        self.interval = interval
        self.stacks: Counter[tuple[str, ...]] = Counter()
        self.waiting = self.rounds = 0
        self.seconds = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="clock-sampler", daemon=True)

    def __enter__(self) -> Self:
        self.seconds = time.perf_counter()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.seconds = time.perf_counter() - self.seconds

    def _run(self) -> None:
        me = threading.get_ident()
        while not self._stop.wait(self.interval):
            self.rounds += 1
            for ident, frame in sys._current_frames().items():
                if ident != me:
                    self._take(frame)

    def _take(self, frame: FrameType | None) -> None:
        stack: list[str] = []
        while frame is not None:
            stack.append(_where(frame))
            frame = frame.f_back
        stack.reverse()
        if not any(where.startswith(PROJECT) for where in stack):
            return
        if any(wait in stack[-1] for wait in LIBRARY_WAITS):
            self.waiting += 1
            return
        self.stacks[tuple(stack)] += 1

    @property
    def period(self) -> float:
        """The real seconds between rounds (longer than `interval`: the sampler waits for the GIL)."""
        return self.seconds / self.rounds if self.rounds else self.interval

    def folded(self) -> str:
        """The stacks in the folded form flame graph tools read: `outer;...;inner count`."""
        return "".join(f"{';'.join(stack)} {n}\n" for stack, n in self.stacks.most_common())

    def summary(self, top: int = 15) -> str:
        busy = sum(self.stacks.values())
        if not busy:
            return "no samples of the project's code: the tick was too short to sample\n"
        own = Counter[str]()
        inner = Counter[str]()
        total = Counter[str]()
        for stack, n in self.stacks.items():
            inner[stack[-1]] += n
            own[next(w for w in reversed(stack) if w.startswith(PROJECT))] += n
            for where in set(stack):
                if where.startswith(PROJECT):
                    total[where] += n
        head = (
            f"{busy} samples of busy threads ({busy * self.period:.2f} thread-seconds), "
            f"{self.waiting} of threads waiting for others; {self.seconds:.2f} s of wall time"
        )
        lines = [head]
        for title, counts in (
            ("the innermost winterbot function, with the library code it calls", own),
            ("every winterbot function on the stack (cumulative)", total),
            ("the innermost frame (self)", inner),
        ):
            lines.append(f"  by {title}:")
            lines += [
                f"    {100 * n / busy:5.1f}%  {n * self.period:6.2f} s  {where}" for where, n in counts.most_common(top)
            ]
        return "\n".join(lines) + "\n"


class StatementCount:
    """The statements the engine sends while it is entered (SQLAlchemy's before_cursor_execute)."""

    def __init__(self, engine: Engine) -> None:
        self.engine, self.count = engine, 0

    def _seen(self, *_: Any) -> None:
        self.count += 1

    def __enter__(self) -> Self:
        event.listen(self.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._seen)


def profile_tick(ctx: JobContext, path: Path) -> str:
    """One more no-change tick, sampled across all threads; the folded stacks go to `path`."""
    with StatementCount(ctx.engine) as statements, Sampler() as sampler:
        began = time.perf_counter()
        tick(ctx, local_instant(DAY, PROFILE_AT, TZ))
        seconds = time.perf_counter() - began
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(sampler.folded())
    return f"the tick took {seconds:.2f} s and sent {statements.count} SQL statements\n{sampler.summary()}"
