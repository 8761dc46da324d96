"""Engine, sessions and migrations."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, Engine, make_url
from sqlmodel import Session, create_engine

MIGRATIONS = Path(__file__).with_name("migrations")
DEFAULT_URL = "sqlite:///winterbot.db"


def database_url(env: dict[str, str] | None = None) -> str:
    source: Mapping[str, str] = os.environ if env is None else env
    return source.get("DATABASE_URL") or DEFAULT_URL


def normalise_url(url: str) -> str:
    """Accept the postgres:// and postgresql:// forms hosts hand out; use psycopg 3."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


CONNECT_TIMEOUT_SECONDS = 5
STATEMENT_TIMEOUT_SECONDS = 60.0  # the clock and the terminal commands
WEB_CONNECT_TIMEOUT_SECONDS = 2  # libpq's least
WEB_STATEMENT_TIMEOUT_SECONDS = 2.0  # a request still answers within Slack's three seconds


def make_engine(
    url: str | None = None,
    *,
    statement_timeout: float = STATEMENT_TIMEOUT_SECONDS,
    connect_timeout: int = CONNECT_TIMEOUT_SECONDS,
    **kw: Any,
) -> Engine:
    """An engine that gives up rather than hangs: connecting takes at most `connect_timeout`
    seconds, and a statement (on SQLite, waiting for another writer's lock) at most
    `statement_timeout`. SQL parameters are kept out of its errors, so a failed statement's
    message, logged or shown, never carries what a user typed."""
    url = normalise_url(url or database_url())
    parsed = make_url(url)
    kw.setdefault("hide_parameters", True)
    if parsed.get_backend_name() == "sqlite":
        kw.setdefault("connect_args", {"check_same_thread": False, "timeout": statement_timeout})
        engine = create_engine(url, **kw)
        event.listen(engine, "connect", partial(_sqlite_pragmas, busy_ms=round(statement_timeout * 1000)))
        return engine
    kw.setdefault("pool_pre_ping", True)
    return create_engine(_with_timeouts(parsed, statement_timeout, connect_timeout), **kw)


def _with_timeouts(url: URL, statement_timeout: float, connect_timeout: int) -> URL:
    """PostgreSQL's timeouts as connection parameters; any the URL sets itself win. A statement
    past its time is cancelled by the server; what is sent on a connection cut off by a network
    partition is given up after the connect timeout (tcp_user_timeout), not the kernel's
    quarter of an hour."""
    query = dict(url.query)
    if statement_timeout > 0:  # 0 for a pooler that refuses startup options (PgBouncer)
        options = query.get("options", "")
        options = " ".join(options) if isinstance(options, tuple) else options
        query["options"] = f"-c statement_timeout={round(statement_timeout * 1000)} {options}".strip()
    query.setdefault("connect_timeout", str(connect_timeout))
    query.setdefault("tcp_user_timeout", str(connect_timeout * 1000))
    return url.set(query=query)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any, busy_ms: int = 30_000) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={int(busy_ms)}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def describe_url(url: str | None = None) -> str:
    """Where the database is, for a message: no user name, password or options."""
    parsed = make_url(normalise_url(url or database_url()))
    if parsed.get_backend_name() == "sqlite":
        return f"sqlite:///{parsed.database or ''}"
    port = f":{parsed.port}" if parsed.port else ""
    hidden = " (password hidden)" if parsed.password else ""
    return f"{parsed.get_backend_name()}://{parsed.host or 'localhost'}{port}/{parsed.database or ''}{hidden}"


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration (a no-op when it is there already)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One unit of work: committed when the block ends, rolled back when it raises."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def read_scope(engine: Engine) -> Iterator[Session]:
    """A unit of work that only reads, with no transaction to begin or commit: on PostgreSQL
    each statement sees what was committed when it began, as it would inside a READ COMMITTED
    transaction, and a request saves the round trips of BEGIN and COMMIT. Not on SQLite: its
    driver begins no transaction for a read anyway, and switching a connection to autocommit and
    back costs more than the query (the status asker: 131 us plain, 454 us in autocommit). Only
    for reading: use `session_scope` to write."""
    connection = engine.connect()
    if engine.dialect.name != "sqlite":
        connection = connection.execution_options(isolation_level="AUTOCOMMIT")
    with connection, Session(bind=connection, expire_on_commit=False) as session:
        yield session
