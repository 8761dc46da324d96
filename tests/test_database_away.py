"""The database going away: the long-running processes wait for it saying so in one line,
one-shot commands stop with one line, a person whose request meets it is told nothing was
saved (their modal kept open), statements and connections give up in bounded time, and no
error carries the values a statement was given."""

from __future__ import annotations

import logging
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fixtures_slack import running_app
from sqlalchemy import exc, text
from sqlmodel import Session, select
from teams_activities import TeamsUser, card_action, message
from teams_double import APP_ID as TEAMS_APP_ID
from teams_double import BOT_TOKEN as TEAMS_TOKEN
from teams_double import TeamsDouble
from test_slack_checkin import BOB, PROGRAMME, good_answers, open_modal, submission

from bot.app.cli import main
from bot.app.database_ready import EXIT_DATABASE, is_unreachable
from bot.common.config import Settings
from bot.programme.loader import load_path
from handlers.slack.errors import NOTHING_SAVED
from models.db import (
    WEB_CONNECT_TIMEOUT_SECONDS,
    WEB_STATEMENT_TIMEOUT_SECONDS,
    make_engine,
    session_scope,
)
from models.tables import Programme, Scheme

REFUSING = "postgresql://winterbot:s3cret-pw@127.0.0.1:1/winterbot"  # nothing listens on port 1
PG_URL = os.environ.get("TEST_DATABASE_URL")
SLACK_SECONDS = 3.0
PARTNER = TeamsUser("8a1f0c52-0000-4000-8000-000000000b0b", "Bob Partner")


@contextmanager
def silent_database() -> Iterator[str]:
    """A port that takes connections and never answers: a database behind a partition."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    try:
        yield f"postgresql://winterbot:s3cret-pw@127.0.0.1:{listener.getsockname()[1]}/winterbot"
    finally:
        listener.close()


def web_engine(url: str):  # type: ignore[no-untyped-def]
    return make_engine(
        url, statement_timeout=WEB_STATEMENT_TIMEOUT_SECONDS, connect_timeout=WEB_CONNECT_TIMEOUT_SECONDS
    )


def first_line_of(process: subprocess.Popen[str], seconds: float) -> str:
    """The first line the process writes to stderr that is about the database."""
    found: queue.Queue[str] = queue.Queue()

    def read() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            if "database" in line or "Traceback" in line:
                found.put(line.rstrip("\n"))

    threading.Thread(target=read, daemon=True).start()
    try:
        return found.get(timeout=seconds)
    except queue.Empty:
        return ""


@pytest.mark.slow
@pytest.mark.parametrize("command", [["serve", "--port", "0"], ["clock"]])
def test_serve_and_clock_wait_for_the_database_saying_so_in_one_line(tmp_path, command):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))}
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", *command],
        cwd=tmp_path,
        env={**env, "DATABASE_URL": REFUSING},
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    try:
        said = first_line_of(process, 10)
        time.sleep(0.5)
        assert process.poll() is None, f"{command[0]} exited: {said}"
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(5)
    assert said == (
        "winterbot: the database at postgresql://127.0.0.1:1/winterbot (password hidden) is not answering "
        "(Connection refused); trying again in 5 s"
    ), said
    assert "s3cret" not in said and "Traceback" not in said


@pytest.mark.parametrize(
    "argv", [["status", "vale"], ["run-job", "daily-prompts"], ["export", "vale", "--out", "r.csv"]]
)
def test_a_one_shot_command_stops_with_one_line_and_exit_3(monkeypatch, capsys, tmp_path, argv):
    monkeypatch.setenv("DATABASE_URL", REFUSING)
    monkeypatch.chdir(tmp_path)
    assert main(argv) == EXIT_DATABASE
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("winterbot: the database at postgresql://127.0.0.1:1/winterbot ")
    assert "Check DATABASE_URL" in err and "s3cret" not in err and "Traceback" not in err


def test_load_checks_the_file_then_stops_with_one_line(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("DATABASE_URL", REFUSING)
    monkeypatch.chdir(tmp_path)
    assert main(["init", "area.yaml"]) == 0
    assert main(["load", "area.yaml"]) == EXIT_DATABASE
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is not answering (Connection refused)" in err


def test_a_failed_statement_never_carries_its_values(tmp_path, caplog):
    engine = make_engine(f"sqlite:///{tmp_path / 'wb.db'}")
    words = "Mrs Jones said the care package fell through"
    with pytest.raises(exc.DBAPIError) as raised, engine.connect() as connection:
        connection.execute(text("INSERT INTO no_such_table VALUES (:words)"), {"words": words})
    logging.getLogger("test").exception("as a handler would log it", exc_info=raised.value)
    assert words not in str(raised.value) and words not in caplog.text
    assert "INSERT INTO no_such_table" in str(raised.value)


@pytest.mark.postgres
@pytest.mark.skipif(not PG_URL, reason="TEST_DATABASE_URL is not set")
def test_a_statement_past_its_time_is_cancelled_by_postgresql():
    engine = make_engine(PG_URL, statement_timeout=0.5)
    started = time.monotonic()
    try:
        with pytest.raises(exc.OperationalError) as raised, engine.connect() as connection:
            connection.execute(text("SELECT pg_sleep(5)"))
    finally:
        engine.dispose()
    assert time.monotonic() - started < 2
    assert "statement timeout" in str(raised.value) and is_unreachable(raised.value)


@pytest.mark.postgres
@pytest.mark.skipif(not PG_URL, reason="TEST_DATABASE_URL is not set")
def test_the_web_processes_statements_end_well_within_slacks_three_seconds():
    engine = web_engine(PG_URL)
    try:
        with engine.connect() as connection:
            assert connection.execute(text("SHOW statement_timeout")).scalar() == "2s"
    finally:
        engine.dispose()


@pytest.fixture
def programme_id(engine) -> int:
    load_path(engine, PROGRAMME)
    with session_scope(engine) as session:
        return session.exec(select(Programme.id)).one()


def test_a_check_in_sent_while_the_database_is_away_keeps_the_form_and_says_nothing_was_saved(
    slack_server, slack_api, slack_settings, engine, programme_id, caplog
):
    if engine.dialect.name != "sqlite":
        pytest.skip("the silent database is the same whichever database opened the form")
    view = open_modal(slack_server, slack_api, programme_id)
    with Session(engine) as session:
        ids = {s.key: s.id for s in session.exec(select(Scheme))}
    comment = "Mrs Jones's package fell through"
    values = good_answers(view, ids) | {"comment": comment}
    with silent_database() as url, running_app(slack_settings, web_engine(url)) as away:
        started = time.monotonic()
        response = away.interact(submission(view, values, BOB))
        seconds = time.monotonic() - started
    assert response.status_code == 200 and seconds < SLACK_SECONDS, (response.status_code, seconds)
    answer = response.json()
    assert answer["response_action"] == "errors"
    assert list(answer["errors"].values()) == [NOTHING_SAVED]
    assert comment not in caplog.text and "told them nothing was saved" in caplog.text


@contextmanager
def check_ins_locked(engine) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Another session holding what a check-in needs (a long migration, a stuck transaction):
    on PostgreSQL the check-in table, on SQLite the whole database."""
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("LOCK TABLE check_in IN ACCESS EXCLUSIVE MODE"))
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            connection.rollback()


def test_a_check_in_held_up_by_a_lock_is_cut_off_in_time_and_told_nothing_was_saved(
    slack_server, slack_api, slack_settings, database_url, engine, programme_id
):
    view = open_modal(slack_server, slack_api, programme_id)
    with Session(engine) as session:
        ids = {s.key: s.id for s in session.exec(select(Scheme))}
    held_up = web_engine(database_url)
    with running_app(slack_settings, held_up) as app, check_ins_locked(engine):
        started = time.monotonic()
        response = app.interact(submission(view, good_answers(view, ids), BOB))
        seconds = time.monotonic() - started
    held_up.dispose()
    assert response.status_code == 200 and seconds < SLACK_SECONDS, (response.status_code, seconds)
    assert list(response.json()["errors"].values()) == [NOTHING_SAVED]


def test_a_command_while_the_database_is_away_is_answered_in_words(slack_settings, slack_api):
    engine = web_engine(REFUSING)
    with running_app(slack_settings, engine) as away:
        response = away.command("status", BOB)
    assert response.status_code == 200
    assert response.json() == {"response_type": "ephemeral", "text": NOTHING_SAVED}


@pytest.fixture
def teams_away(tmp_path) -> Iterator[tuple[object, TeamsDouble]]:
    """The web app with Teams on, its database refusing connections."""
    with TeamsDouble() as teams_api:
        settings = Settings(
            database_url=REFUSING,
            teams_client_id=TEAMS_APP_ID,
            teams_token=lambda *_: TEAMS_TOKEN,
            teams_service_url=teams_api.url,
            teams_allow_unauthenticated=True,
        )
        engine = web_engine(REFUSING)
        with running_app(settings, engine) as app:
            yield app, teams_api
        engine.dispose()


def test_a_teams_message_while_the_database_is_away_is_answered_in_words(teams_away):
    app, teams_api = teams_away
    response = app.http.post("/api/messages", json=message(teams_api.url, PARTNER, "status"))
    assert response.status_code in (200, 201)
    [said] = teams_api.wait_for(1, PARTNER.conversation_id)
    assert said.body.get("text") == NOTHING_SAVED


def test_a_teams_button_while_the_database_is_away_keeps_the_card_and_says_nothing_was_saved(teams_away):
    app, teams_api = teams_away
    pressed = card_action(teams_api.url, PARTNER, "checkin:submit", {"programme": 1, "comment": "Mrs Jones"})
    response = app.http.post("/api/messages", json=pressed)
    assert response.status_code == 200
    assert response.json()["value"] == NOTHING_SAVED
