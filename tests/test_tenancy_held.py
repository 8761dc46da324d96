"""The workspace check answered from what the process holds (bot.views.directory): the same
verdict as the database's, and nothing when what is held is stale, so every request is checked
and a repeated read still needs no statement."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.people.tenancy import Request, check, check_held
from bot.programme.file import SAMPLE_PATH
from bot.programme.loader import load_programme, read_path
from bot.programme.ownership import Owner
from bot.views.directory import Directory
from models import Member, session_scope

TEAM_A, TEAM_B = "T0ALPHA01", "T0BRAVO02"


@pytest.fixture
def lead_id(engine) -> str:
    load_programme(engine, read_path(SAMPLE_PATH), owner=Owner(TEAM_A))
    with session_scope(engine) as session:
        lead = session.exec(select(Member).where(Member.role == "lead", Member.platform == "slack")).first()
        assert lead is not None
        return lead.platform_user_id


@pytest.mark.parametrize(("team", "allowed"), [(TEAM_A, True), (TEAM_B, False)])
def test_the_held_verdict_is_the_databases(engine, lead_id, team, allowed):
    directory = Directory(max_age=60)
    request = Request("slack", (lead_id,), team_id=team, one_area=False)
    assert check_held(directory, request) is None  # nothing held yet
    with session_scope(engine) as session:
        directory.refresh(session, "slack", lead_id)
        from_database = check(session, request)
    held = check_held(directory, request)
    assert held == from_database and held is not None and held.allowed is allowed


def test_a_commit_makes_the_held_answer_stale(engine, lead_id):
    directory = Directory(max_age=60)
    with session_scope(engine) as session:
        directory.refresh(session, "slack", lead_id)
    request = Request("slack", (lead_id,), team_id=TEAM_A, one_area=False)
    assert check_held(directory, request) is not None
    directory.committed()
    assert check_held(directory, request) is None


def test_someone_on_no_programme_is_allowed_from_memory(engine, lead_id):
    directory = Directory(max_age=60)
    with session_scope(engine) as session:
        directory.refresh(session, "slack", "U0NOBODY")
    verdict = check_held(directory, Request("slack", ("U0NOBODY",), team_id=TEAM_B, one_area=False))
    assert verdict is not None and verdict.allowed
