"""Whose a programme is: set when it is loaded for a workspace or tenant, never moved by a later
load, and a slug another area holds is refused whole."""

from __future__ import annotations

import pytest
from sqlmodel import col, select
from test_cli import counts, winterbot

from bot.programme.file import SAMPLE_PATH
from bot.programme.loader import load_programme, read_path
from bot.programme.ownership import Owner, OwnershipError, claim
from models import Member, Programme, session_scope

TEAM_A, TEAM_B = "T0AREAA01", "T0AREAB02"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"


def the_programme(engine) -> Programme:
    with session_scope(engine) as session:
        return session.exec(select(Programme)).one()


@pytest.mark.parametrize(
    ("owner", "words"),
    [
        ({"slack_team_id": "t0lower"}, "a Slack workspace id is T"),
        ({"slack_team_id": "U0USER"}, "a Slack workspace id is T"),
        ({"slack_enterprise_id": "T0TEAM"}, "a Slack organisation id is E"),
        ({"teams_tenant_id": "not-a-guid"}, "a Microsoft tenant id is a GUID"),
    ],
)
def test_an_id_of_the_wrong_shape_is_refused_saying_what_one_looks_like(owner, words):
    with pytest.raises(OwnershipError, match=words):
        Owner(**owner)


def test_claiming_sets_only_what_is_unowned_and_refuses_another_workspace():
    programme = Programme(slug="vale", slack_team_id=None, teams_tenant_id=TENANT)
    assert claim(programme, Owner(slack_team_id=TEAM_A, teams_tenant_id=TENANT)) == ["slack_team_id"]
    assert programme.slack_team_id == TEAM_A and programme.teams_tenant_id == TENANT
    assert claim(programme, Owner(slack_team_id=TEAM_A)) == []
    with pytest.raises(OwnershipError, match="belongs to another workspace or tenant"):
        claim(programme, Owner(slack_team_id=TEAM_B))
    assert programme.slack_team_id == TEAM_A


def test_a_load_for_a_workspace_owns_the_programme_and_another_workspace_cannot_take_it(engine):
    spec = read_path(SAMPLE_PATH)
    load_programme(engine, spec, owner=Owner(slack_team_id=TEAM_A))
    assert the_programme(engine).slack_team_id == TEAM_A
    with session_scope(engine) as session:
        members_before = len(session.exec(select(Member)).all())
    edited = spec.model_copy(update={"members": spec.members[:1]})
    with pytest.raises(OwnershipError, match="choose another slug"):
        load_programme(engine, edited, prune=True, owner=Owner(slack_team_id=TEAM_B))
    with session_scope(engine) as session:
        assert len(session.exec(select(Member).where(col(Member.archived_at).is_(None))).all()) == members_before
    assert the_programme(engine).slack_team_id == TEAM_A


def test_a_load_without_an_owner_keeps_the_one_it_has(engine):
    spec = read_path(SAMPLE_PATH)
    load_programme(engine, spec, owner=Owner(teams_tenant_id=TENANT))
    report = load_programme(engine, spec)
    assert not report.changed
    assert the_programme(engine).teams_tenant_id == TENANT


def test_winterbot_load_for_a_workspace_and_then_for_another(tmp_path, database_url):
    assert winterbot("init", "area.yaml", cwd=tmp_path).returncode == 0
    first = winterbot("load", "area.yaml", "--workspace", TEAM_A, cwd=tmp_path, database_url=database_url)
    assert first.returncode == 0, first.stderr
    before = counts(database_url)
    other = winterbot("load", "area.yaml", "--workspace", TEAM_B, cwd=tmp_path, database_url=database_url)
    assert other.returncode == 2
    assert "belongs to another workspace or tenant" in other.stderr and "nothing was loaded" in other.stderr
    bad = winterbot("load", "area.yaml", "--tenant", "tenant-one", cwd=tmp_path, database_url=database_url)
    assert bad.returncode == 2 and "is a GUID" in bad.stderr
    assert counts(database_url) == before
