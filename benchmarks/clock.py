"""The clock as programmes are added (issue 13): one working day of every programme's
scheduled jobs, run in-process through the clock's real entry point `bot.sending.scheduler.tick(ctx, now)`,
the real jobs and the real Slack messenger, against the loopback Slack double, which accepts
at most --rate chat.postMessage a second and answers the rest 429 with Retry-After.

In one database (SQLite in a temp file; PostgreSQL in a fresh schema, dropped afterwards, when
--pg or TEST_DATABASE_URL is given; both when given) it builds --programmes programmes of
--organisations organisations each (benchmarks/large_programme.py, --days working days of
reports, each programme with its own slug and its own channel, as separate programmes have:
--one-channel keeps large_programme's one channel for all), then, on the first working day
after the data's last day (Thu 11 Mar 2027), Europe/London:

- 08:30: the tick that sends every programme's daily brief (timed);
- 09:30: the tick that sends every programme's daily prompts. Measured: its wall time, and
  when the double accepted the LAST prompt, from the first tick's start. The floor is
  prompts / rate; the target is last prompt / floor <= 1.25. Also counted: prompts delivered,
  duplicates (a partner prompted twice) and the 429s met;
- 14:00: reminders and the first afternoon risk scan, with its escalations (timed; the
  escalations to a programme's channel are paced at one a second per channel by the messenger);
- 14:30, 14:30:30, 14:31: ticks when nothing has changed since the last one (no new check-ins):
  the median, target < 5 s;
- then, apart from the measured ticks, each job of each programme timed on its own at 14:31:30
  and summed per job; with --profile FILE, one more no-change tick (14:32), sampled across
  all threads (cProfile sees only the thread that starts it), with its SQL statements counted.

When a tick leaves sends waiting to be retried, further ticks run at the same instant until
one sends nothing; when keys still wait (a back-off), the simulated clock moves on to the
next 30-second tick at which they are due, and the report says so. The times are real.

The double listens with a queue of --backlog connections (socketserver's default of 5
overflows when programmes send side by side, and the double then resets connections, which
Slack does not do). Progress goes to stderr; the tables to stdout. A target missed is printed
FAIL (exit 0: this measures); exit 1 when the set-up fails (a database, the build).

Run: python benchmarks/clock.py [--programmes 50] [--organisations 200] [--rate 50]
     [--days 30] [--pg URL] [--only sqlite|postgres] [--workers 8] [--profile FILE]
At the default size expect some 15 to 30 minutes a database: 14,400 prompts and as many
reminders at 50 a second, and the escalations, are some ten minutes of sending on their own.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from types import FrameType
from typing import Any, Self

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the project this script is in
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # the Slack double

from slack_double import BOT_TOKEN, Call, SlackDouble
from sqlalchemy import event, func, select, update
from sqlalchemy.engine import Engine
from sqlmodel import col

from benchmarks.large_programme import LARGE_TODAY, TZ, build_large_programme
from benchmarks.spend import postgres_schema
from bot.common.calendar import local_instant, local_now, next_working_day
from bot.common.config import Settings
from bot.programme.lookup import all_programmes
from bot.sending.deliveries import GAVE_UP
from bot.sending.jobs import JOBS, JobContext, JobResult
from bot.sending.scheduler import tick
from handlers.slack.messenger import SlackMessenger, sync_client
from models.db import make_engine, session_scope
from models.tables import Delivery, Member, Programme
from models.vocabulary import DeliveryState, Role

ROOT = Path(__file__).resolve().parent.parent
DAY = next_working_day(LARGE_TODAY)  # the first working day with no reports yet
TICK = timedelta(seconds=30)  # the clock's tick (bot.sending.scheduler.TICK_SECONDS)
MAX_ADVANCE = timedelta(minutes=25)  # how far the simulated clock may move to pass back-offs
BRIEF_AT, PROMPTS_AT, REMINDERS_AT = clock_time(8, 30), clock_time(9, 30), clock_time(14)
AFTERNOON_AT = (clock_time(14, 30), clock_time(14, 30, 30), clock_time(14, 31))
BREAKDOWN_AT, PROFILE_AT = clock_time(14, 31, 30), clock_time(14, 32)
RATIO_TARGET = 1.25
AFTERNOON_TARGET_S = 5.0
PROMPT_JOB = "daily-prompts"
PROGRESS_EVERY_S = 15.0
SCHEMES = 60

log = logging.getLogger("benchmarks.clock")


class SetupError(Exception):
    """The benchmark could not be set up (database, build, double): said, then exit 1."""


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# the double, with what it answered and when


@dataclass(frozen=True)
class Post:
    """One chat.postMessage as the double answered it; `at` is time.monotonic() at the answer."""

    at: float
    status: int
    ok: bool
    channel: str
    key: str

    @property
    def job(self) -> str:
        """The job named in the delivery key ({slug}:{job}:...), or the kind of channel."""
        parts = self.key.split(":")
        return parts[1] if len(parts) > 2 else ("a DM" if self.channel.startswith("U") else "a channel")

    @property
    def is_prompt(self) -> bool:
        """A daily prompt: its key names the job (or, with no key, a DM to a user id)."""
        return PROMPT_JOB in self.key if self.key else self.channel.startswith("U")


class RecordingDouble(SlackDouble):
    """The Slack double, also noting the outcome and moment of every chat.postMessage.

    Its server listens with a longer queue than socketserver's default of 5: with several
    programmes sending at once, a queue of 5 overflows and the double resets connections,
    which Slack does not do (`backlog` 0 keeps the default, to see that happen)."""

    def __init__(self, backlog: int = 0) -> None:
        super().__init__()
        self.backlog = backlog
        self._posts: list[Post] = []
        self._posts_lock = threading.Lock()

    def start(self) -> Self:
        super().start()
        if self.backlog and self._server is not None:
            self._server.socket.listen(self.backlog)  # on a listening socket: a new queue length
        return self

    def _receive(self, call: Call) -> Any:
        reply = super()._receive(call)
        if call.method == "chat.postMessage":
            self._note(call, reply)
        return reply

    def _note(self, call: Call, reply: Any) -> None:
        status, _headers, body = reply
        try:
            ok = bool(json.loads(body).get("ok"))
        except ValueError:
            ok = False
        metadata = call.get("metadata")
        payload = metadata.get("event_payload") if isinstance(metadata, dict) else None
        key = str(payload.get("key", "")) if isinstance(payload, dict) else ""
        post = Post(time.monotonic(), status, ok, str(call.get("channel", "")), key)
        with self._posts_lock:
            self._posts.append(post)

    def posts(self, since: int = 0) -> list[Post]:
        with self._posts_lock:
            return self._posts[since:]

    def mark(self) -> int:
        with self._posts_lock:
            return len(self._posts)


# building the programmes


@dataclass(frozen=True)
class Built:
    slugs: list[str]
    partners: int
    seconds: float


def build(engine: Engine, database: str, programmes: int, organisations: int, days: int, one_channel: bool) -> Built:
    started = time.perf_counter()
    slugs = []
    for index in range(programmes):
        slug = build_large_programme(
            engine, organisations=organisations, schemes=SCHEMES, working_days=days, slug=f"clock-{index:03d}"
        )
        if not one_channel:
            _own_channel(engine, slug, index)
        slugs.append(slug)
        if (index + 1) % 10 == 0 or index + 1 == programmes:
            say(f"  [{database}] built {index + 1}/{programmes} programmes ({time.perf_counter() - started:.0f} s)")
    return Built(slugs, count_partners(engine), time.perf_counter() - started)


def _own_channel(engine: Engine, slug: str, index: int) -> None:
    """large_programme gives every programme the channel C0LARGE; separate programmes have
    separate channels, and Slack's one-message-a-second pacing is per channel."""
    with session_scope(engine) as session:
        session.execute(update(Programme).where(col(Programme.slug) == slug).values(channel=f"C0CLOCK{index:04d}"))


def count_partners(engine: Engine) -> int:
    with session_scope(engine) as session:
        found = session.execute(
            select(func.count())
            .select_from(Member)
            .where(col(Member.role) == Role.PARTNER.value, col(Member.archived_at).is_(None))
        ).scalar_one()
    return int(found)


# ticking


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


# one database


class ErrorCount(logging.Handler):
    """Counts the errors logged: by the application (a job that raised inside a tick is
    logged, not raised) and by anything else (slack_sdk's transport, say)."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.ours = 0
        self.others = 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.split(".")[0] in ("bot", "handlers", "models"):
            self.ours += 1
        else:
            self.others += 1


@dataclass
class Report:
    database: str
    built: Built
    rate: float
    phases: dict[str, Phase] = field(default_factory=dict)
    prompts: Prompts | None = None
    afternoon: Afternoon | None = None
    jobs: dict[str, tuple[float, float]] = field(default_factory=dict)
    job_errors: int = 0
    other_errors: int = 0
    profile: str = ""


def measure(database: str, url: str, args: argparse.Namespace) -> Report:
    with RecordingDouble(args.backlog) as double:
        double.rate_limit("chat.postMessage", most=args.rate, per_seconds=1)
        engine = _engine(url)
        try:
            try:
                built = build(engine, database, args.programmes, args.organisations, args.days, args.one_channel)
            except Exception as error:
                raise SetupError(f"building the programmes in {database} failed: {error}") from error
            say(
                f"  [{database}] built {len(built.slugs)} programmes, {built.partners} partners "
                f"in {built.seconds:.1f} s"
            )
            settings = Settings(slack_bot_token=BOT_TOKEN, slack_api_url=double.url)
            ctx = JobContext(
                engine=engine, messengers={"slack": SlackMessenger(sync_client(settings))}, workers=args.workers
            )
            return run_day(ctx, double, Report(database, built, args.rate), args.profile)
        finally:
            engine.dispose()


def _engine(url: str) -> Engine:
    try:
        engine = make_engine(url)
        with engine.connect():
            pass
    except Exception as error:
        raise SetupError(f"cannot open the database {url}: {error}") from error
    return engine


def run_day(ctx: JobContext, double: RecordingDouble, report: Report, profile: Path | None) -> Report:
    errors = ErrorCount()
    logging.getLogger().addHandler(errors)
    try:
        name = report.database
        report.phases["08:30"], _ = watched(ctx, double, BRIEF_AT, f"{name} 08:30")
        prompts, posts = watched(ctx, double, PROMPTS_AT, f"{name} 09:30")
        report.phases["09:30"] = prompts
        report.prompts = prompt_figures(posts, prompts, report.built.partners, report.rate)
        report.phases["14:00"], _ = watched(ctx, double, REMINDERS_AT, f"{name} 14:00")
        report.afternoon = afternoon(ctx, f"{name} 14:30")
        say(f"  [{name}] timing each job of each programme on its own at {BREAKDOWN_AT:%H:%M:%S}")
        report.jobs = per_job(ctx, BREAKDOWN_AT)
        if profile is not None:
            path = profile.with_name(f"{profile.stem}-{name}{profile.suffix or '.folded'}")
            report.profile = profile_tick(ctx, path)
            say(f"  [{name}] the sampled stacks of a no-change tick are in {path} (folded, for flame graphs)")
    finally:
        logging.getLogger().removeHandler(errors)
    report.job_errors, report.other_errors = errors.ours, errors.others
    return report


# printing


def verdict(ok: bool) -> str:
    return "ok" if ok else "FAIL"


def prompt_rows(p: Prompts, rate: float) -> list[tuple[str, str, str]]:
    ratio = (
        f"floor {p.floor_s:.1f} s ({p.delivered:,} / {rate:g} a second); ratio {p.ratio:.2f}, "
        f"target <= {RATIO_TARGET}: {verdict(p.ratio <= RATIO_TARGET)}"
    )
    once = p.delivered == p.expected and not p.duplicates
    counts = (
        f"of {p.expected:,} partners; duplicates {p.duplicates}; 429s met {p.refused_429}; "
        f"each partner exactly once: {verdict(once)}"
    )
    rows = [("  last prompt", f"{p.real_clock_s:.1f} s", ratio)]
    if p.real_clock_s > p.last_s + 0.05:
        rows.append(("  (as run)", f"{p.last_s:.1f} s", "the ticks after a back-off run at once, not at their instant"))
    rows.append(("  prompts", f"{p.delivered:,}", counts))
    return rows


def print_report(r: Report) -> None:
    rows = [("build", f"{r.built.seconds:.1f} s", f"{len(r.built.slugs)} programmes, {r.built.partners:,} partners")]
    for at, what in (("08:30", "daily briefs"), ("09:30", "daily prompts"), ("14:00", "reminders, risk scan")):
        phase = r.phases[at]
        detail = f"{what}: sent {phase.sent:,}; first tick {phase.first_tick_s:.1f} s; {phase.how()}"
        rows.append((f"{at} tick", f"{phase.seconds:.1f} s", detail))
        if at == "09:30" and r.prompts:
            rows += prompt_rows(r.prompts, r.rate)
    if r.afternoon:
        a = r.afternoon
        changed = f"; NOT a no-change tick: sent {a.sent}" if a.sent else ""
        median = (
            f"median of {', '.join(f'{s:.2f}' for s in a.samples)}; "
            f"target < {AFTERNOON_TARGET_S:g} s: {verdict(a.median < AFTERNOON_TARGET_S)}{changed}"
        )
        rows.append(("14:30 no change", f"{a.median:.2f} s", median))
    for job, (total, slowest) in sorted(r.jobs.items(), key=lambda item: -item[1][0]):
        detail = f"summed over programmes at {BREAKDOWN_AT:%H:%M:%S}; slowest programme {slowest * 1000:.0f} ms"
        rows.append((f"  {job}", f"{total:.2f} s", detail))
    if r.job_errors:
        rows.append(("errors logged", str(r.job_errors), "by winterbot: jobs that raised inside a tick (see stderr)"))
    if r.other_errors:
        rows.append(("other errors", str(r.other_errors), "logged by libraries, e.g. the Slack client (see stderr)"))
    print(f"\n{r.database}")
    print(f"{'measure':<18} {'value':>10}  detail")
    for name, value, detail in rows:
        print(f"{name:<18} {value:>10}  {detail}")
    if r.profile:
        print(f"\n{r.database}: one no-change tick at {PROFILE_AT:%H:%M}, sampled\n{r.profile}")


# the command line


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--programmes", type=int, default=50)
    parser.add_argument("--organisations", type=int, default=200, help="organisations in each programme")
    parser.add_argument("--days", type=int, default=30, help="working days of reports in each programme")
    parser.add_argument("--rate", type=int, default=50, help="chat.postMessage the double accepts a second")
    parser.add_argument("--workers", type=int, default=8, help="the JobContext's sending threads")
    parser.add_argument("--pg", default=os.environ.get("TEST_DATABASE_URL"), help="a PostgreSQL URL to measure too")
    parser.add_argument("--only", choices=("sqlite", "postgres"))
    parser.add_argument(
        "--backlog",
        type=int,
        default=128,
        help="the double's listen queue (0: socketserver's 5, which resets connections under load)",
    )
    parser.add_argument(
        "--one-channel", action="store_true", help="keep large_programme's one channel for every programme"
    )
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="FILE",
        help="sample one more no-change tick (all threads); stacks to FILE-<database>.folded",
    )
    args = parser.parse_args(argv)
    if min(args.programmes, args.organisations, args.days, args.rate, args.workers) < 1:
        parser.error("--programmes, --organisations, --days, --rate and --workers must be at least 1")
    if args.only == "postgres" and not args.pg:
        parser.error("--only postgres needs --pg URL or TEST_DATABASE_URL")
    return args


def databases(args: argparse.Namespace) -> Iterator[tuple[str, Callable[[], AbstractContextManager[str]]]]:
    if args.only in (None, "sqlite"):
        yield "sqlite", _sqlite_file
    if args.pg and args.only in (None, "postgres"):
        yield "postgres", lambda: postgres_schema(args.pg)


@contextmanager
def _sqlite_file() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="wb-clock-") as folder:
        yield f"sqlite:///{Path(folder) / 'clock.db'}"


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    print(
        f"the clock: {args.programmes} programmes x {args.organisations} organisations ({args.days} working days "
        f"of reports), {DAY:%a %d %b %Y} {TZ}; the double accepts {args.rate} chat.postMessage a second; "
        f"{args.workers} workers; {datetime.now():%Y-%m-%d %H:%M}"
    )
    try:
        for name, opener in databases(args):
            say(f"{name}: building {args.programmes} programmes")
            with ExitStack() as stack:
                try:
                    url = stack.enter_context(opener())
                except Exception as error:
                    raise SetupError(f"cannot prepare {name}: {error}") from error
                print_report(measure(name, url, args))
                sys.stdout.flush()
    except SetupError as error:
        say(f"clock.py: {error}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
