"""Shared fixtures: a migrated database on SQLite always, and on PostgreSQL when
TEST_DATABASE_URL points at one (each test gets a schema of its own there)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from models.db import make_engine, migrate, normalise_url

pytest_plugins = ["fixtures_slack", "browser_support"]  # browser_support: a Chromium a browser test module

PG_URL = os.environ.get("TEST_DATABASE_URL")

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param(
        "postgres",
        id="postgres",
        marks=[
            pytest.mark.postgres,
            pytest.mark.skipif(not PG_URL, reason="TEST_DATABASE_URL is not set"),
        ],
    ),
]


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    """A URL to an empty database, not yet migrated."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'winterbot.db'}"
        return
    schema = f"wb_{uuid.uuid4().hex[:12]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    base = normalise_url(PG_URL)
    joiner = "&" if "?" in base else "?"
    try:
        yield f"{base}{joiner}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    eng = make_engine(database_url)
    migrate(eng)
    yield eng
    eng.dispose()


@pytest.fixture(autouse=True)
def _nobody_looking_at_their_home():
    """Who opened their App Home lately is kept in the process: each test starts with nobody."""
    from handlers.slack.events.app_home import LOOKING

    LOOKING.clear()
    yield
    LOOKING.clear()


# -- the demo's winters, run once for the whole session and only read by the tests -----------------


@pytest.fixture(scope="session")
def whole_winter(tmp_path_factory):
    """`winterbot demo` to the deadline: the briefs, digests, return and database of the winter."""
    from bot.demo.run import run_demo

    return run_demo(tmp_path_factory.mktemp("whole-winter"))


@pytest.fixture(scope="session")
def mid_january_winter(tmp_path_factory):
    """The demo to Fri 15 Jan 2027: past New Year, the top-up's announcement and the leads' decision."""
    from datetime import date

    from bot.demo.run import run_demo

    return run_demo(tmp_path_factory.mktemp("to-15-jan"), until=date(2027, 1, 15))
