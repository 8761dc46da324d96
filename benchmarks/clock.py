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
import logging
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from datetime import time as clock_time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the project this script is in
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # the Slack double

from slack_double import BOT_TOKEN
from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine
from sqlmodel import col

from benchmarks.clock_double import RecordingDouble
from benchmarks.clock_profile import PROFILE_AT, profile_tick
from benchmarks.clock_ticks import (
    DAY,
    Afternoon,
    Phase,
    Prompts,
    afternoon,
    per_job,
    prompt_figures,
    say,
    watched,
)
from benchmarks.large_programme import TZ, build_large_programme
from benchmarks.spend import postgres_schema
from bot.common.config import Settings
from bot.sending.jobs import JobContext
from handlers.slack.messenger import SlackMessenger, sync_client
from models.db import make_engine, session_scope
from models.tables import Member, Programme
from models.vocabulary import Role

BRIEF_AT, PROMPTS_AT, REMINDERS_AT = clock_time(8, 30), clock_time(9, 30), clock_time(14)
BREAKDOWN_AT = clock_time(14, 31, 30)
RATIO_TARGET = 1.25
AFTERNOON_TARGET_S = 5.0
SCHEMES = 60


class SetupError(Exception):
    """The benchmark could not be set up (database, build, double): said, then exit 1."""


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
