"""The 09:30 rush under winter pressure: a thousand partners checking in while the clock sends
their prompts and the leads keep looking, against `winterbot serve` and `winterbot clock`.

What it does, for each database (SQLite always; PostgreSQL with --pg URL or TEST_DATABASE_URL,
in a fresh schema dropped afterwards) and each arrival rate (--rates, check-ins a second):
- builds, deterministically and with bulk inserts, a programme of --partners (1,000) partners
  in about 0.69 organisations a partner (community kinds mostly: home care, GP, VCS, community
  nursing, housing, care homes, hospices; two councils and two hospital trusts, each with three
  leads and one partner reporting reablement or discharges; an ICB with its leads), 120
  schemes a thousand partners, a leads' channel, and 60 working days of history up to the
  working day before DAY (Tue 19 Jan 2027): check-ins (most partners answer most days, some
  are patchy, a few have gone quiet), the spend ledger and capacity reports, about half the
  services last at level 3 or 4. Then the previous working day's risk scan (its escalations
  recorded as sent, nothing posted) and DAY's 08:30 brief (`winterbot run-job`), so the
  programme starts the day as the clock would have left it;
- starts `winterbot serve` and `winterbot clock` at DAY 09:30 Europe/London, ticking
  (time-machine, in those processes only), against the loopback Slack double, which accepts
  50 chat.postMessage a second and answers the rest 429 with Retry-After (as fanout.py). The
  clock's first tick sends every partner's prompt while the answers start arriving;
- sends each partner's check-in once, in a fixed shuffled order, at the fixed rate, each on a
  new TCP connection as Slack sends them: the check-in modal sent (view_submission) with about
  half the services at level 3 or 4, some raised to level 4 from below (a new critical risk),
  the figures a little up, some blockers and comments. Throughout, the leads' probes at a
  steady rate (one `/winter status`, `spend`, `risks` and one App Home open every
  --probe-every seconds each, rotating over the leads, each on its own connection);
- waits until every expected escalation has reached the leads' channel (or --escalation-wait
  seconds after the last check-in) and the server has gone quiet; then sends the same
  schedule to the bare AsyncApp (benchmarks/harness.py: acks view_submission, /winter and
  app_home_opened, nothing else).

Prints, per interaction: requests, failures, req/s, p50, p99 and how many took over 3 s (for
winterbot's App Home, until the double received that lead's views.publish; everything else
until the HTTP answer); the bare app's p50 and p99 beside them. For each check-in that took a
service to level 4 from below: how long after its answer the double received the escalation
to the leads' channel naming that organisation (p50, max, how many never arrived). The web
server's peak RSS (VmHWM), how long after the last check-in the backlog cleared (the last
Home, prompt update or escalation to reach the double, whichever process sent it, or the web
server's last second of CPU work), the clock's prompt fan-out, and
the server log's commonest warnings. Targets, ok or FAIL: no check-in over 3 s, p99 under
1,000 ms for every interaction, every level 4 with the leads within 60 s. Exits 0 either way
(1 only when the set-up fails).

Run: python benchmarks/peak.py [--pg URL] [--only sqlite|postgres] [--partners 1000]
       [--rates 1.67,5] [--probe-every 2] [--escalation-wait 120] [--no-bare] [--logs DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
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
from benchmarks.peak_programme import DAY, LEADS_CHANNEL, TZ, build_peak_programme
from benchmarks.peak_rush import (
    CHECKIN,
    HOME,
    Escalations,
    Planned,
    Posted,
    Prompts,
    drive,
    escalations,
    loads,
    posted,
    prompts,
    schedule,
    todays_levels,
    wait_for_backlog,
    winterbot_checks,
)

POST_MESSAGES_A_SECOND = 50
P99_LIMIT_MS = 1000.0
ESCALATION_LIMIT_SECONDS = 60.0


# ---------------------------------------------------------------- the programme


def prepare(url: str, partners: int, seed: int, slack_env: dict[str, str], log: Path) -> People:
    """The programme as the clock would have left it at DAY 09:30: yesterday's risk scan, today's brief."""
    from bot.common.calendar import local_instant, previous_working_day

    started = time.perf_counter()
    try:
        slug = build_peak_programme(url, partners, seed)
        yesterday = local_instant(previous_working_day(DAY), clock(14), TZ).astimezone(UTC)
        scanned = harness.seed_risks(url, slug, yesterday)
        found = harness.people(url, slug)
    except Exception as error:
        raise SetupError(f"building the peak programme failed: {type(error).__name__}: {error}") from error
    brief_at = local_instant(DAY, clock(8, 30), TZ)
    said = harness.run_winterbot(
        Travel.starting(brief_at),
        slack_env,
        ["run-job", "daily-brief", "--programme", slug, "--at", brief_at.isoformat()],
        log,
    )
    services = [level for p in found.partners for level in p.levels.values()]
    high = sum(1 for level in services if level and level >= 3)
    print(
        f"  built {slug} in {time.perf_counter() - started:.1f}s: {len(found.partners)} partners, "
        f"{len({p.organisation_id for p in found.partners})} organisations with partners, {len(found.leads)} leads; "
        f"{high} of {len(services)} partner-services last at level 3+\n  yesterday's {scanned}\n  {said}",
        file=sys.stderr,
    )
    return found


# ---------------------------------------------------------------- one run


@dataclass
class Outcome:
    database: str
    rate: float
    partners: int
    winterbot: dict[str, Load]
    bare: dict[str, Load] | None
    escalations: Escalations
    posted: Posted
    backlog_s: float | None
    rss_mb: float | None
    prompts: Prompts
    lag_ms: float
    log: Path


def run(database: str, url: str, rate: float, args: argparse.Namespace, logs: Path) -> Outcome:
    from slack_double import SlackDouble

    with SlackDouble() as slack, ExitStack() as stack:
        recorder = Recorder(slack)
        env = harness.winterbot_env(url, slack)
        tag = f"{database}-{rate:g}"
        found = prepare(url, args.partners, args.seed, env, logs / f"jobs-{tag}.log")
        today = todays_levels(found, args.seed)
        planned = schedule(found, today, rate, args.probe_every, args.seed)
        names = {p.organisation_id: p.organisation_name for p in found.partners}
        slack.rate_limit("chat.postMessage", most=POST_MESSAGES_A_SECOND, per_seconds=1)
        bot_port = harness.free_port()
        travel = Travel.starting(datetime.combine(DAY, clock(9, 30), ZoneInfo(TZ)))
        log = logs / f"winterbot-{tag}.log"
        server = stack.enter_context(harness.winterbot_server(travel, env, log, bot_port))
        ticking = stack.enter_context(harness.winterbot_clock(travel, env, logs / f"clock-{tag}.log"))
        print(
            f"  {database} at {rate:g}/s: winterbot pid {server.pid}, clock pid {ticking.pid}; "
            f"{sum(p.kind == CHECKIN for p in planned)} check-ins and "
            f"{sum(p.kind != CHECKIN for p in planned)} probes over {planned[-1].at:.0f}s",
            file=sys.stderr,
        )
        driven = asyncio.run(drive(bot_port, planned, winterbot_checks(found.programme_name), travel, recorder))
        backlog = wait_for_backlog(driven, today, names, recorder, server, args.escalation_wait)
        server.check_running()
        rss = server.peak_rss_mb()
        found_escalations = escalations(driven, today, names, recorder)
        sent = posted(recorder, driven)
        fanned = prompts(slack, recorder)
        stack.close()
        bare = _bare(planned, env, logs / f"bare-{tag}.log") if args.bare else None
    return Outcome(
        database,
        rate,
        len(found.partners),
        loads(driven),
        bare,
        found_escalations,
        sent,
        backlog,
        rss,
        fanned,
        driven.lag_ms,
        log,
    )


def _bare(planned: list[Planned], env: dict[str, str], log: Path) -> dict[str, Load]:
    port = harness.free_port()
    with harness.bare_server(env, log, port):
        return loads(asyncio.run(drive(port, planned, {}, Travel.starting(None), None)))


# ---------------------------------------------------------------- the report


def report(outcome: Outcome, args: argparse.Namespace) -> list[tuple[str, bool]]:
    o = outcome
    print(
        f"\n{o.database}, {o.rate:g} check-ins/s: {o.partners} partners, one check-in each on a new connection; "
        f"each lead probe every {args.probe_every:g}s; winterbot serve + clock at {DAY:%a %d %b %Y} 09:30 {TZ}"
    )
    print(
        f"  {'interaction':<12} {'requests':>8} {'failures':>8} {'req/s':>7} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'>3 s':>5}   {'bare p50':>8} {'bare p99':>8}"
    )
    for kind, load in o.winterbot.items():
        bare = (o.bare or {}).get(kind, Load(kind))
        name = "home*" if kind == HOME else kind
        print(
            f"  {name:<12} {load.requests:>8} {load.failed:>8} {load.per_second:>7.2f} {ms(load.percentile(0.5)):>8} "
            f"{ms(load.percentile(0.99)):>8} {load.over_slack_wait:>5}   {ms(bare.percentile(0.5)):>8} "
            f"{ms(bare.percentile(0.99)):>8}"
        )
        for line in load.failure_lines() + [f"bare: {x}" for x in bare.failure_lines()]:
            print(f"      {line}")
    print("  * winterbot's App Home: from the event to the double receiving that lead's views.publish")
    _report_after(o, args)
    verdicts = _verdicts(o)
    for text, ok in verdicts:
        print(f"  {'ok  ' if ok else 'FAIL'} {text}")
    return verdicts


def _report_after(o: Outcome, args: argparse.Namespace) -> None:
    e = o.escalations
    delays = sorted(e.delays_s)
    print(
        f"  escalations: {e.expected} organisations' check-ins took a service to level 4 from below; "
        f"{len(delays)} reached {LEADS_CHANNEL}"
        + (f" (p50 {statistics.median(delays):.1f}s, max {delays[-1]:.1f}s)" if delays else "")
        + f"; {len(e.missing)} never within {args.escalation_wait:g}s of the last check-in"
        + (f" (e.g. {', '.join(e.missing[:3])})" if e.missing else "")
    )
    print(
        f"  escalations posted: {o.posted.to_leads} to {LEADS_CHANNEL}, {o.posted.to_members} to members' DMs; "
        f"the last {o.posted.last_after_s:.1f}s after the last check-in's answer"
    )
    backlog = f"{o.backlog_s:.1f}s" if o.backlog_s is not None else f"not within {args.escalation_wait:g}s"
    rss = f"{o.rss_mb:.0f} MB" if o.rss_mb else "unknown"
    print(
        f"  web server: peak RSS {rss}; backlog (its CPU; Homes, prompt updates and escalations from either "
        f"process) cleared {backlog} after the last check-in's answer"
    )
    print(
        f"  clock: {o.prompts.delivered} prompts delivered, first to last {o.prompts.seconds:.1f}s; "
        f"{o.prompts.refused} chat.postMessage calls answered 429 by the double"
    )
    print(f"  load generator: the latest request started {o.lag_ms:.0f} ms after its planned time")
    for count, text in harness.log_problems(o.log):
        print(f"  server log: {count} x {text}")


def _verdicts(o: Outcome) -> list[tuple[str, bool]]:
    slow = o.winterbot[CHECKIN].over_slack_wait
    found = [(f"check-ins over 3 s: {slow} == 0", slow == 0)]
    for kind, load in o.winterbot.items():
        p99 = load.percentile(0.99)
        found.append((f"{kind}: p99 {p99:.0f} ms < {P99_LIMIT_MS:.0f} ms", p99 < P99_LIMIT_MS))
    worst = max(o.escalations.delays_s, default=0.0)
    in_time = not o.escalations.missing and worst <= ESCALATION_LIMIT_SECONDS
    said = (
        f"level 4 with the leads: max {worst:.1f}s, {len(o.escalations.missing)} missing; "
        f"all within {ESCALATION_LIMIT_SECONDS:g}s"
    )
    found.append((said, in_time))
    return found


# ---------------------------------------------------------------- the command line


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--pg",
        default=os.environ.get("TEST_DATABASE_URL"),
        help="a PostgreSQL URL: measure there (in a fresh schema each run) as well as on SQLite",
    )
    parser.add_argument("--only", choices=("sqlite", "postgres"), help="measure on one database only")
    parser.add_argument("--partners", type=int, default=1000, help="partners who check in (default 1000)")
    parser.add_argument("--rates", default="1.67,5", help="check-ins a second, comma-separated (default 1.67,5)")
    parser.add_argument("--probe-every", type=float, default=2.0, help="seconds between each kind of lead probe")
    parser.add_argument(
        "--escalation-wait",
        type=float,
        default=120.0,
        help="seconds after the last check-in to wait for escalations and the backlog",
    )
    parser.add_argument("--no-bare", dest="bare", action="store_false", help="skip the bare app's run")
    parser.add_argument("--seed", type=int, default=2027)
    parser.add_argument("--logs", help="a folder to keep the servers' logs in (default: a temp folder)")
    args = parser.parse_args(argv)
    try:
        args.rates = [float(r) for r in args.rates.split(",") if r.strip()]
    except ValueError:
        parser.error(f"--rates takes numbers, like 1.67,5: not {args.rates!r}")
    if not args.rates or min(args.rates) <= 0 or args.partners < 10 or args.probe_every <= 0:
        parser.error("--rates must be positive, --partners at least 10, --probe-every positive")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    harness.exit_on_sigterm()
    databases = harness.databases_to_measure(args.only, args.pg)
    failed: list[str] = []
    with tempfile.TemporaryDirectory(prefix="winterbot-peak-") as tmp:
        logs = Path(args.logs) if args.logs else Path(tmp)
        logs.mkdir(parents=True, exist_ok=True)
        for name in databases:
            for rate in args.rates:
                try:
                    with harness.database(args.pg if name == "postgres" else None) as (database, url):
                        outcome = run(database, url, rate, args, logs)
                except SetupError as error:
                    print(f"{name} at {rate:g}/s: the set-up failed: {error}", file=sys.stderr)
                    return 1
                failed += [f"{name} {rate:g}/s: {text}" for text, ok in report(outcome, args) if not ok]
    print(
        f"\n{os.cpu_count()} CPUs shared by the server, the clock, this load generator and the Slack double; "
        f"measured {datetime.now():%Y-%m-%d %H:%M}"
    )
    print("targets: " + ("all hold" if not failed else "FAIL - " + "; ".join(failed)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
