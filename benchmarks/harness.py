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
import logging
import os
import re
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for _path in (ROOT, ROOT / "tests"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

# The parts: load_servers.py (the processes and the clock they share), load_database.py (a fresh
# database, its seeded risks, its people), load_requests.py (requests as Slack sends them, and what
# counts as an answer), load_figures.py (the Slack double's record, the latencies); the names the
# benchmarks use are all importable from here.
from benchmarks.load_database import (  # noqa: E402 -- the project is put on the path just above
    Partner,
    People,
    SchemeFigures,
    database,
    databases_to_measure,
    people,
    seed_risks,
)
from benchmarks.load_figures import Load, Recorder, ms  # noqa: E402
from benchmarks.load_requests import (  # noqa: E402
    CLIENT_TIMEOUT_SECONDS,
    FORM,
    JSON,
    SLACK_WAITS_SECONDS,
    Answers,
    Check,
    Request,
    acked,
    checkin_check,
    checkin_submission,
    command,
    home_opened,
    read_response,
    rising_figures,
    screen_check,
    signed_request,
)
from benchmarks.load_servers import (  # noqa: E402
    HARNESS,
    STARTUP_SECONDS,
    Process,
    SetupError,
    Travel,
    bare_server,
    exit_on_sigterm,
    free_port,
    healthy,
    log_problems,
    logged,
    run_winterbot,
    settle,
    started,
    winterbot_clock,
    winterbot_env,
    winterbot_server,
)

__all__ = [
    "CLIENT_TIMEOUT_SECONDS",
    "FORM",
    "HARNESS",
    "JSON",
    "SLACK_WAITS_SECONDS",
    "STARTUP_SECONDS",
    "Answers",
    "Check",
    "Load",
    "Partner",
    "People",
    "Process",
    "Recorder",
    "Request",
    "SchemeFigures",
    "SetupError",
    "Travel",
    "acked",
    "bare_server",
    "checkin_check",
    "checkin_submission",
    "command",
    "database",
    "databases_to_measure",
    "exit_on_sigterm",
    "free_port",
    "healthy",
    "home_opened",
    "log_problems",
    "logged",
    "ms",
    "people",
    "read_response",
    "rising_figures",
    "run_winterbot",
    "screen_check",
    "seed_risks",
    "settle",
    "signed_request",
    "started",
    "winterbot_clock",
    "winterbot_env",
    "winterbot_server",
]

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"  # bot.app.server.LOG_FORMAT


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
