"""The tenancy rule (bot.people.tenancy) and what each platform reads from a request for it
(handlers.slack.tenancy, handlers.teams.tenancy): pure functions, no server; and the check's one
statement against the database."""

from __future__ import annotations

from typing import Any

import pytest
from slack_bolt.async_app import AsyncApp
from slack_sdk.oauth.installation_store import FileInstallationStore
from sqlalchemy import event
from tenancy_support import FIXTURES

from bot.people.tenancy import (
    ANOTHER_AREA,
    UNOWNED,
    ProgrammeOwner,
    Request,
    check,
    decide,
    matches,
    owners_of,
    refusal_text,
)
from bot.programme.loader import load_programme, read_path
from bot.programme.ownership import Owner
from handlers.slack.guard import Accepted, Refused
from handlers.slack.tenancy import acting_user_ids, serves_many, slack_request
from handlers.teams.tenancy import teams_request, tenant_problem
from models.db import session_scope

TEAM_A, TEAM_B, GRID, OTHER_GRID = "T0ALPHA01", "T0BRAVO02", "E0GRID01", "E0OTHER02"
TENANT_A, TENANT_B = "11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"


def slack(team: str | None = TEAM_A, enterprise: str | None = None, *, many: bool = True) -> Request:
    return Request("slack", ("U1",), team_id=team, enterprise_id=enterprise, one_area=not many)


def teams(tenant: str = TENANT_A, *, one_area: bool = False) -> Request:
    return Request("teams", ("aad",), tenant_id=tenant, one_area=one_area)


# -- the rule -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("owner", "request_", "expected"),
    [
        (ProgrammeOwner(slack_team_id=TEAM_A), slack(TEAM_A), True),
        (ProgrammeOwner(slack_team_id=TEAM_A), slack(TEAM_B), False),
        (ProgrammeOwner(slack_team_id=TEAM_A), slack(None), False),
        (ProgrammeOwner(slack_team_id=TEAM_A), slack(TEAM_B, many=False), False),  # owned: its own workspace only
        (ProgrammeOwner(slack_enterprise_id=GRID), slack(TEAM_B, GRID), True),  # any workspace of the organisation
        (ProgrammeOwner(slack_enterprise_id=GRID), slack(TEAM_B, OTHER_GRID), False),
        (ProgrammeOwner(slack_enterprise_id=GRID), slack(TEAM_B), False),
        (ProgrammeOwner(TEAM_A, GRID), slack(TEAM_A, GRID), True),
        (ProgrammeOwner(TEAM_A, GRID), slack(TEAM_A, OTHER_GRID), False),  # a team is in one organisation
        (ProgrammeOwner(TEAM_A, GRID), slack(TEAM_B, GRID), True),
        (ProgrammeOwner(), slack(TEAM_B, many=False), True),  # one workspace: every unowned programme is its
        (ProgrammeOwner(), slack(TEAM_B, many=True), False),
        (ProgrammeOwner(teams_tenant_id=TENANT_A), slack(TEAM_A, many=False), True),  # the Teams owner is Teams'
        (ProgrammeOwner(teams_tenant_id=TENANT_A), slack(TEAM_A, many=True), False),
        (ProgrammeOwner(teams_tenant_id=TENANT_A), teams(TENANT_A), True),
        (ProgrammeOwner(teams_tenant_id=TENANT_A.upper()), teams(TENANT_A), True),  # a GUID's case carries nothing
        (ProgrammeOwner(teams_tenant_id=TENANT_A), teams(TENANT_B, one_area=True), False),
        (ProgrammeOwner(slack_team_id=TEAM_A), teams(TENANT_A, one_area=True), True),  # the Slack owner is Slack's
        (ProgrammeOwner(slack_team_id=TEAM_A), teams(TENANT_A, one_area=False), False),
        (ProgrammeOwner(), teams(TENANT_B, one_area=True), True),
        (ProgrammeOwner(), teams(TENANT_B, one_area=False), False),
        (ProgrammeOwner(slack_team_id=TEAM_A), Request("email", ("x",)), False),
    ],
)
def test_a_programme_matches_only_its_own_workspace_or_tenant(owner, request_, expected):
    assert matches(owner, request_) is expected


def test_someone_on_no_programme_goes_on_and_anyone_on_a_foreign_one_is_refused():
    assert decide(slack(), []).allowed
    assert decide(slack(), [ProgrammeOwner(slack_team_id=TEAM_A)]).allowed
    mixed = decide(slack(), [ProgrammeOwner(slack_team_id=TEAM_A), ProgrammeOwner(slack_team_id=TEAM_B)])
    assert (mixed.allowed, mixed.reason, mixed.elsewhere) == (False, ANOTHER_AREA, 1)
    unowned = decide(slack(many=True), [ProgrammeOwner()])
    assert (unowned.allowed, unowned.reason) == (False, UNOWNED)


def test_the_refusal_names_no_programme_and_says_what_to_do():
    for platform in ("slack", "teams"):
        words = refusal_text(platform)
        assert "another" in words and "admin" in words and "{" not in words
    assert refusal_text("slack").startswith("Your Slack account") and "Teams account" in refusal_text("teams")


# -- Slack: what the request carries ------------------------------------------------------------------


def command(**fields: str) -> Accepted:
    return Accepted("command", {"command": "/winter", "user_id": "U1", "trigger_id": "t", **fields})


def interaction(**fields: Any) -> Accepted:
    return Accepted("interaction", {"type": "block_actions", "user": {"id": "U1"}, **fields})


def test_a_commands_workspace_organisation_and_user_are_its_form_fields():
    asking = slack_request(command(team_id=TEAM_A, enterprise_id=GRID), many_workspaces=True)
    assert asking == Request("slack", ("U1",), team_id=TEAM_A, enterprise_id=GRID, one_area=False)
    assert slack_request(command(team_id=TEAM_A, enterprise_id=""), False) == Request(
        "slack", ("U1",), team_id=TEAM_A, enterprise_id=None, one_area=True
    )


def test_an_interaction_is_read_as_bolt_chooses_its_installation():
    found = slack_request(interaction(team={"id": TEAM_A}, enterprise={"id": GRID}), True)
    assert isinstance(found, Request) and (found.team_id, found.enterprise_id) == (TEAM_A, GRID)
    org_wide = slack_request(interaction(team=None, user={"id": "U1", "team_id": TEAM_B}), True)
    assert isinstance(org_wide, Request) and org_wide.team_id == TEAM_B


def test_an_event_is_read_from_its_authorization_and_its_user():
    payload = {
        "type": "event_callback",
        "team_id": TEAM_B,
        "authorizations": [{"team_id": TEAM_A, "enterprise_id": None}],
        "event": {"type": "message", "user": "U2"},
    }
    found = slack_request(Accepted("event", payload), True)
    assert isinstance(found, Request) and found.team_id == TEAM_A and found.user_ids == ("U2",)


def test_every_user_id_a_listener_could_act_as_is_checked():
    crafted = {
        "user": {"id": "U0NOBODY"},
        "user_id": "U0FORM",
        "event": {"user": "U0EVENT", "message": {"user": "U0EDITED"}},
    }
    assert set(acting_user_ids(crafted)) == {"U0NOBODY", "U0FORM", "U0EVENT", "U0EDITED"}
    assert acting_user_ids({"event": {"user": {"id": "U0OBJECT"}}}) == ("U0OBJECT",)
    assert acting_user_ids({"user": 5, "user_id": ""}) == ()


def test_a_payload_naming_no_workspace_is_refused_but_slacks_own_checks_are_not_checked():
    assert slack_request(command(), True) == Refused(400, "the request names no Slack workspace")
    assert isinstance(slack_request(interaction(team={"id": 7}), True), Refused)
    assert slack_request(Accepted("other", {"type": "url_verification", "challenge": "c"}), True) is None
    assert slack_request(Accepted("other", {"ssl_check": "1", "token": "x"}), True) is None
    assert isinstance(slack_request(Accepted("other", {"type": "app_rate_limited"}), True), Refused)


def test_an_app_that_authorizes_per_workspace_serves_many(tmp_path):
    assert not serves_many(AsyncApp(token="xoxb-one", signing_secret="s"))
    store = FileInstallationStore(base_dir=str(tmp_path))
    assert serves_many(AsyncApp(signing_secret="s", installation_store=store))


# -- Teams: the activity's tenant -----------------------------------------------------------------------


def activity(conversation: dict[str, Any] | None = None, channel_data: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "type": "message",
        "from": {"id": "29:1x", "aadObjectId": "aad"},
        "conversation": {"id": "a:1", **(conversation or {})},
        "channelData": channel_data or {},
    }


def test_a_teams_activity_names_one_tenant_or_is_refused():
    assert tenant_problem(activity({"tenantId": TENANT_A})) is None
    assert tenant_problem(activity(channel_data={"tenant": {"id": TENANT_A}})) is None
    assert tenant_problem(activity({"tenantId": TENANT_A}, {"tenant": {"id": TENANT_A.upper()}})) is None
    assert tenant_problem(activity()) == "the activity names no tenant"
    assert tenant_problem(activity({"tenantId": ""}, {"tenant": "x"})) == "the activity names no tenant"
    assert tenant_problem(activity({"tenantId": TENANT_A}, {"tenant": {"id": TENANT_B}})) is not None
    assert teams_request(activity(), None) is None


def test_a_teams_request_is_one_areas_only_where_that_tenant_is_configured():
    found = teams_request(activity({"tenantId": TENANT_A}), None)
    assert found == Request("teams", ("aad", "29:1x"), tenant_id=TENANT_A, one_area=True)
    assert teams_request(activity({"tenantId": TENANT_A}), TENANT_A.upper()).one_area  # type: ignore[union-attr]
    assert not teams_request(activity({"tenantId": TENANT_A}), TENANT_B).one_area  # type: ignore[union-attr]


# -- one statement, on the index ---------------------------------------------------------------------


def test_the_check_is_one_statement_on_the_members_index(engine):
    load_programme(engine, read_path(FIXTURES / "checkin.yaml"), owner=Owner(slack_team_id=TEAM_A))
    statements: list[tuple[str, Any]] = []

    def seen(connection: Any, cursor: Any, statement: str, parameters: Any, *rest: Any) -> None:
        statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", seen)
    with session_scope(engine) as session:
        refused = check(session, Request("slack", ("U0TEST0001", "U0NOBODY"), team_id=TEAM_B, one_area=True))
    event.remove(engine, "before_cursor_execute", seen)
    assert not refused.allowed and refused.reason == ANOTHER_AREA
    [(statement, parameters)] = [(s, p) for s, p in statements if s.lstrip().upper().startswith("SELECT")]
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            plan = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
        assert "ix_member_platform_user_id" in repr(plan)
    with session_scope(engine) as session:
        assert owners_of(session, "slack", ()) == []
