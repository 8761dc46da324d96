"""`winterbot serve` as several replicas on one database: nothing one web process holds decides
what another does. A partner's browser may open the check-in form through one replica and send
it through another (a load balancer picks either), reload it through a third, or send it twice
at once; the database, not a process, decides that it is stored once.

Each replica here is a whole app with an engine of its own (so its own directory, caches and
thread pools: bot.views.directory and bot.views.status_cache keep one per engine); the last
test starts two real `winterbot serve` processes. docs/replicas.md lists what a process holds
and why each is safe.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from checkin_store_support import BOB, CAROL, PROGRAMME, answers, form_for, rows
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import select
from starlette.testclient import TestClient
from web_checkin_support import PUBLIC, SECRET, TZ, db, form_fields, link, member_id, on_monday  # noqa: F401

from bot.app.background import REQUEST_THREADS
from bot.app.server import build_asgi_app
from bot.common.calendar import local_date
from bot.common.config import Settings
from bot.common.web_links import checkin_url
from bot.programme.loader import load_path
from handlers.web import csrf
from models.db import make_engine, session_scope
from models.tables import CheckIn, RequestSeen

REPO = Path(__file__).resolve().parents[1]
RECEIVED, AGAIN = "Check-in received", "Check-in already received"


@contextmanager
def replica(db: Engine) -> Iterator[TestClient]:
    """Another web process on the same database: an engine, an app and a browser's view of it."""
    engine = make_engine(db.url.render_as_string(hide_password=False))
    app = build_asgi_app(Settings(database_url=str(db.url), public_url=PUBLIC, web_secret=SECRET), engine)
    try:
        with TestClient(app, base_url=PUBLIC) as client:
            yield client
    finally:
        engine.dispose()


@pytest.fixture
def replicas(db, on_monday) -> Iterator[list[TestClient]]:
    with ExitStack() as stack:
        yield [stack.enter_context(replica(db)) for _ in range(3)]


def shown_by(client: TestClient, path: str) -> tuple[str, dict[str, str]]:
    """The browser's cookie and the form's fields, as one replica showed them."""
    page = client.get(path)
    assert page.status_code == 200, page.text
    return page.cookies[csrf.COOKIE], form_fields(page.text)


def sent_to(client: TestClient, path: str, cookie: str, fields: dict[str, str]) -> httpx.Response:
    """The form posted through `client` by the browser holding `cookie` (from whichever replica)."""
    client.cookies.clear()
    client.cookies.set(csrf.COOKIE, cookie)
    return client.post(path, data=fields, headers={"Origin": PUBLIC})


def test_a_form_shown_by_one_replica_is_stored_by_another_and_once_however_often_it_comes_back(db, replicas):
    one, two, three = replicas
    path = link(db)
    cookie, page = shown_by(one, path)
    filled = page | answers(form_for(db, BOB))
    done = sent_to(two, path, cookie, filled)
    assert done.status_code == 200 and RECEIVED in done.text, done.text
    for again in (three, one, two):  # a reload, a back button, a double tap: any replica
        repeated = sent_to(again, path, cookie, filled)
        assert repeated.status_code == 200 and AGAIN in repeated.text
    assert len(rows(db, CheckIn, CheckIn.member_id == member_id(db))) == 1
    with session_scope(db) as session:
        assert len(session.exec(select(RequestSeen).where(RequestSeen.platform == "web")).all()) == 1


def test_a_forged_field_is_refused_by_every_replica_alike(db, replicas):
    """The CSRF field is an HMAC under the shared secret, not a value one process remembers:
    each replica refuses a field made for another cookie, and none stores anything."""
    path = link(db)
    cookie, page = shown_by(replicas[0], path)
    _, other = shown_by(replicas[1], link(db, CAROL))  # a field for another link and cookie
    filled = page | answers(form_for(db, BOB)) | {csrf.FIELD: other[csrf.FIELD]}
    for client in replicas:
        refused = sent_to(client, path, cookie, filled)
        assert refused.status_code == 403 and "was not sent" in refused.text
    assert rows(db, CheckIn) == []


def test_one_form_sent_through_two_replicas_at_the_same_moment_is_stored_once(db, replicas):
    path = link(db)
    cookie, page = shown_by(replicas[0], path)
    filled = page | answers(form_for(db, BOB))
    start = threading.Barrier(2)
    answered: list[str] = []

    def send(client: TestClient) -> None:
        start.wait()
        response = sent_to(client, path, cookie, filled)
        answered.append(RECEIVED if RECEIVED in response.text else AGAIN if AGAIN in response.text else response.text)

    threads = [threading.Thread(target=send, args=(client,)) for client in replicas[1:]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(answered) == sorted([RECEIVED, AGAIN])
    assert len(rows(db, CheckIn, CheckIn.member_id == member_id(db))) == 1


def test_two_forms_of_one_partner_through_two_replicas_store_two_answers_in_order(db, replicas):
    """Two forms shown (two tabs) are two check-ins, the second amending the first, whichever
    replica stores each: the member is locked in the database from reading to storing."""
    path = link(db)
    first, second = shown_by(replicas[0], path), shown_by(replicas[1], path)
    for (cookie, page), client, hours in ((first, replicas[2], "£12,500"), (second, replicas[0], "£13,000")):
        done = sent_to(client, path, cookie, page | answers(form_for(db, BOB), hours=(hours, "£3,000", "400")))
        assert RECEIVED in done.text, done.text
    stored = rows(db, CheckIn, CheckIn.member_id == member_id(db))
    assert len(stored) == 2 and stored[1].supersedes_id == stored[0].id


def test_a_burst_of_forms_holds_no_more_database_connections_than_the_request_threads(db, on_monday):
    """Many partners at once: each replica holds at most REQUEST_THREADS connections, inside
    the engine's pool, so none is opened afresh per request (handlers.web.threads)."""
    engine = make_engine(db.url.render_as_string(hide_password=False))
    held, most, lock = [0], [0], threading.Lock()

    def out(*_: object) -> None:
        with lock:
            held[0] += 1
            most[0] = max(most[0], held[0])

    def back(*_: object) -> None:
        with lock:
            held[0] -= 1

    event.listen(engine, "checkout", out)
    event.listen(engine, "checkin", back)
    app = build_asgi_app(Settings(database_url=str(db.url), public_url=PUBLIC, web_secret=SECRET), engine)
    paths = [link(db, who) for who in (BOB, CAROL)] * 8
    try:
        with TestClient(app, base_url=PUBLIC) as client:
            threads = [threading.Thread(target=client.get, args=(path,)) for path in paths]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=60)
    finally:
        engine.dispose()
    assert 1 <= most[0] <= REQUEST_THREADS


# -- two real `winterbot serve` processes ----------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def winterbot_serve(database_url: str, log: Path) -> Iterator[str]:
    """`python -m bot serve` with the web pages on (Slack, Teams and Notify off), healthy."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "NOTIFY_", "TEAMS_"))}
    env |= {"DATABASE_URL": database_url, "WINTERBOT_PUBLIC_URL": PUBLIC, "WINTERBOT_WEB_SECRET": SECRET}
    env.pop("CLIENT_ID", None)
    command = [sys.executable, "-m", "bot", "serve", "--port", str(port), "--host", "127.0.0.1"]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 30
            while True:
                assert process.poll() is None, log.read_text()
                assert time.monotonic() < deadline, log.read_text()
                try:
                    if httpx.get(f"{url}/healthz", timeout=1).json().get("web") == "on":
                        break
                except httpx.HTTPError:
                    time.sleep(0.05)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.mark.slow
def test_two_winterbot_serve_processes_on_one_database_store_a_check_in_once(engine, tmp_path):
    load_path(engine, PROGRAMME)
    url = engine.url.render_as_string(hide_password=False)
    today = local_date(datetime.now(UTC), TZ)
    path = checkin_url(PUBLIC, SECRET, member_id(engine), today, TZ).removeprefix(PUBLIC)
    with winterbot_serve(url, tmp_path / "one.log") as one, winterbot_serve(url, tmp_path / "two.log") as two:
        with httpx.Client(base_url=one) as browser:
            page = browser.get(path)
            assert page.status_code == 200, page.text
            cookie, fields = page.cookies[csrf.COOKIE], form_fields(page.text)
        filled = fields | answers(form_for(engine, BOB, today))
        answered = []
        for server in (two, one, two):
            with httpx.Client(base_url=server, cookies={csrf.COOKIE: cookie}) as browser:
                answered.append(browser.post(path, data=filled, headers={"Origin": PUBLIC}))
    assert [RECEIVED in r.text for r in answered] == [True, False, False]
    assert all(AGAIN in r.text for r in answered[1:])
    assert len(rows(engine, CheckIn, CheckIn.member_id == member_id(engine))) == 1
