"""More machines when one is not enough (issue 19): the daily prompt to 5,000 partners of 20
programmes in 5 Slack workspaces, by 1 and by 3 worker processes on one PostgreSQL.

Each workspace has its own token, and the Slack double (benchmarks/workspace_double.py) lets each
take 50 posts in any second, answering 429 with Retry-After beyond that. The workspaces are
unequal (--shares), so the rate-limit floor is the largest workspace's prompts over its limit:
no number of processes can send faster. Every worker is a real OS process that, at one shared
instant, runs the clock's tick for daily-prompts as `winterbot clock --threads 4
--programmes-at-once 20` would, with the production wiring of many workspaces: each workspace's
installation and bot token in the database (as /slack/install stores them), and the context bound
to each programme's workspace messenger (bot.app.wiring.build_context, handlers.slack.workspaces).
The workers take disjoint keys from the ledger (SKIP LOCKED) and keep each workspace's limit
together (bot.sending.limits).

Prints, for each number of workers: the fan-out's wall time (the shared start to the last post
Slack accepted) against the floor, delivered, duplicates, lost, the 429s the double answered,
and the busiest second any workspace saw; and what a place in the shared limit costs a send on
PostgreSQL and on SQLite. Goals: 0 duplicates, 0 lost, and with 3 workers within 1.25x the floor.

Run: python benchmarks/many_areas.py [--database URL] [--workers 1 3] [--threads 4] [--at-once 20]
A fresh schema of the database is made for each run and dropped afterwards. The defaults are the
settings measured best on a 2-core machine for many areas: 4 sender threads a programme (a send
takes tens of milliseconds there, so 16 a workspace in each worker keep 50 a second going; more
only queue for places in the limit and cost CPU) and all 20 programmes at once (the clock's
default of 8 leaves a workspace's last programmes waiting for another's: 1.6x the floor).
--batch N claims N keys a statement (the clock claims 1). --profile FILE writes each worker's
CPU profile (yappi) to see where a send's time goes.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date
from datetime import time as clock
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))


from slack_sdk.oauth.installation_store import Installation

from benchmarks.fanout import add_partners
from benchmarks.spend import postgres_schema
from benchmarks.workspace_double import WorkspaceDouble
from bot.app.wiring import build_context
from bot.common.calendar import local_instant
from handlers.slack.oauth import installation_store
from models import Programme, make_engine, migrate, session_scope
from models.tables import row_id

DAY = date(2027, 1, 5)  # a Tuesday
JOB = "daily-prompts"
SHARES = (32, 24, 20, 14, 10)  # per cent of the partners in each workspace: unequal on purpose
START_AFTER = 8.0  # seconds for the workers to start and import before the shared instant


@dataclass(frozen=True)
class Area:
    team: str
    token: str
    slugs: tuple[str, ...]
    partners: int


def areas(partners: int, programmes: int, shares: tuple[int, ...]) -> list[Area]:
    per_area = programmes // len(shares)
    counts = [partners * share // sum(shares) for share in shares]
    counts[0] += partners - sum(counts)
    return [
        Area(f"T0AREA{w}", f"xoxb-area-{w}", tuple(f"area-{w}-{p}" for p in range(per_area)), n)
        for w, n in enumerate(counts)
    ]


def build(url: str, found: list[Area]) -> None:
    engine = make_engine(url)
    migrate(engine)
    serial = 0
    for area in found:
        for p, slug in enumerate(area.slugs):
            members = area.partners // len(area.slugs) + (1 if p < area.partners % len(area.slugs) else 0)
            with session_scope(engine) as session:
                programme = Programme(
                    slug=slug,
                    name=f"Winter fund {slug}",
                    deadline=date(2027, 3, 31),
                    channel=f"C0{slug.upper().replace('-', '')}",
                    checkin_time=clock(9, 30),
                    reminder_time=clock(14),
                    brief_time=clock(8, 30),
                    digest_time=clock(15),
                    slack_team_id=area.team,
                )
                session.add(programme)
                session.flush()
                add_partners(session, row_id(programme), members, first=serial + 1)
                serial += members
    store = installation_store(oauth_settings(url, ""), engine)
    for area in found:  # as /slack/oauth_redirect stores each workspace's install
        store.save(
            Installation(
                app_id="A0WINTERBOT",
                team_id=area.team,
                user_id="U0INSTALLER",
                bot_token=area.token,
                bot_id=f"B{area.team}",
                bot_user_id=f"U{area.team}",
                bot_scopes="chat:write,im:history",
                installed_at=time.time(),
            )
        )
    engine.dispose()


def oauth_settings(url: str, double: str, rate: int = 50) -> Any:
    """What a worker runs with: the OAuth install of many workspaces, each token in the database."""
    from bot.common.config import Settings

    return Settings(
        database_url=url,
        slack_client_id="bench.client",
        slack_client_secret="bench-secret",
        slack_signing_secret="bench-signing",
        slack_api_url=double or "http://127.0.0.1:9/api/",
        slack_posts_per_second=rate,
    )


# ------------------------------------------------------------------ one worker process


def worker(args: argparse.Namespace) -> int:
    """A clock process: at the shared instant, the tick's daily-prompts for every programme."""
    from bot.sending import scheduler
    from bot.sending.jobs import fanout

    fanout.CLAIM_AT_ONCE = args.batch
    engine = make_engine(args.url)  # the clock's own pool
    built = build_context(oauth_settings(args.url, args.double, args.rate), engine, workers=args.threads)
    ctx = replace(built, programmes_at_once=args.at_once)  # the clock's --threads and --programmes-at-once
    time.sleep(max(0.0, args.start - time.time()))
    now = local_instant(DAY, clock(9, 30))
    if args.profile:
        import yappi  # a profile of every thread: python benchmarks/many_areas.py --profile FILE

        yappi.set_clock_type("cpu")
        yappi.start()
    results = scheduler.tick(ctx, now, jobs=(JOB,))
    if args.profile:
        yappi.stop()
        yappi.get_func_stats().save(f"{args.profile}.{os.getpid()}", type="pstat")
    summary = Counter()
    for r in results:
        summary.update(sent=r.sent, already_sent=r.already_sent, failed=r.failed, retrying=r.retrying)
        summary.update({f"skipped {k}": v for k, v in r.skipped.items()})
    print(json.dumps({"ended": time.time(), "cpu": time.process_time(), **summary}))
    engine.dispose()
    return 0


# ------------------------------------------------------------------ the run


def prompt_keys(double: WorkspaceDouble) -> list[str]:
    keys = [(m.get("metadata") or {}).get("event_payload", {}).get("key", "") for m in double.history_all()]
    return [k for k in keys if k.split(":")[1:2] == [JOB]]


def run(base_url: str, workers: int, args: argparse.Namespace, found: list[Area]) -> bool:
    with postgres_schema(base_url) as url, WorkspaceDouble({a.token: a.team for a in found}, args.rate) as double:
        build(url, found)
        start = time.time() + START_AFTER + workers
        command = [
            sys.executable,
            __file__,
            "worker",
            "--url",
            url,
            "--double",
            double.url,
            "--start",
            repr(start),
            "--rate",
            str(args.rate),
            "--threads",
            str(args.threads),
            "--batch",
            str(args.batch),
            "--at-once",
            str(args.at_once),
            *(["--profile", args.profile] if args.profile else []),
        ]
        with tempfile.TemporaryDirectory(prefix="winterbot-areas-") as tmp:
            logs = [Path(tmp) / f"worker{n}.log" for n in range(workers)]
            procs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log.open("w"), text=True) for log in logs]
            outs = [p.communicate(timeout=args.timeout)[0] for p in procs]
            problems = [
                line for log in logs for line in log.read_text(errors="replace").splitlines() if "Traceback" in line
            ]
            if any(p.returncode for p in procs) or problems:
                for log in logs:
                    print(log.read_text(errors="replace")[-3000:], file=sys.stderr)
        reports = [json.loads(out.strip().splitlines()[-1]) for out in outs if out.strip()]
        keys = prompt_keys(double)
        accepted = [t for times in double.accepted.values() for t in times]
        wall = max(accepted) - start if accepted else float("nan")
        first = min(accepted) - start if accepted else float("nan")
        busiest = max(double.busiest_second(a.token) for a in found)
        refused = sum(double.refused.values())
        each = [
            f"{a.team} {len(double.accepted[a.token])} from {min(double.accepted[a.token], default=start) - start:.1f} s "
            f"to {max(double.accepted[a.token], default=start) - start:.1f} s, {double.refused[a.token]} 429s"
            for a in found
        ]
    expected = sum(a.partners for a in found)
    floor = max(a.partners for a in found) / args.rate
    delivered = len(set(keys))
    duplicates = len(keys) - delivered
    sent = sum(r.get("sent", 0) for r in reports)
    cpu = sum(r.get("cpu", 0.0) for r in reports) / max(1, delivered) * 1000
    print(
        f"{workers:>7} {wall:>7.1f} {floor:>6.1f} {wall / floor:>6.2f} {delivered:>9} {duplicates:>5} "
        f"{expected - delivered:>5} {refused:>5} {busiest:>8} {first:>7.1f} {sent:>6}",
        flush=True,
    )
    print("        " + "; ".join(each), flush=True)
    print(f"        the workers' CPU: {cpu:.1f} ms a prompt (start-up and set-up included)", flush=True)
    return duplicates == 0 and delivered == expected


def limiter_cost(base_url: str, takes: int = 1000) -> str:
    """Milliseconds a send spends taking its place in the shared limit, uncontended."""
    from bot.sending.limits import SharedLimit

    figures = []
    with tempfile.TemporaryDirectory(prefix="winterbot-limits-") as tmp, postgres_schema(base_url) as pg:
        for name, url in (("PostgreSQL", pg), ("SQLite", f"sqlite:///{Path(tmp) / 'limits.db'}")):
            engine = make_engine(url)
            migrate(engine)
            limit = SharedLimit(engine, "slack:T0COST", 1_000_000)
            began = time.perf_counter()
            for _ in range(takes):
                limit.wait()
            figures.append(f"{(time.perf_counter() - began) / takes * 1000:.2f} ms on {name}")
            engine.dispose()
    return "a place in the shared limit costs a send " + ", ".join(figures)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", nargs="?", default="run", choices=("run", "worker"))
    parser.add_argument("--database", "--url", dest="url", default=os.environ.get("TEST_DATABASE_URL"))
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 3])
    parser.add_argument("--partners", type=int, default=5000)
    parser.add_argument("--programmes", type=int, default=20)
    parser.add_argument("--rate", type=int, default=50, help="posts a workspace may make in any second")
    parser.add_argument("--threads", type=int, default=4, help="sender threads a programme's fan-out, a worker")
    parser.add_argument("--batch", type=int, default=1, help="keys a sender claims in one statement")
    parser.add_argument("--at-once", type=int, default=20, help="programmes a worker's tick runs side by side")
    parser.add_argument("--timeout", type=float, default=900.0)
    parser.add_argument("--profile", help="each worker's CPU profile to FILE.PID (needs yappi)")
    parser.add_argument("--double", help=argparse.SUPPRESS)
    parser.add_argument("--start", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not args.url or not args.url.startswith("postgres"):
        print("give a PostgreSQL URL with --database or TEST_DATABASE_URL", file=sys.stderr)
        return 2
    if args.what == "worker":
        return worker(args)
    found = areas(args.partners, args.programmes, SHARES)
    print(
        f"{args.partners} partners, {args.programmes} programmes in {len(found)} Slack workspaces "
        f"({', '.join(str(a.partners) for a in found)} partners), each workspace {args.rate} posts a second; "
        f"PostgreSQL; {args.threads} threads a fan-out, claims of {args.batch}, {args.at_once} programmes at once; "
        f"{os.cpu_count()} cores; {time.strftime('%Y-%m-%d %H:%M')}"
    )
    print(limiter_cost(args.url))
    print(
        f"{'workers':>7} {'wall s':>7} {'floor':>6} {'x':>6} {'delivered':>9} {'dupes':>5} {'lost':>5} "
        f"{'429s':>5} {'max 1 s':>8} {'first s':>7} {'sent':>6}"
    )
    results = [run(args.url, n, args, found) for n in args.workers]  # every run, even after a failure
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
