"""Ticking clock.py's working day: the clock's real `tick` at an instant until what it made due
is sent (the simulated clock moving on past back-offs), with the posts the double took meanwhile;
the prompts' figures, the no-change afternoon ticks, and each job of each programme on its own."""

from __future__ import annotations

import logging
import math
import statistics
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from datetime import time as clock_time

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import col

from benchmarks.clock_double import Post, RecordingDouble
from benchmarks.large_programme import LARGE_TODAY, TZ
from bot.common.calendar import local_instant, local_now, next_working_day
from bot.programme.lookup import all_programmes
from bot.sending.deliveries import GAVE_UP
from bot.sending.jobs import JOBS, JobContext, JobResult
from bot.sending.scheduler import tick
from models.db import session_scope
from models.tables import Delivery, Programme
from models.vocabulary import DeliveryState

DAY = next_working_day(LARGE_TODAY)  # the first working day with no reports yet
TICK = timedelta(seconds=30)  # the clock's tick (bot.sending.scheduler.TICK_SECONDS)
MAX_ADVANCE = timedelta(minutes=25)  # how far the simulated clock may move to pass back-offs
AFTERNOON_AT = (clock_time(14, 30), clock_time(14, 30, 30), clock_time(14, 31))
PROGRESS_EVERY_S = 15.0

log = logging.getLogger("benchmarks.clock")


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class TickRun:
    started_at: float  # time.monotonic()
    offset_s: float  # the tick's instant, in seconds after the phase's first
    seconds: float


@dataclass
class Phase:
    """One or more ticks run to settle what one instant made due."""

    label: str
    seconds: float = 0.0  # from the first tick's start to the last tick's end
    first_tick_s: float = 0.0
    ticks: int = 0
    sent: int = 0
    advanced: timedelta = timedelta(0)
    waiting: int = 0  # keys still waiting to be retried at the end
    started_at: float = 0.0  # time.monotonic() at the first tick's start
    accepted: Counter[str] = field(default_factory=Counter)  # posts the double took, by job
    refused_429: int = 0
    runs: list[TickRun] = field(default_factory=list)

    def on_a_real_clock(self, at: float) -> float:
        """Seconds from the first tick's start to `at` (time.monotonic()) had each tick started
        no earlier than its instant: as run, a tick after a back-off starts at once."""
        began, ended = 0.0, 0.0
        for run in self.runs:
            began = max(ended, run.offset_s)
            if run.started_at <= at <= run.started_at + run.seconds:
                return began + at - run.started_at
            ended = began + run.seconds
        return at - self.started_at

    def how(self) -> str:
        parts = [f"{self.ticks} tick{'s' if self.ticks != 1 else ''}"]
        if self.accepted:
            parts.append("posts " + ", ".join(f"{job} {n:,}" for job, n in self.accepted.most_common()))
        if self.refused_429:
            parts.append(f"429s met {self.refused_429}")
        if self.advanced:
            parts.append(f"clock moved on {_minutes(self.advanced)} past back-offs")
        if self.waiting:
            parts.append(f"{self.waiting} still waiting")
        return ", ".join(parts)


def _minutes(span: timedelta) -> str:
    seconds = int(span.total_seconds())
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


def settle(ctx: JobContext, at: clock_time, label: str) -> Phase:
    """Tick at `at` until a tick sends nothing; while keys wait out a back-off, tick again
    at the next 30-second tick at which they are due (at most MAX_ADVANCE later)."""
    start = local_instant(DAY, at, TZ)
    now, phase = start, Phase(label)
    phase.started_at, began = time.monotonic(), time.perf_counter()
    while True:
        tick_began, tick_at = time.perf_counter(), time.monotonic()
        sent = sum(r.sent for r in tick(ctx, now))
        run = TickRun(tick_at, (now - start).total_seconds(), time.perf_counter() - tick_began)
        phase.runs.append(run)
        phase.ticks += 1
        phase.first_tick_s = phase.first_tick_s or run.seconds
        phase.sent += sent
        say(f"  [{label}] tick {phase.ticks} at {local_now(now, TZ):%H:%M:%S}: sent {sent} in {run.seconds:.1f} s")
        if sent:
            continue
        phase.waiting, due = waiting(ctx.engine, now)
        later = _next_tick(start, max(now + TICK, due or now))
        if not phase.waiting or later - start > MAX_ADVANCE:
            break
        now = later
    phase.advanced = now - start
    phase.seconds = time.perf_counter() - began
    return phase


def _next_tick(start: datetime, at: datetime) -> datetime:
    return start + TICK * math.ceil((at - start) / TICK)


def waiting(engine: Engine, now: datetime) -> tuple[int, datetime | None]:
    """The day's keys not yet sent and not given up on, and when the first may be retried."""
    with session_scope(engine) as session:
        count, due = session.execute(
            select(func.count(), func.min(Delivery.next_attempt_at)).where(
                col(Delivery.local_date) == DAY,
                col(Delivery.state) != DeliveryState.SENT.value,
                col(Delivery.attempts) < GAVE_UP,
            )
        ).one()
    return int(count or 0), due


@contextmanager
def progress(double: RecordingDouble, label: str, every: float = PROGRESS_EVERY_S) -> Iterator[None]:
    """Say on stderr, every few seconds, how many posts the double has accepted so far."""
    stop, since, began = threading.Event(), double.mark(), time.monotonic()

    def report() -> None:
        while not stop.wait(every):
            posts = double.posts(since)
            accepted = sum(p.ok for p in posts)
            refused = sum(p.status == 429 for p in posts)
            say(f"  [{label}] {time.monotonic() - began:.0f} s: {accepted} posts accepted, {refused} answered 429")

    reporter = threading.Thread(target=report, name="clock-progress", daemon=True)
    reporter.start()
    try:
        yield
    finally:
        stop.set()
        reporter.join()


def watched(ctx: JobContext, double: RecordingDouble, at: clock_time, label: str) -> tuple[Phase, list[Post]]:
    """`settle`, with progress on stderr and the posts the double answered meanwhile."""
    since = double.mark()
    with progress(double, label):
        phase = settle(ctx, at, label)
    posts = double.posts(since)
    phase.accepted = Counter(p.job for p in posts if p.ok)
    phase.refused_429 = sum(p.status == 429 for p in posts)
    return phase, posts


@dataclass(frozen=True)
class Prompts:
    expected: int
    delivered: int
    duplicates: int
    refused_429: int
    last_s: float  # as run: from the first tick's start to the last prompt's acceptance
    real_clock_s: float  # the same, had no tick run before its instant (see Phase.on_a_real_clock)
    floor_s: float

    @property
    def ratio(self) -> float:
        return self.real_clock_s / self.floor_s if self.floor_s else math.inf


def prompt_figures(posts: Sequence[Post], phase: Phase, expected: int, rate: float) -> Prompts:
    accepted = [p for p in posts if p.ok and p.is_prompt]
    per_user = Counter(p.channel for p in accepted)
    per_key = Counter(p.key for p in accepted if p.key)
    duplicates = max(sum(n - 1 for n in per_user.values()), sum(n - 1 for n in per_key.values()))
    last = max((p.at for p in accepted), default=phase.started_at)
    return Prompts(
        expected,
        len(per_user),
        duplicates,
        sum(p.status == 429 for p in posts),
        last - phase.started_at,
        phase.on_a_real_clock(last),
        len(accepted) / rate,
    )


@dataclass(frozen=True)
class Afternoon:
    samples: list[float]
    sent: int

    @property
    def median(self) -> float:
        return statistics.median(self.samples)


def afternoon(ctx: JobContext, label: str) -> Afternoon:
    samples, sent = [], 0
    for at in AFTERNOON_AT:
        began = time.perf_counter()
        sent += sum(r.sent for r in tick(ctx, local_instant(DAY, at, TZ)))
        samples.append(time.perf_counter() - began)
        say(f"  [{label}] no-change tick at {at:%H:%M:%S}: {samples[-1]:.2f} s")
    return Afternoon(samples, sent)


def per_job(ctx: JobContext, at: clock_time) -> dict[str, tuple[float, float]]:
    """Each job of each programme run on its own at `at`: (summed seconds, slowest programme)."""
    now = local_instant(DAY, at, TZ)
    with session_scope(ctx.engine) as session:
        found = all_programmes(session)
    spent: dict[str, list[float]] = {job: [] for job in JOBS}
    for programme in found:
        for job, run in JOBS.items():
            began = time.perf_counter()
            _quietly(run, ctx, programme, now)
            spent[job].append(time.perf_counter() - began)
    return {job: (sum(times), max(times, default=0.0)) for job, times in spent.items()}


def _quietly(run: Callable[..., JobResult], ctx: JobContext, programme: Programme, now: datetime) -> None:
    try:
        run(ctx, programme, now)
    except Exception:
        log.exception("%s for %s failed in the per-job pass", getattr(run, "__name__", run), programme.slug)
