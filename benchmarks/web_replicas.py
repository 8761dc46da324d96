"""Signed web check-ins against 1 and then 3 `winterbot serve` processes on one PostgreSQL: does
throughput grow with the replicas, with nothing held in one process that another must see?

What it does, for each number of processes (--processes, default 1,3):
- builds the peak programme (benchmarks/peak_programme.py: --partners partners, 60 working days
  of history) in a fresh PostgreSQL schema, dropped afterwards;
- starts that many `winterbot serve` processes, each on a port of its own (as replicas behind a
  load balancer are: a process, an engine and a pool each), at 10:00 on the peak day (time-
  machine, in those processes only), with the web pages on and Slack, Teams and Notify off;
- the load generator (benchmarks/web_replicas_load.py, a process of its own) opens
  --connections keep-alive connections spread round-robin over the ports, and
    1. GETs every partner's signed check-in link: the form, its CSRF cookie and field, its
       submission id ("forms");
    2. POSTs every form with a partner's answers, each through a replica other than the one
       that showed it when there are several ("check-ins", the figure that matters);
    3. POSTs the first --replays forms again through yet another replica: each must be answered
       "already received" and store nothing;
    4. the reference, through the same processes and connections: GET of a static file (no
       database) and /healthz (one `SELECT 1`) for --duration seconds each;
- counts in the database: one check-in per partner for the day, one submission id per form.

Prints, per phase: requests, failures, req/s, p50, p99, the servers' and the generator's CPU;
then the ratio of the last number of processes to the first, for each phase. The goal: 3
processes give at least 2.2 times the check-ins a second of one.

Run: python benchmarks/web_replicas.py --pg postgresql://postgres@127.0.0.1:5432/bench_h5
       [--processes 1,3] [--partners 1000] [--connections 24] [--duration 8] [--replays 50]
       [--cpus 0,1]   (pin the servers to these CPUs; the generator and PostgreSQL are not)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime
from datetime import time as clock
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.load_servers import (
    HARNESS,
    Process,
    SetupError,
    Travel,
    exit_on_sigterm,
    free_port,
    healthy,
    log_problems,
    settle,
    started,
)

PUBLIC = "http://127.0.0.1"  # WINTERBOT_PUBLIC_URL: the origin the forms are posted from
SECRET = "web-replicas-benchmark-secret"
LOAD = str(Path(__file__).resolve().with_name("web_replicas_load.py"))
GOAL = 2.2
SEED = 7


@dataclass
class Phase:
    name: str
    requests: int
    failures: list[str]
    wall: float
    p50_ms: float
    p99_ms: float
    server_cpu: float
    generator_cpu: float
    database_cpu: float  # CPU seconds of the PostgreSQL backends serving the benchmark's database
    machine_busy: float  # the share of all the machine's CPUs busy meanwhile (PostgreSQL's too)
    sessions: int  # PostgreSQL sessions begun meanwhile: connections the servers' pools opened

    @property
    def rate(self) -> float:
        return self.requests / self.wall if self.wall else 0.0


@dataclass
class Run:
    processes: int
    phases: dict[str, Phase]
    counted: dict[str, int]
    problems: list[tuple[int, str]]


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else float("nan")


def server_env(url: str) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": url, "WINTERBOT_PUBLIC_URL": PUBLIC, "WINTERBOT_WEB_SECRET": SECRET}
    env |= {"PYTHONUNBUFFERED": "1"}
    for name in [n for n in env if n.startswith(("SLACK_", "NOTIFY_", "TEAMS_"))] + ["CLIENT_ID", "CLIENT_SECRET"]:
        env.pop(name, None)  # the web pages alone
    return env


def partners(url: str) -> list[int]:
    from sqlalchemy import text

    from models.db import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            found = connection.execute(text("SELECT id FROM member WHERE role = 'partner' ORDER BY id"))
            return [row[0] for row in found]
    finally:
        engine.dispose()


def counted(url: str, day: Any) -> dict[str, int]:
    """What the database holds for the day: check-ins, distinct partners, submission ids."""
    from sqlalchemy import text

    from models.db import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            one = connection.execute(
                text("SELECT count(*), count(DISTINCT member_id) FROM check_in WHERE local_date = :day"), {"day": day}
            ).one()
            seen = connection.execute(text("SELECT count(*) FROM request_seen WHERE key LIKE 'web-checkin:%'")).scalar()
            return {"check-ins": one[0], "partners": one[1], "submission ids": int(seen or 0)}
    finally:
        engine.dispose()


def machine_ticks() -> tuple[int, int]:
    """(busy, all) jiffies of every CPU since boot (/proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    return sum(values) - idle, sum(values)


def database_cpu(database: str) -> float:
    """CPU seconds so far of the PostgreSQL backends connected to `database` (a backend that
    ends meanwhile takes its seconds with it: with no connections churned, none does)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if f" {database} " not in (stat.parent / "cmdline").read_text().replace("\0", " "):
                continue
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def sessions(pg: str) -> int:
    """PostgreSQL sessions begun in the benchmark's database so far."""
    out = subprocess.run(
        ["psql", pg.replace("postgresql+psycopg://", "postgresql://"), "-Atc",
         "SELECT sessions FROM pg_stat_database WHERE datname = current_database()"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    return int(out.stdout.strip() or 0)


def generate(
    name: str, spec: dict[str, Any], servers: list[Process], work: Path, pg: str
) -> tuple[Phase, dict[str, Any]]:
    """One phase, run by the generator in a process of its own; what it measured."""
    spec_path, out_path = work / f"{spec['phase']}.json", work / f"{spec['phase']}-out.json"
    spec_path.write_text(json.dumps(spec))
    before, ticks, began = sum(s.cpu_seconds() for s in servers), machine_ticks(), sessions(pg)
    database = pg.rsplit("/", 1)[-1].split("?", 1)[0]
    in_database = database_cpu(database)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, LOAD, str(spec_path), str(out_path)], check=True, timeout=900)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy, total = (b - a for b, a in zip(machine_ticks(), ticks, strict=True))
    out = json.loads(out_path.read_text())
    latencies = out["latencies"]
    measured = Phase(
        name,
        len(latencies),
        out["failures"],
        out["wall"],
        quantile(latencies, 0.50),
        quantile(latencies, 0.99),
        sum(s.cpu_seconds() for s in servers) - before,
        (after.ru_utime - children.ru_utime) + (after.ru_stime - children.ru_stime),
        database_cpu(database) - in_database,
        busy / total if total else 0.0,
        sessions(pg) - began - 1,  # not the psql that counts them
    )
    return measured, out


def measure(processes: int, args: argparse.Namespace, logs: Path) -> Run:
    from benchmarks.peak_programme import DAY, TZ, build_peak_programme
    from benchmarks.spend import postgres_schema
    from bot.common.web_links import checkin_url

    with ExitStack() as stack:
        url = stack.enter_context(postgres_schema(args.pg))
        began = time.perf_counter()
        build_peak_programme(url, args.partners, SEED)
        members = partners(url)
        print(f"  {processes}: built {len(members)} partners in {time.perf_counter() - began:.1f}s", file=sys.stderr)
        travel = Travel.starting(datetime.combine(DAY, clock(10, 0), ZoneInfo(TZ)))
        servers, ports = [], [free_port() for _ in range(processes)]
        for i, port in enumerate(ports):
            argv = [HARNESS, "travel", *travel.args(), "--", "serve", "--port", str(port), "--host", "127.0.0.1"]
            log = logs / f"serve-{processes}-{i}.log"
            servers.append(stack.enter_context(started("winterbot serve", argv, server_env(url), log, healthy(port))))
        if args.cpus:
            for server in servers:
                os.sched_setaffinity(server.pid, args.cpus)
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="web-replicas-")))
        links = [[m, checkin_url(PUBLIC, SECRET, m, DAY, TZ).removeprefix(PUBLIC)] for m in members]
        base = {"ports": ports, "connections": args.connections, "origin": PUBLIC}
        phases: dict[str, Phase] = {}
        phases["forms"], out = generate("forms", {**base, "phase": "forms", "links": links}, servers, work, args.pg)
        prepared = [form for form in out["prepared"] if form is not None]
        settle(servers)
        phases["check-ins"], _ = generate(
            "check-ins", {**base, "phase": "send", "prepared": prepared}, servers, work, args.pg
        )
        again = [dict(form, shown_by=ports[(ports.index(form["shown_by"]) + 1) % processes]) for form in prepared]
        replay = {**base, "phase": "send", "prepared": again[: args.replays], "expect": "again"}
        phases["replays"], _ = generate("replays", replay, servers, work, args.pg)
        for name, path in (("static file", "/static/winterbot.css"), ("/healthz", "/healthz")):
            settle(servers)
            spec = {**base, "phase": "get", "path": path, "duration": args.duration}
            phases[name], _ = generate(name, spec, servers, work, args.pg)
        found = counted(url, DAY)
        problems = [p for s in servers for p in log_problems(s.log)]
    return Run(processes, phases, found, problems)


def report(runs: list[Run], args: argparse.Namespace) -> bool:
    print(f"\nweb check-ins, {args.partners} partners, {args.connections} connections, PostgreSQL")
    head = f"{'processes':>9} {'phase':<12} {'requests':>8} {'fail':>5} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}"
    print(
        head + f" {'server CPU s':>12} {'gen CPU s':>9} {'PG CPU s':>8} {'machine':>7} {'new conns':>9} {'wall s':>7}"
    )
    for run in runs:
        for p in run.phases.values():
            print(
                f"{run.processes:>9} {p.name:<12} {p.requests:>8} {len(p.failures):>5} {p.rate:>8.1f} {p.p50_ms:>8.1f}"
                f" {p.p99_ms:>8.1f} {p.server_cpu:>12.1f} {p.generator_cpu:>9.1f} {p.database_cpu:>8.1f} {p.machine_busy:>7.0%}"
                f" {p.sessions:>9} {p.wall:>7.1f}"
            )
        print(f"{'':>9} stored: {run.counted}")
        for count, text in run.problems[:6]:
            print(f"{'':>9} log: {count} x {text}")
        for p in run.phases.values():
            for failure in p.failures[:3]:
                print(f"{'':>9} {p.name} failed: {failure[:300]}")
    good = True
    for run in runs:
        sent = run.phases["check-ins"]
        once = run.counted["check-ins"] == run.counted["partners"] == sent.requests == run.counted["submission ids"]
        replays_refused = not run.phases["replays"].failures
        good &= once and replays_refused and not sent.failures
        print(
            f"{run.processes} process(es): every check-in stored exactly once: {once}; replays refused: {replays_refused}"
        )
    for run in runs:
        sent = run.phases["check-ins"]
        share = sent.server_cpu / (sent.wall * run.processes)
        print(
            f"{run.processes} process(es), check-ins: {sent.server_cpu / sent.requests * 1000:.1f} ms of server CPU and"
            f" {sent.database_cpu / sent.requests * 1000:.1f} ms of PostgreSQL's each; each process had {share:.0%} of"
            f" a core; {sent.requests / sent.server_cpu:.1f} check-ins a second per core of server CPU"
        )
    first, last = runs[0], runs[-1]
    if len(runs) > 1:
        print(f"\n{last.processes} processes / {first.processes}:")
        for name, p in last.phases.items():
            if name != "replays":
                print(f"  {name:<12} {p.rate / first.phases[name].rate:.2f}x")
        ratio = last.phases["check-ins"].rate / first.phases["check-ins"].rate
        print(
            f"goal: check-ins at least {GOAL}x with {last.processes}: {'met' if ratio >= GOAL else 'NOT met'} ({ratio:.2f}x)"
        )
        a, b = first.phases["check-ins"], last.phases["check-ins"]
        per_core = (b.requests / b.server_cpu) / (a.requests / a.server_cpu)
        cores = last.processes * (1 + b.database_cpu / b.server_cpu)
        print(
            f"with a core for each process (and {cores:.1f} cores in all, PostgreSQL's share included):"
            f" {last.processes} x {per_core:.2f} = {last.processes * per_core:.2f}x one process at a full core"
        )
    return good


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pg", default=os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL"))
    parser.add_argument("--processes", default="1,3", help="numbers of web processes to measure, in order")
    parser.add_argument("--partners", type=int, default=1000)
    parser.add_argument("--connections", type=int, default=24)
    parser.add_argument("--duration", type=float, default=8.0, help="seconds of each reference")
    parser.add_argument("--replays", type=int, default=50)
    parser.add_argument("--cpus", type=lambda s: {int(c) for c in s.split(",")}, help="pin the servers to these CPUs")
    args = parser.parse_args(argv)
    if not args.pg:
        parser.error("a PostgreSQL URL is needed: --pg, BENCH_DATABASE_URL or TEST_DATABASE_URL")
    args.counts = [int(n) for n in args.processes.split(",")]
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    exit_on_sigterm()
    logs = Path(tempfile.mkdtemp(prefix="web-replicas-logs-"))
    try:
        runs = [measure(n, args, logs) for n in args.counts]
    except SetupError as error:
        print(f"set-up failed: {error}", file=sys.stderr)
        return 1
    report(runs, args)
    print(f"(server logs in {logs})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
