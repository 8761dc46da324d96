"""The processes of a load benchmark (status_load.py, peak.py): `winterbot serve`, `winterbot
clock` and one-off `winterbot run-job` subprocesses at the clock they share, and the bare app,
each started through benchmarks/harness.py; with what the benchmarks read of them (CPU, peak
memory, the log's warnings)."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # the Slack double

from slack_double import BOT_TOKEN, SlackDouble
from slack_signing import SIGNING_SECRET

ROOT = Path(__file__).resolve().parent.parent
STARTUP_SECONDS = 60.0
HARNESS = str(Path(__file__).resolve().with_name("harness.py"))  # the script that starts each process


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
