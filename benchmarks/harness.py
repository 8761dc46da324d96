"""What the load benchmarks (status_load.py, peak.py) share: the server processes, the clock
they run at, the database, Slack-signed requests, the Slack double's record, and the figures.

The benchmarks drive only winterbot's external interfaces: signed HTTP requests to a real
`winterbot serve` subprocess, the `winterbot clock` and `winterbot run-job` subprocesses, and
the loopback Slack Web API double (tests/slack_double.py) that they call. Their set-up writes
the database directly (bulk inserts) and, to leave it as the previous working day's clock would
have, runs that day's risk scan in this process with a messenger that sends nothing.

Run as a script, this file starts one of the processes a benchmark needs:

    python benchmarks/harness.py travel [--at ISO --epoch SECONDS] -- WINTERBOT-ARGS...
        `winterbot WINTERBOT-ARGS` with its clock at ISO when the real clock read SECONDS
        (time-machine, ticking), so every process of a run agrees on what time it is;
    python benchmarks/harness.py bare --port N
        a bare Bolt AsyncApp that only acks (/winter, any view_submission, app_home_opened),
        served as bot.app.server.serve serves winterbot (Starlette adapter, one uvicorn worker).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import itertools
import json
import logging
import math
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
for _path in (ROOT, ROOT / "tests"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from slack_double import (  # noqa: E402 -- tests/ is put on the path just above
    APP_ID,
    BOT_TOKEN,
    CANNED,
    TEAM_ID,
    Call,
    SlackDouble,
    dm_channel,
)
from slack_signing import SIGNING_SECRET  # noqa: E402

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"  # bot.app.server.LOG_FORMAT
STARTUP_SECONDS = 60.0
SLACK_WAITS_SECONDS = 3.0  # Slack gives up on an answer after three seconds
CLIENT_TIMEOUT_SECONDS = 30.0  # we wait longer, to see how late a late answer is
HARNESS = str(Path(__file__).resolve())


class SetupError(RuntimeError):
    """The benchmark could not be set up: the programme, a server or a job failed."""


# ---------------------------------------------------------------- the clock every process shares


@dataclass(frozen=True)
class Travel:
    """The servers' clock: `at` when the real clock read `epoch`, ticking from there; or the
    real clock when `at` is None. Requests are signed at this clock (Bolt refuses a signature
    more than five minutes from its own now)."""

    at: datetime | None
    epoch: float

    @classmethod
    def starting(cls, at: datetime | None) -> Travel:
        return cls(at, time.time())

    @property
    def offset(self) -> float:
        return self.at.timestamp() - self.epoch if self.at else 0.0

    def timestamp(self) -> int:
        return int(time.time() + self.offset)

    def args(self) -> list[str]:
        return ["--at", self.at.isoformat(), "--epoch", repr(self.epoch)] if self.at else []


def run_travelling(at: str | None, epoch: float | None, argv: list[str]) -> int:
    """`winterbot argv` at the shared clock (in this process only)."""
    from bot.app.cli import main

    if at is None or epoch is None:
        return main(argv)
    import time_machine

    destination = datetime.fromisoformat(at) + timedelta(seconds=time.time() - epoch)
    with time_machine.travel(destination, tick=True):
        return main(argv)


# ---------------------------------------------------------------- the bare app


def serve_bare(port: int) -> None:
    """A Bolt AsyncApp whose listeners only ack, served as bot.app.server.serve serves winterbot."""
    import uvicorn
    from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
    from slack_bolt.async_app import AsyncAck, AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient
    from starlette.applications import Starlette
    from starlette.requests import Request as HttpRequest
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    bolt = AsyncApp(
        name="bare",
        client=AsyncWebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"]),
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        logger=logging.getLogger("bare.slack"),
    )

    async def acked(ack: AsyncAck) -> None:
        await ack()

    async def nothing() -> None:
        return None

    bolt.command("/winter")(acked)
    bolt.view(re.compile(".*"))(acked)
    bolt.event("app_home_opened")(nothing)
    handler = AsyncSlackRequestHandler(bolt)

    async def events(request: HttpRequest) -> Response:
        return await handler.handle(request)

    async def healthz(request: HttpRequest) -> Response:
        return JSONResponse({"ok": True})

    routes = [Route("/healthz", healthz, methods=["GET"]), Route("/slack/events", events, methods=["POST"])]
    uvicorn.run(Starlette(routes=routes), host="127.0.0.1", port=port, lifespan="on", log_config=None)


# ---------------------------------------------------------------- processes


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def winterbot_env(url: str, slack: SlackDouble) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack.url,
        "PYTHONUNBUFFERED": "1",
        "WINTERBOT_LOG_LEVEL": "INFO",
    }
    for name in ("SLACK_APP_TOKEN", "CLIENT_ID", "CLIENT_SECRET"):
        env.pop(name, None)  # Slack over HTTP only: no Socket Mode, no Teams
    return env


class Process:
    """A subprocess of this benchmark, its output in `log`."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], log: Path) -> None:
        self.name, self.log = name, log
        self._out = open(log, "wb")  # noqa: SIM115 - closed in stop()
        self.popen = subprocess.Popen(
            [sys.executable, *args], env=env, cwd=ROOT, stdout=self._out, stderr=subprocess.STDOUT
        )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def tail(self, chars: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-chars:]

    def check_running(self) -> None:
        if self.popen.poll() is not None:
            raise SetupError(f"{self.name} stopped (exit {self.popen.returncode}):\n{self.tail()}")

    def cpu_seconds(self) -> float:
        """User and system CPU time so far (/proc/PID/stat); 0 once it has gone."""
        try:
            fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def peak_rss_mb(self) -> float | None:
        """VmHWM: the most resident memory the process has had."""
        try:
            for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        except OSError:
            return None
        return None

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        self._out.close()


@contextmanager
def started(
    name: str, args: list[str], env: dict[str, str], log: Path, ready: Callable[[Process], bool]
) -> Iterator[Process]:
    """The process, once `ready` says so (within STARTUP_SECONDS); stopped afterwards, always."""
    process = Process(name, args, env, log)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not ready(process):
            process.check_running()
            if time.monotonic() > deadline:
                raise SetupError(f"{name} was not ready in {STARTUP_SECONDS:g}s:\n{process.tail()}")
            time.sleep(0.1)
        yield process
    finally:
        process.stop()


def healthy(port: int) -> Callable[[Process], bool]:
    def ready(_: Process) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
                sock.sendall(f"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode())
                return sock.recv(64).startswith(b"HTTP/1.1 200")
        except OSError:
            return False

    return ready


def logged(text: str) -> Callable[[Process], bool]:
    return lambda process: text in process.log.read_text(errors="replace")


def winterbot_server(travel: Travel, env: dict[str, str], log: Path, port: int) -> Any:
    """`winterbot serve` on 127.0.0.1:port at the shared clock (a context manager)."""
    args = [HARNESS, "travel", *travel.args(), "--", "serve", "--port", str(port), "--host", "127.0.0.1"]
    return started("winterbot serve", args, env, log, healthy(port))


def winterbot_clock(travel: Travel, env: dict[str, str], log: Path) -> Any:
    """`winterbot clock` at the shared clock, once it has said it started (a context manager)."""
    args = [HARNESS, "travel", *travel.args(), "--", "clock"]
    return started("winterbot clock", args, env, log, logged("clock started"))


def bare_server(env: dict[str, str], log: Path, port: int) -> Any:
    return started("the bare app", [HARNESS, "bare", "--port", str(port)], env, log, healthy(port))


def run_winterbot(travel: Travel, env: dict[str, str], argv: list[str], log: Path) -> str:
    """A one-off `winterbot argv` (run-job, say) at the shared clock; its output, or SetupError."""
    args = [sys.executable, HARNESS, "travel", *travel.args(), "--", *argv]
    done = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    with open(log, "a") as out:
        out.write(f"$ winterbot {' '.join(argv)}\n{done.stdout}{done.stderr}\n")
    if done.returncode != 0:
        raise SetupError(f"winterbot {' '.join(argv)} exited {done.returncode}:\n{(done.stdout + done.stderr)[-3000:]}")
    return done.stdout.strip()


def settle(processes: Sequence[Process], idle_share: float = 0.05, window: float = 1.0, most: float = 60.0) -> float:
    """Wait until the processes use under `idle_share` of a core over `window` seconds (at most
    `most` seconds): what one measurement left behind stays out of the next. The seconds waited."""
    began = time.monotonic()
    while time.monotonic() - began < most:
        before = sum(p.cpu_seconds() for p in processes)
        time.sleep(window)
        if sum(p.cpu_seconds() for p in processes) - before < idle_share * window:
            break
    return time.monotonic() - began


def log_problems(log: Path, most: int = 6) -> list[tuple[int, str]]:
    """The commonest WARNING and ERROR lines and exceptions in a server's log, digits masked."""
    found: Counter[str] = Counter()
    pattern = re.compile(r"^\S+ \S+ (WARNING|ERROR|CRITICAL) (.*)$")
    exception = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception|Timeout|Exit)\b.*)$")
    for line in log.read_text(errors="replace").splitlines():
        match = pattern.match(line) or exception.match(line)
        if match:
            text = " ".join(g for g in match.groups() if g)
            found[re.sub(r"\d+", "#", text)[:200]] += 1
    return [(count, text) for text, count in found.most_common(most)]


def exit_on_sigterm() -> None:
    """A SIGTERM ends the benchmark through its `finally`s, so its servers stop too."""
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(1))


# ---------------------------------------------------------------- the database


def databases_to_measure(only: str | None, pg: str | None) -> list[str]:
    """ "sqlite" and "postgres" as --only allows; PostgreSQL only when a URL was given."""
    names = [name for name in ("sqlite", "postgres") if only in (None, name)]
    if "postgres" in names and not pg:
        names.remove("postgres")
        print("  (no --pg or TEST_DATABASE_URL: SQLite only)", file=sys.stderr)
    return names


@contextmanager
def database(pg: str | None) -> Iterator[tuple[str, str]]:
    """(name, URL) of a fresh database: a SQLite file, or a PostgreSQL schema dropped afterwards."""
    if pg:
        from benchmarks.spend import postgres_schema

        with ExitStack() as stack:
            try:
                url = stack.enter_context(postgres_schema(pg))
            except Exception as error:
                raise SetupError(f"PostgreSQL at {pg} could not give a fresh schema: {error}") from error
            yield "postgres", url
    else:
        with tempfile.TemporaryDirectory(prefix="winterbot-bench-") as tmp:
            yield "sqlite", f"sqlite:///{Path(tmp) / 'bench.db'}"


class _SendsNothing:
    """A messenger for set-up: each post "goes" at once and nothing is sent anywhere."""

    platform = "slack"

    def __init__(self) -> None:
        self._ts = itertools.count(1)

    def post_risk(self, destination: Any, risk: Any, key: str) -> str:
        return f"{destination.address}:1700000000.{next(self._ts):06d}"

    def find_posted(self, destination: Any, key: str) -> str | None:
        return None


def seed_risks(url: str, slug: str, at: datetime) -> str:
    """The risk scan the clock would have run at `at` (the previous working day's reminder
    time), its escalations recorded as sent: the risks a programme carries into the day."""
    from sqlmodel import Session, select

    from bot.sending.jobs import JobContext
    from bot.sending.jobs.risk_scan import run_risk_scan
    from models.db import make_engine
    from models.tables import Programme

    engine = make_engine(url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            programme = session.exec(select(Programme).where(Programme.slug == slug)).one()
        ctx = JobContext(engine=engine, messengers={"slack": _SendsNothing()}, workers=4)  # type: ignore[dict-item]
        return run_risk_scan(ctx, programme, at).line()
    finally:
        engine.dispose()


@dataclass(frozen=True)
class SchemeFigures:
    """A scheme and its last cumulative figures (zero when it never reported)."""

    id: int
    name: str
    actual: Decimal
    committed: Decimal
    activity: Decimal


@dataclass(frozen=True)
class Partner:
    """A partner who checks in, and what their organisation last reported."""

    user_id: str
    programme_id: int
    organisation_id: int
    organisation_name: str
    levels: dict[str, int | None]  # each service the organisation runs: its last level
    schemes: tuple[SchemeFigures, ...]


@dataclass(frozen=True)
class People:
    programme_id: int
    programme_name: str
    leads: list[str]  # Slack user ids
    partners: list[Partner]


def people(url: str, slug: str) -> People:
    """The programme's leads and partners, read once before the servers start."""
    from models.db import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return _people(connection, slug)
    finally:
        engine.dispose()


def _people(connection: Any, slug: str) -> People:
    from sqlmodel import col, select

    from models.tables import (
        CapacityReport,
        Member,
        Organisation,
        Programme,
        Scheme,
        SpendReport,
    )

    programme = connection.execute(select(col(Programme.id), col(Programme.name)).where(Programme.slug == slug)).one()
    pid = programme.id
    orgs = {
        r.id: r
        for r in connection.execute(
            select(col(Organisation.id), col(Organisation.name), col(Organisation.services)).where(
                Organisation.programme_id == pid
            )
        )
    }
    levels: dict[tuple[int, str], int] = {}
    for row in connection.execute(
        select(col(CapacityReport.organisation_id), col(CapacityReport.service), col(CapacityReport.level))
        .where(CapacityReport.programme_id == pid)
        .order_by(col(CapacityReport.local_date), col(CapacityReport.id))
    ):
        levels[(row.organisation_id, row.service)] = row.level
    last: dict[int, Any] = {}
    for row in connection.execute(
        select(SpendReport)
        .where(SpendReport.programme_id == pid)
        .order_by(col(SpendReport.local_date), col(SpendReport.id))
    ):
        last[row.scheme_id] = row
    schemes: dict[int, list[SchemeFigures]] = {}
    for row in connection.execute(
        select(col(Scheme.id), col(Scheme.name), col(Scheme.owner_organisation_id))
        .where(Scheme.programme_id == pid)
        .order_by(col(Scheme.id))
    ):
        report = last.get(row.id)
        zero = Decimal(0)
        schemes.setdefault(row.owner_organisation_id, []).append(
            SchemeFigures(
                row.id,
                row.name,
                Decimal(report.actual) if report else zero,
                Decimal(report.committed) if report else zero,
                Decimal(report.activity) if report else zero,
            )
        )
    members = connection.execute(
        select(col(Member.platform_user_id), col(Member.role), col(Member.organisation_id))
        .where(Member.programme_id == pid, Member.platform == "slack", col(Member.archived_at).is_(None))
        .order_by(col(Member.id))
    ).all()
    partners = [
        Partner(
            m.platform_user_id,
            pid,
            m.organisation_id,
            orgs[m.organisation_id].name,
            {s: levels.get((m.organisation_id, s)) for s in orgs[m.organisation_id].services},
            tuple(schemes.get(m.organisation_id, ())),
        )
        for m in members
        if m.role == "partner"
    ]
    leads = [m.platform_user_id for m in members if m.role == "lead"]
    return People(pid, programme.name, leads, partners)


# ---------------------------------------------------------------- requests as Slack sends them


@dataclass(frozen=True)
class Request:
    """One request's body; signed when it is sent, at the servers' clock."""

    body: bytes
    content_type: str
    user: str


def signed_request(port: int, request: Request, timestamp: int, close: bool = False) -> bytes:
    """A POST /slack/events as Slack sends it: `v0=` HMAC-SHA256 of `v0:{timestamp}:{body}`."""
    base = f"v0:{timestamp}:".encode() + request.body
    digest = hmac.new(SIGNING_SECRET.encode(), base, hashlib.sha256).hexdigest()
    head = (
        f"POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: {request.content_type}\r\n"
        f"Content-Length: {len(request.body)}\r\nX-Slack-Request-Timestamp: {timestamp}\r\n"
        f"X-Slack-Signature: v0={digest}\r\n" + ("Connection: close\r\n" if close else "") + "\r\n"
    )
    return head.encode() + request.body


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
            raise ValueError("chunked responses are not expected here")
    return status, (await reader.readexactly(length) if length else b"")


def command(user_id: str, text: str, channel: str = "C0WINTER") -> Request:
    """`/winter text` from user_id, as Slack posts a slash command."""
    body = urlencode(
        {
            "token": "legacy-verification-token",
            "team_id": TEAM_ID,
            "team_domain": "winterbot-bench",
            "channel_id": channel,
            "channel_name": "winter-programme",
            "user_id": user_id,
            "user_name": user_id.lower(),
            "command": "/winter",
            "text": text,
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": f"https://hooks.slack.com/commands/{TEAM_ID}/1/abc",
            "trigger_id": "1000000000.1000000000.0123456789abcdef0123456789abcdef",
        }
    ).encode()
    return Request(body, FORM, user_id)


_event_ids = itertools.count(1)


def home_opened(user_id: str) -> Request:
    """An `app_home_opened` event_callback: the user opened the app's Home tab."""
    now = time.time()
    body = json.dumps(
        {
            "token": "legacy-verification-token",
            "team_id": TEAM_ID,
            "api_app_id": APP_ID,
            "type": "event_callback",
            "event_id": f"Ev{next(_event_ids):010d}",
            "event_time": int(now),
            "event": {
                "type": "app_home_opened",
                "user": user_id,
                "channel": dm_channel(user_id),
                "tab": "home",
                "event_ts": f"{now:.6f}",
            },
            "authorizations": [{"team_id": TEAM_ID, "user_id": "U0WINTERBOT", "is_bot": True}],
        }
    ).encode()
    return Request(body, JSON, user_id)


@dataclass(frozen=True)
class Answers:
    """A check-in as the partner fills it in: a level per service, figures per scheme."""

    levels: dict[str, int]
    figures: dict[int, tuple[Decimal, Decimal, Decimal]]  # scheme id: actual, committed, activity
    blockers: str | None = None
    comment: str | None = None


def rising_figures(partner: Partner, step: int = 1) -> dict[int, tuple[Decimal, Decimal, Decimal]]:
    """Spent and activity to date a little above the last figures (never lower: no correction)."""
    return {s.id: (s.actual + Decimal(750 * step), s.committed, s.activity + Decimal(step)) for s in partner.schemes}


def checkin_submission(partner: Partner, answers: Answers, prompt_ts: str = "1700000000.000100") -> Request:
    """The check-in modal sent (view_submission), shaped as handlers/slack/blocks/checkin.py builds
    the modal: input blocks whose block_id is the field's key, text inputs with action_id
    "value" and level selects with "level"; private_metadata names the programme and the DM
    prompt it was opened from (handlers/slack/views/metadata.py)."""
    blocks: list[dict[str, Any]] = [_section(f"*{partner.organisation_name}*")]
    values: dict[str, dict[str, Any]] = {}
    for scheme in partner.schemes:
        blocks.append(_section(f"*{scheme.name}*"))
        for figure, value in zip(("actual", "committed", "activity"), answers.figures[scheme.id], strict=True):
            key = f"scheme:{scheme.id}:{figure}"
            blocks.append(_input(key, figure.capitalize(), {"type": "plain_text_input", "action_id": "value"}))
            values[key] = {"value": {"type": "plain_text_input", "value": f"{value:.2f}"}}
    for service, level in answers.levels.items():
        key = f"service:{service}"
        options = [{"text": {"type": "plain_text", "text": f"Level {n}"}, "value": str(n)} for n in range(1, 5)]
        blocks.append(_input(key, service, {"type": "static_select", "action_id": "level", "options": options}))
        chosen = {"text": {"type": "plain_text", "text": f"Level {level}"}, "value": str(level)}
        values[key] = {"level": {"type": "static_select", "selected_option": chosen}}
    for key, text in (("correction", None), ("blockers", answers.blockers), ("comment", answers.comment)):
        blocks.append(_input(key, key.capitalize(), {"type": "plain_text_input", "action_id": "value"}))
        values[key] = {"value": {"type": "plain_text_input", "value": text}}
    metadata = json.dumps({"programme": partner.programme_id, "channel": dm_channel(partner.user_id), "ts": prompt_ts})
    view = {
        "id": "V0CHECKIN",
        "team_id": TEAM_ID,
        "type": "modal",
        "callback_id": "checkin_submit",
        "private_metadata": metadata,
        "blocks": blocks,
        "state": {"values": values},
        "hash": "1700000000.abc",
        "title": {"type": "plain_text", "text": "Today's check-in"},
        "app_id": APP_ID,
        "bot_id": "B0WINTER",
    }
    payload = {
        "type": "view_submission",
        "team": {"id": TEAM_ID, "domain": "winterbot-bench"},
        "user": {"id": partner.user_id, "username": partner.user_id.lower(), "team_id": TEAM_ID},
        "api_app_id": APP_ID,
        "token": "legacy-verification-token",
        "trigger_id": "1000000000.1000000000.0123456789abcdef0123456789abcdef",
        "view": view,
        "response_urls": [],
        "is_enterprise_install": False,
    }
    body = urlencode({"payload": json.dumps(payload, separators=(",", ":"))}).encode()
    return Request(body, FORM, partner.user_id)


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _input(block_id: str, label: str, element: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": block_id,
        "label": {"type": "plain_text", "text": label},
        "element": element,
        "optional": block_id in ("correction", "blockers", "comment"),
    }


# ---------------------------------------------------------------- what counts as an answer

Check = Callable[[int, bytes], str | None]  # (status, body) -> None when good, else what was wrong


def _json_body(status: int, content: bytes) -> tuple[dict[str, Any] | None, str | None]:
    if status != 200:
        return None, f"HTTP {status}: {content[:120]!r}"
    try:
        found = json.loads(content)
    except ValueError:
        return None, f"not JSON: {content[:120]!r}"
    return (found, None) if isinstance(found, dict) else (None, f"not a JSON object: {content[:120]!r}")


def screen_check(programme_name: str) -> Check:
    """A `/winter` screen: 200, an ephemeral message with blocks, naming the programme."""

    def check(status: int, content: bytes) -> str | None:
        answer, problem = _json_body(status, content)
        if answer is None:
            return problem
        if answer.get("response_type") != "ephemeral" or not answer.get("blocks"):
            return f"not an ephemeral screen: {content[:120]!r}"
        if programme_name not in content.decode():
            return f"the answer does not name the programme: {content[:200]!r}"
        return None

    return check


def checkin_check(status: int, content: bytes) -> str | None:
    """A stored check-in: 200 with response_action "update" to the confirmation modal."""
    answer, problem = _json_body(status, content)
    if answer is None:
        return problem
    if answer.get("response_action") != "update":
        return f"response_action {answer.get('response_action')!r}: {content[:160]!r}"
    if (answer.get("view") or {}).get("callback_id") != "checkin_done":
        return f"an update, but not to the confirmation: {content[:160]!r}"
    return None


def acked(status: int, content: bytes) -> str | None:
    """An ack: HTTP 200 (the bare app's, and Bolt's for an event)."""
    return None if status == 200 else f"HTTP {status}: {content[:120]!r}"


# ---------------------------------------------------------------- what reached the Slack double


class Recorder:
    """The accepted calls of some Web API methods, as they reached the double (Call.at): its
    canned answers, with a note of each call first. A call the double refused (429) is not here."""

    def __init__(
        self, slack: SlackDouble, methods: Sequence[str] = ("chat.postMessage", "views.publish", "chat.update")
    ):
        self._lock = threading.Lock()
        self._calls: dict[str, list[Call]] = {m: [] for m in methods}
        self._published: dict[str, list[float]] = {}
        for method in methods:
            slack.answer(method, self._answer(slack, method))

    def _answer(self, slack: SlackDouble, method: str) -> Callable[[Call], dict[str, Any]]:
        canned = CANNED[method]

        def answer(call: Call) -> dict[str, Any]:
            with self._lock:
                self._calls[method].append(call)
                if method == "views.publish":
                    self._published.setdefault(str(call.get("user_id")), []).append(call.at)
            return canned(slack, call)

        return answer

    def calls(self, method: str) -> list[Call]:
        with self._lock:
            return list(self._calls[method])

    def published(self, user_id: str) -> int:
        with self._lock:
            return len(self._published.get(user_id, ()))

    def published_at(self, user_id: str, index: int) -> float | None:
        with self._lock:
            arrivals = self._published.get(user_id, ())
            return arrivals[index] if index < len(arrivals) else None

    def last_at(self) -> float:
        with self._lock:
            return max((c.at for calls in self._calls.values() for c in calls[-1:]), default=0.0)

    async def wait_published(self, user_id: str, index: int, began: float, timeout: float) -> float | None:
        """The arrival of that user's `index`-th Home (0-based), waiting up to `timeout` after `began`."""
        while (arrived := self.published_at(user_id, index)) is None:
            if time.time() - began > timeout:
                return None
            await asyncio.sleep(0.002)
        return arrived


# ---------------------------------------------------------------- figures


@dataclass
class Load:
    """What one interaction measured: a latency per request, and what went wrong."""

    name: str
    latencies_ms: list[float] = field(default_factory=list)
    failures: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    def add(self, latency_ms: float, problem: str | None) -> None:
        self.latencies_ms.append(latency_ms)
        if problem is not None:
            self.failures[_kind_of(problem)] += 1

    @property
    def requests(self) -> int:
        return len(self.latencies_ms)

    @property
    def failed(self) -> int:
        return sum(self.failures.values())

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def over_slack_wait(self) -> int:
        return sum(1 for ms in self.latencies_ms if ms > SLACK_WAITS_SECONDS * 1000)

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies_ms)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]

    def failure_lines(self) -> list[str]:
        return [f"{count} x {kind}" for kind, count in self.failures.most_common(4)]


def _kind_of(problem: str) -> str:
    """A failure reason with its request-specific parts cut, so like failures count together."""
    return re.sub(r"\d{5,}", "#", problem)[:160]


def ms(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.1f}"  # NaN: nothing measured


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="what", required=True)
    travelling = sub.add_parser("travel", help="run winterbot at the shared clock")
    travelling.add_argument("--at", help="the clock's ISO instant at --epoch")
    travelling.add_argument("--epoch", type=float, help="the real time.time() at which the clock read --at")
    travelling.add_argument("argv", nargs=argparse.REMAINDER, help="-- then winterbot's arguments")
    bare = sub.add_parser("bare", help="serve the bare app")
    bare.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    if args.what == "bare":
        serve_bare(args.port)
        return 0
    rest = args.argv[1:] if args.argv[:1] == ["--"] else args.argv
    return run_travelling(args.at, args.epoch, rest)


if __name__ == "__main__":
    raise SystemExit(main())
