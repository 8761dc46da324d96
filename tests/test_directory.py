"""The process's directory of who is on which programme (bot.views.directory): what it holds, when it
stops holding it, and reads answered from it through the real app with signed requests.

"Another process" is a second engine on the same database, which this process's directory is
not told about: its writes are seen within the directory's max age, never later.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fixtures_slack import insert_member, said
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.common.asking import JOIN_TEXT
from bot.programme.loader import load_path
from bot.views.directory import Directory, chosen, directory_for
from bot.views.status_cache import asker
from models.db import make_engine, read_scope, session_scope
from models.tables import Member

PROGRAMME = Path(__file__).with_name("fixtures") / "checkin.yaml"
LEAD, BOB = "U0TEST0001", "U0TEST0002"
LEADING = ("admin", "lead")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def other_process(database_url: str) -> Iterator[Engine]:
    other = make_engine(database_url)
    yield other
    other.dispose()


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def archive(engine: Engine, user_id: str) -> None:
    with session_scope(engine) as session:
        member = session.exec(select(Member).where(Member.platform_user_id == user_id)).one()
        member.archived_at = datetime.now(UTC)


def refreshed(directory: Directory, engine: Engine, user_id: str = LEAD) -> Directory:
    with read_scope(engine) as session:
        directory.refresh(session, "slack", user_id)
    return directory


# -- what it holds --------------------------------------------------------------------------


def test_nothing_is_held_until_it_is_read(engine):
    load_path(engine, PROGRAMME)
    directory = Directory()
    assert directory.memberships("slack", LEAD) is None
    held = refreshed(directory, engine).memberships("slack", LEAD)
    assert held is not None and [(m.member_name, m.role) for m in held] == [("Alice Lead", "lead")]
    assert directory.memberships("slack", "U0NOBODY") == ()


def test_a_programmes_version_is_the_one_read_with_the_asker(engine):
    """So a view computed by the database path is found again from memory."""
    load_path(engine, PROGRAMME)
    directory = refreshed(Directory(), engine)
    membership = chosen(directory.memberships("slack", LEAD) or (), LEADING)
    assert membership is not None
    with read_scope(engine) as session:
        found = asker(session, "slack", LEAD, LEADING)
    assert found is not None and directory.version(membership.programme_id) == found.version


def test_the_leading_membership_is_chosen_over_an_older_partner_one(engine):
    insert_member(engine, "U0BOTH", "partner", programme="older", programme_name="Older fund")
    insert_member(engine, "U0BOTH", "lead", programme="newer", programme_name="Newer fund")
    held = refreshed(Directory(), engine, "U0BOTH").memberships("slack", "U0BOTH") or ()
    assert [m.programme_slug for m in held] == ["older", "newer"]
    found = chosen(held, LEADING)
    assert found is not None and found.programme_slug == "newer"


def test_a_commit_in_this_process_makes_everything_held_stale_at_once(engine):
    load_path(engine, PROGRAMME)
    directory = Directory()
    event.listen(engine, "commit", directory.committed)
    try:
        refreshed(directory, engine)
        programme_id = (directory.memberships("slack", LEAD) or ())[0].programme_id
        assert directory.version(programme_id) is not None
        archive(engine, BOB)
        assert directory.memberships("slack", LEAD) is None and directory.version(programme_id) is None
        assert [m.member_name for m in refreshed(directory, engine).memberships("slack", BOB) or ()] == []
    finally:
        event.remove(engine, "commit", directory.committed)


def test_another_processs_write_is_seen_once_what_is_held_is_older_than_its_max_age(engine, other_process):
    load_path(engine, PROGRAMME)
    clock = Clock()
    directory = refreshed(Directory(max_age=1.0, clock=clock), engine)
    archive(other_process, LEAD)
    clock.now += 0.9
    assert directory.memberships("slack", LEAD) is not None  # held, and may be a second old
    clock.now += 0.2
    assert directory.memberships("slack", LEAD) is None
    assert refreshed(directory, engine).memberships("slack", LEAD) == ()


def test_an_edit_in_place_of_a_role_is_seen(engine, other_process, tmp_path):
    """The loader changes a role without a new row; its audit event moves the signature."""
    load_path(engine, PROGRAMME)
    clock = Clock()
    directory = refreshed(Directory(clock=clock), engine, BOB)
    assert [m.role for m in directory.memberships("slack", BOB) or ()] == ["partner"]
    edited = tmp_path / "programme.yaml"
    edited.write_text(_bob_made_observer(PROGRAMME.read_text()))
    load_path(other_process, edited)
    clock.now += 2
    assert [m.role for m in refreshed(directory, engine, BOB).memberships("slack", BOB) or ()] == ["observer"]


def _bob_made_observer(text: str) -> str:
    bob = "{slack: U0TEST0002, name: Bob Partner, organisation: carers, role: partner}"
    assert bob in text
    return text.replace(bob, bob.replace("role: partner", "role: observer"))


# -- reads answered from it -------------------------------------------------------------------


@pytest.fixture
def programme(engine):
    load_path(engine, PROGRAMME)


@pytest.mark.parametrize("command", ["status", "spend", "risks"])
def test_a_read_asked_again_is_answered_without_a_statement(slack_server, engine, programme, command):
    first = slack_server.command(command, LEAD)
    with statements(engine) as seen:
        again = slack_server.command(command, LEAD)
    assert said(again) == said(first)
    assert seen == []


def test_a_write_in_this_process_is_shown_by_the_next_read(slack_server, engine, programme):
    said(slack_server.command("spend", LEAD))
    said(slack_server.command("spend hours 1234", LEAD))
    shown, _ = said(slack_server.command("spend", LEAD))
    assert "£1,234" in shown


def test_a_lead_removed_in_this_process_is_refused_at_once(slack_server, engine, programme):
    said(slack_server.command("status", LEAD))
    archive(engine, LEAD)
    shown, _ = said(slack_server.command("status", LEAD))
    assert JOIN_TEXT.split(".")[0] in shown


@pytest.mark.parametrize("command", ["status", "spend", "risks"])
def test_a_lead_removed_by_another_process_is_refused_within_a_second(
    slack_server, engine, other_process, programme, command
):
    said(slack_server.command(command, LEAD))
    archive(other_process, LEAD)
    time.sleep(directory_for(engine).max_age + 0.05)
    shown, _ = said(slack_server.command(command, LEAD))
    assert JOIN_TEXT.split(".")[0] in shown


def test_each_asker_sees_their_own_programme_whatever_is_held(slack_server, engine):
    insert_member(engine, "U0VALE", "lead", programme="vale", programme_name="Vale winter fund")
    insert_member(engine, "U0HILL", "lead", programme="hill", programme_name="Hill winter fund")
    for _ in range(2):
        for user, name, other in (("U0VALE", "Vale", "Hill"), ("U0HILL", "Hill", "Vale")):
            for command in ("status", "spend", "risks"):
                shown, _ = said(slack_server.command(command, user))
                assert f"{name} winter fund" in shown and f"{other} winter fund" not in shown
