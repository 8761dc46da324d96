"""Reaching the database at start-up, and saying in one line when it cannot be reached.

The long-running processes (`winterbot serve`, `winterbot clock`) wait for the database,
saying so on each try, instead of exiting: under a process manager an exit becomes a crash
loop of tracebacks. A one-shot command gives up with one line and EXIT_DATABASE.

Only what cannot be caused by what a user typed goes into a line: where the database is
(never the password) and the driver's reason for a failed connection or a cancelled statement.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

from sqlalchemy import exc
from sqlalchemy.engine import Engine

from models.db import describe_url, make_engine, migrate

EXIT_DATABASE = 3
NOTHING_SAVED = "winterbot could not reach its database, so nothing was saved. Please try again in a minute."
RETRY_SECONDS = 5.0
REASON_CHARS = 160

UNREACHABLE = (exc.OperationalError, exc.InterfaceError, exc.TimeoutError)


def is_unreachable(error: BaseException) -> bool:
    """A connection that failed or was lost, a statement cancelled for taking too long, or no
    pooled connection free in time: the database's state, not the request's content."""
    return isinstance(error, UNREACHABLE)


def reason(error: BaseException) -> str:
    """The driver's first line, without SQLAlchemy's statement and links. Connection errors
    name the host and port; OperationalError never quotes a row's values."""
    original = getattr(error, "orig", None) or error
    lines = str(original).strip().splitlines()
    first = lines[0] if lines else type(original).__name__
    if "failed: " in first:
        first = first.rsplit("failed: ", 1)[1]
    return first[:REASON_CHARS]


def away_line(url: str | None, error: BaseException, then: str) -> str:
    return f"winterbot: the database at {describe_url(url)} is not answering ({reason(error)}); {then}"


def ready_engine(
    url: str | None,
    *,
    wait: bool,
    say: Callable[[str], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    retry_seconds: float = RETRY_SECONDS,
) -> Engine:
    """A migrated engine. With `wait`, tries again every `retry_seconds` until the database
    answers, saying so each time; without, raises the error for the caller to report."""
    say = say or _to_stderr
    engine = make_engine(url)
    while True:
        try:
            migrate(engine)
            return engine
        except UNREACHABLE as error:
            if not wait:
                engine.dispose()
                raise
            say(away_line(url, error, f"trying again in {retry_seconds:g} s"))
            sleep(retry_seconds)


def _to_stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)
