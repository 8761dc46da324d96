"""`/winter` under load: each interaction of `winterbot serve` holding the large programme,
measured against a bare Bolt `AsyncApp` that only acks, both driven in one run on this machine.

What it does:
- builds the large programme of benchmarks/spend.py (200 organisations, 60 schemes, 120 working
  days of reports; benchmarks/large_programme.py) in a fresh SQLite file, or in a fresh
  PostgreSQL schema (dropped afterwards) with --pg URL or TEST_DATABASE_URL; then leaves it as
  the clock would have by LARGE_TODAY 11:30: the previous working day's risk scan (its
  escalations recorded as sent, nothing posted), and that day's brief and prompts sent through
  `winterbot run-job` (so the clock has nothing to catch up on while we measure);
- starts `winterbot serve` (one uvicorn worker) and `winterbot clock` beside it, as in
  production (Procfile), both at LARGE_TODAY 11:30 Europe/London with the clock ticking
  (time-machine, in those processes only), with SLACK_API_URL pointing at the loopback Slack
  double (tests/slack_double.py); and the bare app (benchmarks/harness.py: same Starlette
  adapter, uvicorn and logging), so the two differ only in what the listeners do;
- for each interaction, drives the bare app and then winterbot with --connections (20)
  keep-alive HTTP/1.1 connections, one asyncio worker each, every request freshly signed at the
  servers' clock: --warmup then --duration seconds measured, and waits for the servers to go
  quiet before the next. The interactions (--interactions, default all):
    status   `/winter status` from the programme's first lead: 200 and the ephemeral screen
             naming the programme;
    spend    `/winter spend` from that lead, the same check;
    risks    `/winter risks` from that lead, the same check;
    home     an `app_home_opened` event for a partner (round-robin, each worker its own
             partners); Bolt acks at once, so winterbot's latency is until the double receives
             that partner's views.publish (the worker then sends the next); the bare app's is
             the ack;
    checkin  the check-in modal sent (view_submission) by the partners whose organisations run
             a service, round-robin, every service at level 3 or 4 and the schemes' figures a
             little up; good only when 200 with response_action "update" to the confirmation
             (anything else, Bolt's 404 after three seconds without an ack included, fails).
             The first round stores each partner's check-in, later rounds amend it; each one
             at level 3+ also runs the risk scan after the ack, as in production.

Prints, per interaction: requests, failures, req/s, p50, p99, the bare app's req/s and the
ratio; the server's peak RSS and its commonest log warnings; and whether the targets hold:
check-ins at least 5% of the bare app's throughput, spend and risks 25%, status 60%, p99
under 1000 ms for every interaction, and no failures. Exits 0 either way (1 only when the
set-up fails).

Run: python benchmarks/status_load.py [--pg URL] [--only sqlite|postgres]
       [--interactions status,spend,risks,home,checkin] [--connections 20] [--duration 10] [--warmup 2]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, date, datetime
from datetime import time as clock
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import harness
from benchmarks.harness import (
    Load,
    People,
    Recorder,
    SetupError,
    Travel,
    ms,
)
from benchmarks.status_load_interactions import Interaction, drive, interactions

P99_LIMIT_MS = 1000.0
SHARES_OF_BARE = {"status": 0.60, "spend": 0.25, "risks": 0.25, "checkin": 0.05}
ALL_INTERACTIONS = ("status", "spend", "risks", "home", "checkin")
AT_LOCAL = clock(11, 30)  # on LARGE_TODAY, after the day's check-ins (10:xx) and spend (11:xx)
LONDON = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class Measured:
    name: str
    winterbot: Load
    bare: Load


# ---------------------------------------------------------------- the programme


def build(url: str) -> tuple[str, People]:
    """The large programme, with the risks the previous working day's scan left; its people."""
    from benchmarks.large_programme import LARGE_TODAY, build_large_programme
    from bot.common.calendar import add_working_days, local_instant
    from models.db import make_engine

    started = time.perf_counter()
    try:
        engine = make_engine(url)
        try:
            slug = build_large_programme(engine, organisations=200, schemes=60, working_days=120)
        finally:
            engine.dispose()
        yesterday = local_instant(add_working_days(LARGE_TODAY, -1), clock(14), "Europe/London")
        scanned = harness.seed_risks(url, slug, yesterday.astimezone(UTC))
        found = harness.people(url, slug)
    except Exception as error:
        raise SetupError(f"building the large programme failed: {type(error).__name__}: {error}") from error
    print(f"  built {slug} in {time.perf_counter() - started:.1f}s; yesterday's {scanned}", file=sys.stderr)
    if not found.leads or not found.partners:
        raise SetupError("the large programme has no lead or no partner")
    return slug, found


def catch_up(travel: Travel, env: dict[str, str], slug: str, log: Path) -> None:
    """Today's brief (08:30) and prompts (09:30), sent as the clock would have sent them, so
    that the clock started beside the server has nothing to catch up on while we measure."""
    if travel.at is None:
        return
    day: date = travel.at.astimezone(LONDON).date()
    for job, at in (("daily-brief", clock(8, 30)), ("daily-prompts", clock(9, 30))):
        when = datetime.combine(day, at, LONDON).isoformat()
        said = harness.run_winterbot(travel, env, ["run-job", job, "--programme", slug, "--at", when], log)
        print(f"  {said}", file=sys.stderr)


def programme_instant() -> datetime:
    from benchmarks.large_programme import LARGE_TODAY, TZ
    from bot.common.calendar import local_instant

    return local_instant(LARGE_TODAY, AT_LOCAL, TZ).astimezone(UTC)


# ---------------------------------------------------------------- the run


def run(database_name: str, url: str, args: argparse.Namespace, logs: Path) -> list[Measured]:
    from slack_double import SlackDouble

    travel = Travel.starting(programme_instant() if args.clock == "programme" else None)
    slug, found = build(url)
    chosen = interactions(found, args.interactions)
    log = logs / f"winterbot-{database_name}.log"
    with SlackDouble() as slack, ExitStack() as stack:
        recorder = Recorder(slack)
        env = harness.winterbot_env(url, slack)
        catch_up(travel, env, slug, logs / f"jobs-{database_name}.log")
        bot_port, bare_port = harness.free_port(), harness.free_port()
        server = stack.enter_context(harness.winterbot_server(travel, env, log, bot_port))
        ticking = stack.enter_context(harness.winterbot_clock(travel, env, logs / f"clock-{database_name}.log"))
        bare = stack.enter_context(harness.bare_server(env, logs / f"bare-{database_name}.log", bare_port))
        print(
            f"  {database_name}: winterbot on :{bot_port} (pid {server.pid}), clock pid {ticking.pid}, "
            f"bare on :{bare_port}; {args.connections} connections, {args.warmup:g}s warm-up, "
            f"{args.duration:g}s measured",
            file=sys.stderr,
        )
        results = [_measure(i, args, travel, recorder, (bot_port, bare_port), (server, ticking, bare)) for i in chosen]
        rss = server.peak_rss_mb()
        calls = slack.methods()
    print(
        f"  {database_name}: Slack Web API calls: { {m: calls.count(m) for m in sorted(set(calls))} }", file=sys.stderr
    )
    report(database_name, slug, results, rss, log, args)
    return results


def _measure(
    interaction: Interaction,
    args: argparse.Namespace,
    travel: Travel,
    recorder: Recorder,
    ports: tuple[int, int],
    processes: tuple[harness.Process, ...],
) -> Measured:
    bot_port, bare_port = ports
    bare_check = Interaction(interaction.name, interaction.requests, harness.acked)
    harness.settle(processes)
    bare = asyncio.run(
        drive(bare_check, bare_port, Travel.starting(None), None, args.connections, args.warmup, args.duration)
    )
    harness.settle(processes)
    winterbot = asyncio.run(
        drive(interaction, bot_port, travel, recorder, args.connections, args.warmup, args.duration)
    )
    for process in processes:
        process.check_running()
    print(
        f"  {interaction.name}: winterbot {winterbot.per_second:.1f}/s, bare {bare.per_second:.1f}/s", file=sys.stderr
    )
    return Measured(interaction.name, winterbot, bare)


def report(
    database_name: str, slug: str, results: list[Measured], rss: float | None, log: Path, args: argparse.Namespace
) -> None:
    print(
        f"\n{database_name} ({slug}; {args.connections} connections, {args.duration:g}s each after "
        f"{args.warmup:g}s warm-up; winterbot serve + clock at {_clock_said(args)}):"
    )
    print(
        f"  {'interaction':<12} {'requests':>9} {'failures':>9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'bare req/s':>10} {'ratio':>7}"
    )
    for m in results:
        w = m.winterbot
        ratio = _ratio(m)
        print(
            f"  {m.name:<12} {w.requests:>9} {w.failed:>9} {w.per_second:>8.1f} {ms(w.percentile(0.5)):>8} "
            f"{ms(w.percentile(0.99)):>8} {m.bare.per_second:>10.1f} {ratio:>7.1%}"
        )
        for line in w.failure_lines() + [f"bare: {x}" for x in m.bare.failure_lines()]:
            print(f"      {line}")
    print(f"  winterbot serve peak RSS: {rss:.0f} MB" if rss else "  winterbot serve peak RSS: unknown")
    for count, text in harness.log_problems(log):
        print(f"  server log: {count} x {text}")
    for text, ok in verdicts(results):
        print(f"  {'ok  ' if ok else 'FAIL'} {text}")


def _ratio(m: Measured) -> float:
    return m.winterbot.per_second / m.bare.per_second if m.bare.per_second else 0.0


def verdicts(results: list[Measured]) -> list[tuple[str, bool]]:
    found = []
    for m in results:
        p99 = m.winterbot.percentile(0.99)
        found.append((f"{m.name}: p99 {p99:.0f} ms < {P99_LIMIT_MS:.0f} ms", p99 < P99_LIMIT_MS))
        share = SHARES_OF_BARE.get(m.name)
        if share is not None:
            found.append((f"{m.name}: throughput {_ratio(m):.1%} >= {share:.0%} of bare", _ratio(m) >= share))
        failures = m.winterbot.failed + m.bare.failed
        found.append((f"{m.name}: failures {failures} == 0", failures == 0))
    return found


def _clock_said(args: argparse.Namespace) -> str:
    return "LARGE_TODAY 11:30 Europe/London" if args.clock == "programme" else "today"


# ---------------------------------------------------------------- the command line


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--pg",
        default=os.environ.get("TEST_DATABASE_URL"),
        help="a PostgreSQL URL: measure there (in a fresh schema) as well as on SQLite",
    )
    parser.add_argument("--only", choices=("sqlite", "postgres"), help="measure on one database only")
    parser.add_argument(
        "--interactions",
        default=",".join(ALL_INTERACTIONS),
        help=f"comma-separated, from {','.join(ALL_INTERACTIONS)} (default all)",
    )
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds measured per server and interaction")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of warm-up before each (not measured)")
    parser.add_argument(
        "--clock",
        choices=("programme", "real"),
        default="programme",
        help="the servers' clock: LARGE_TODAY 11:30 London, ticking (default), or today",
    )
    parser.add_argument("--logs", help="a folder to keep the servers' logs in (default: a temp folder)")
    args = parser.parse_args(argv)
    args.interactions = [name.strip() for name in args.interactions.split(",") if name.strip()]
    unknown = sorted(set(args.interactions) - set(ALL_INTERACTIONS))
    if unknown or not args.interactions:
        parser.error(f"unknown interactions {unknown}: choose from {', '.join(ALL_INTERACTIONS)}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    harness.exit_on_sigterm()
    databases = harness.databases_to_measure(args.only, args.pg)
    failed: list[str] = []
    with tempfile.TemporaryDirectory(prefix="winterbot-status-load-") as tmp:
        logs = Path(args.logs) if args.logs else Path(tmp)
        logs.mkdir(parents=True, exist_ok=True)
        for name in databases:
            try:
                with harness.database(args.pg if name == "postgres" else None) as (database_name, url):
                    results = run(database_name, url, args, logs)
            except SetupError as error:
                print(f"{name}: the set-up failed: {error}", file=sys.stderr)
                return 1
            failed += [f"{name}: {text}" for text, ok in verdicts(results) if not ok]
    print(
        f"\n{os.cpu_count()} CPUs shared by the servers, the clock, this load generator and the Slack double; "
        f"measured {datetime.now():%Y-%m-%d %H:%M}"
    )
    print("targets: " + ("all hold" if not failed else "FAIL - " + "; ".join(failed)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
