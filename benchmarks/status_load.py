"""`/winter status` under load: `winterbot serve` holding the large programme against a bare Bolt
`AsyncApp` whose `/winter` handler only acks, both driven in one go on this machine.

What it does:
- builds the large programme of benchmarks/spend.py (200 organisations, 60 schemes, 120 working
  days of reports; benchmarks/large_programme.py) in a fresh SQLite file, or in a fresh
  PostgreSQL schema (dropped afterwards) with --pg URL or TEST_DATABASE_URL; the asker is the
  programme's first lead;
- starts `winterbot serve` (bot.cli, one uvicorn worker) as a subprocess with DATABASE_URL,
  SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET and SLACK_API_URL pointing at the loopback Slack double
  (tests/slack_double.py: the one auth.test Bolt makes never leaves the machine), and waits for
  /healthz;
- starts the bare app as a subprocess too: an AsyncApp with the same token, signing secret and
  Web API double, behind the same Starlette async adapter, uvicorn and logging set-up as
  bot.server.serve, so the two differ only in what `/winter` does;
- drives each with --connections (20) keep-alive HTTP/1.1 connections, one asyncio worker per
  connection, each request a freshly signed `/winter status`: a --warmup then --duration seconds
  measured. A winterbot answer counts only when it is 200 and the ephemeral status screen (JSON
  with blocks, naming the programme); the bare app's when it is 200. Anything else is a failure.

The clock (--clock): `programme` (the default) runs winterbot at LARGE_TODAY 11:30 Europe/London,
after that day's reports, with the clock ticking (time-machine, in the server process only):
the status then has today's check-ins, money at the day's figures and fresh capacity cells, as
a lead would see it mid-morning. The requests are signed at the server's clock, so Bolt's
five-minute replay check holds. `real` runs it at the machine's date, whatever part of the data
that falls on (before the data's last day, the status has less history to read: not the load asked for).

Prints requests/s, p50 and p99 for both, the ratio winterbot / bare, and whether the targets
hold: p99 under 500 ms and at least a quarter of the bare app's throughput ("FAIL" when not).
Exits 0 either way (1 only when the set-up fails).

Run: python benchmarks/status_load.py [--pg URL] [--connections 20] [--duration 10] [--warmup 2]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime, time as clock, timezone
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

P99_LIMIT_MS = 500.0
SHARE_OF_BARE = 0.25
SECRET = "0123456789abcdef0123456789abcdef"
STARTUP_SECONDS = 60.0
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"  # bot.server.LOG_FORMAT
AT_LOCAL = clock(11, 30)  # on LARGE_TODAY, after the day's check-ins (10:xx) and spend (11:xx)


# ---------------------------------------------------------------- the two servers (subprocesses)

def serve_winterbot(port: int, at: str | None) -> None:
    """`winterbot serve` on 127.0.0.1:port, at the instant `at` (ISO, ticking) when given."""
    from bot.cli import main

    argv = ["serve", "--port", str(port), "--host", "127.0.0.1"]
    if at is None:
        raise SystemExit(main(argv))
    import time_machine

    with time_machine.travel(datetime.fromisoformat(at), tick=True):
        raise SystemExit(main(argv))


def serve_bare(port: int) -> None:
    """A Bolt AsyncApp whose /winter handler only acks, served as bot.server.serve serves."""
    import logging

    import uvicorn
    from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    bolt = AsyncApp(
        name="bare",
        client=AsyncWebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"]),
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        logger=logging.getLogger("bare.slack"),
    )

    @bolt.command("/winter")
    async def winter(ack) -> None:  # type: ignore[no-untyped-def]
        await ack()

    handler = AsyncSlackRequestHandler(bolt)

    async def events(request: Request) -> Response:
        return await handler.handle(request)

    async def healthz(request: Request) -> Response:
        return JSONResponse({"ok": True})

    app = Starlette(routes=[Route("/healthz", healthz, methods=["GET"]), Route("/slack/events", events, methods=["POST"])])
    uvicorn.run(app, host="127.0.0.1", port=port, lifespan="on", log_config=None)


# ---------------------------------------------------------------- the programme

@dataclass(frozen=True)
class Programme:
    url: str
    slug: str
    name: str
    asker: str  # a lead's Slack user id


def build(url: str) -> Programme:
    from sqlmodel import Session, col, select

    from benchmarks.large_programme import build_large_programme
    from models.db import make_engine
    from models.tables import Member, Programme as ProgrammeRow

    engine = make_engine(url)
    try:
        started = time.perf_counter()
        slug = build_large_programme(engine, organisations=200, schemes=60, working_days=120)
        with Session(engine) as session:
            programme = session.exec(select(ProgrammeRow).where(ProgrammeRow.slug == slug)).one()
            lead = session.exec(
                select(Member)
                .where(Member.programme_id == programme.id, Member.role == "lead", Member.platform == "slack")
                .order_by(col(Member.id))
            ).first()
            assert lead is not None, "the large programme has no lead"
            found = Programme(url=url, slug=slug, name=programme.name, asker=lead.platform_user_id)
        print(f"  built {slug} in {time.perf_counter() - started:.1f}s; the asker is lead {found.asker}", file=sys.stderr)
        return found
    finally:
        engine.dispose()


@contextmanager
def database(pg: str | None) -> Iterator[tuple[str, str]]:
    """(name, URL) of a fresh database: a SQLite file, or a PostgreSQL schema dropped afterwards."""
    if pg:
        from benchmarks.spend import postgres_schema

        with postgres_schema(pg) as url:
            yield "postgres", url
    else:
        with tempfile.TemporaryDirectory() as tmp:
            yield "sqlite", f"sqlite:///{Path(tmp) / 'large.db'}"


# ---------------------------------------------------------------- processes

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def process(args: list[str], env: dict[str, str], log: Path, port: int) -> Iterator[None]:
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, *args], env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        try:
            wait_healthy(port, proc, log)
            yield
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def wait_healthy(port: int, proc: subprocess.Popen[bytes], log: Path) -> None:
    import httpx

    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server stopped while starting:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the server did not answer /healthz in {STARTUP_SECONDS}s:\n{log.read_text()[-3000:]}")


# ---------------------------------------------------------------- the load

def command_body(user_id: str) -> bytes:
    from slack_double import APP_ID, TEAM_ID

    return urlencode({
        "token": "legacy-verification-token", "team_id": TEAM_ID, "team_domain": "winterbot-bench",
        "channel_id": "C0LARGE", "channel_name": "winter-programme", "user_id": user_id,
        "user_name": user_id.lower(), "command": "/winter", "text": "status", "api_app_id": APP_ID,
        "is_enterprise_install": "false", "response_url": "https://hooks.slack.com/commands/T0WINTER/1/abc",
        "trigger_id": "1000000000.1000000000.0123456789abcdef0123456789abcdef",
    }).encode()


def signed_request(port: int, body: bytes, timestamp: int) -> bytes:
    """A POST /slack/events as Slack sends it: `v0=` HMAC-SHA256 of `v0:{timestamp}:{body}`."""
    digest = hmac.new(SECRET.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256).hexdigest()
    head = (
        f"POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\nX-Slack-Request-Timestamp: {timestamp}\r\n"
        f"X-Slack-Signature: v0={digest}\r\n\r\n"
    )
    return head.encode() + body


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
        elif name.strip().lower() == "transfer-encoding" and "chunked" in value.lower():
            raise RuntimeError("chunked responses are not expected here")
    return status, (await reader.readexactly(length) if length else b"")


@dataclass
class Load:
    name: str
    requests: int
    failures: int
    seconds: float
    latencies_ms: list[float]
    first_failure: str | None

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies_ms)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def drive(name: str, port: int, body: bytes, check: Callable[[int, bytes], str | None], connections: int,
                warmup: float, duration: float, clock_offset: float) -> Load:
    """`connections` workers, each on its own keep-alive connection, each request freshly signed
    at the server's clock; latencies of the requests that start in the measured window."""
    latencies: list[float] = []
    failures = 0
    first_failure: str | None = None
    start = time.perf_counter()
    measure_from, stop_at = start + warmup, start + warmup + duration
    last_end = measure_from

    async def worker() -> None:
        nonlocal failures, first_failure, last_end
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while (began := time.perf_counter()) < stop_at:
                writer.write(signed_request(port, body, int(time.time() + clock_offset)))
                try:
                    status, content = await read_response(reader)
                    problem = check(status, content)
                except (OSError, asyncio.IncompleteReadError, ValueError, RuntimeError) as error:
                    problem = f"{type(error).__name__}: {error}"
                    writer.close()
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
                ended = time.perf_counter()
                if began < measure_from:
                    continue
                last_end = max(last_end, ended)
                latencies.append((ended - began) * 1000)
                if problem is not None:
                    failures += 1
                    first_failure = first_failure or problem
        finally:
            writer.close()

    await asyncio.gather(*(worker() for _ in range(connections)))
    return Load(name, len(latencies), failures, last_end - measure_from, latencies, first_failure)


def status_check(programme_name: str) -> Callable[[int, bytes], str | None]:
    def check(status: int, content: bytes) -> str | None:
        if status != 200:
            return f"HTTP {status}: {content[:200]!r}"
        try:
            answer = json.loads(content)
        except ValueError:
            return f"not JSON: {content[:200]!r}"
        if answer.get("response_type") != "ephemeral" or not answer.get("blocks"):
            return f"not the ephemeral status screen: {content[:200]!r}"
        if programme_name not in content.decode():
            return f"the answer does not name the programme: {content[:300]!r}"
        return None

    return check


def bare_check(status: int, content: bytes) -> str | None:
    return None if status == 200 else f"HTTP {status}: {content[:200]!r}"


# ---------------------------------------------------------------- the run

def programme_instant() -> datetime:
    from benchmarks.large_programme import LARGE_TODAY, TZ
    from bot.calendar import local_instant

    return local_instant(LARGE_TODAY, AT_LOCAL, TZ).astimezone(timezone.utc)


def run(database_name: str, url: str, args: argparse.Namespace, logs: Path) -> tuple[Load, Load]:
    from slack_double import BOT_TOKEN, SlackDouble

    programme = build(url)
    at = programme_instant() if args.clock == "programme" else None
    offset = (at.timestamp() - time.time()) if at else 0.0
    script = str(Path(__file__).resolve())
    with SlackDouble() as slack, ExitStack() as stack:
        env = {
            **os.environ, "DATABASE_URL": url, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": slack.url, "PYTHONUNBUFFERED": "1",
        }
        env.pop("SLACK_APP_TOKEN", None)
        bot_port, bare_port = free_port(), free_port()
        bot_args = [script, "--serve-winterbot", str(bot_port)] + (["--at", at.isoformat()] if at else [])
        stack.enter_context(process(bot_args, env, logs / f"winterbot-{database_name}.log", bot_port))
        stack.enter_context(process([script, "--serve-bare", str(bare_port)], env, logs / f"bare-{database_name}.log", bare_port))
        body = command_body(programme.asker)
        print(f"  {database_name}: winterbot on :{bot_port}, bare on :{bare_port}; "
              f"{args.connections} connections, {args.warmup:g}s warm-up, {args.duration:g}s measured", file=sys.stderr)
        bare = asyncio.run(drive("bare AsyncApp", bare_port, body, bare_check, args.connections,
                                 args.warmup, args.duration, 0.0))
        winterbot = asyncio.run(drive("winterbot status", bot_port, body, status_check(programme.name),
                                      args.connections, args.warmup, args.duration, offset))
        slack_calls = slack.methods()
    print(f"  {database_name}: Slack Web API calls (to the double): {dict((m, slack_calls.count(m)) for m in set(slack_calls))}",
          file=sys.stderr)
    return winterbot, bare


def report(database_name: str, winterbot: Load, bare: Load) -> list[str]:
    print(f"\n{database_name}:")
    print(f"  {'':<18} {'requests':>9} {'failures':>9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}")
    for load in (winterbot, bare):
        print(f"  {load.name:<18} {load.requests:>9} {load.failures:>9} {load.per_second:>8.1f} "
              f"{load.percentile(0.5):>8.1f} {load.percentile(0.99):>8.1f}")
        if load.first_failure:
            print(f"    first failure: {load.first_failure}")
    ratio = winterbot.per_second / bare.per_second if bare.per_second else 0.0
    print(f"  throughput ratio winterbot / bare: {ratio:.4f} ({ratio:.1%})")
    verdicts = [
        (f"p99 {winterbot.percentile(0.99):.0f} ms < {P99_LIMIT_MS:.0f} ms", winterbot.percentile(0.99) < P99_LIMIT_MS),
        (f"throughput {ratio:.1%} >= {SHARE_OF_BARE:.0%} of bare", ratio >= SHARE_OF_BARE),
        (f"failures {winterbot.failures + bare.failures} == 0", winterbot.failures + bare.failures == 0),
    ]
    failed = []
    for text, ok in verdicts:
        print(f"  {'ok  ' if ok else 'FAIL'} {text}")
        if not ok:
            failed.append(f"{database_name}: {text}")
    return failed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pg", default=os.environ.get("TEST_DATABASE_URL"),
                        help="a PostgreSQL URL: measure there (in a fresh schema) as well as on SQLite")
    parser.add_argument("--only", choices=("sqlite", "postgres"), help="measure on one database only")
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds measured per server")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of warm-up per server (not measured)")
    parser.add_argument("--clock", choices=("programme", "real"), default="programme",
                        help="winterbot's clock: LARGE_TODAY 11:30 London, ticking (default), or today")
    parser.add_argument("--logs", help="a folder to keep the servers' logs in (default: a temp folder)")
    parser.add_argument("--serve-winterbot", type=int, metavar="PORT", help=argparse.SUPPRESS)
    parser.add_argument("--serve-bare", type=int, metavar="PORT", help=argparse.SUPPRESS)
    parser.add_argument("--at", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_winterbot:
        serve_winterbot(args.serve_winterbot, args.at)
        return 0
    if args.serve_bare:
        serve_bare(args.serve_bare)
        return 0

    databases = [name for name in ("sqlite", "postgres") if args.only in (None, name)]
    if "postgres" in databases and not args.pg:
        databases.remove("postgres")
        print("  (no --pg or TEST_DATABASE_URL: SQLite only)", file=sys.stderr)
    failed: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        logs = Path(args.logs) if args.logs else Path(tmp)
        logs.mkdir(parents=True, exist_ok=True)
        for name in databases:
            with database(args.pg if name == "postgres" else None) as (database_name, url):
                try:
                    winterbot, bare = run(database_name, url, args, logs)
                except RuntimeError as error:
                    print(f"{database_name}: the set-up failed: {error}", file=sys.stderr)
                    return 1
            failed += report(database_name, winterbot, bare)
    clock_said = "LARGE_TODAY 11:30 Europe/London" if args.clock == "programme" else "today"
    print(f"\nwinterbot's clock: {clock_said}; {args.connections} connections; one uvicorn worker each; "
          f"{os.cpu_count()} CPUs shared with this load generator")
    print("targets: " + ("all hold" if not failed else "FAIL - " + "; ".join(failed)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
