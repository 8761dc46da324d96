"""No Slack workspace's request reads or changes another's programme (issue 19), through the real
ASGI app with signed requests. Two areas load the same programme file, Alpha for workspace A and
Bravo for workspace B; Bravo has a risk, a blocker and a check-in.

Every listener the Slack app registers is enumerated (tests/tenancy_listeners.py), and each has a
crafted request here: a listener added later without one fails test_every_listener_has_a_crafted_request.
Two kinds of crafted request, each checked against a snapshot of every table:

1. from workspace A by Alpha's own people, naming Bravo's ids (its programme id and slug, risk,
   blocker, check-in, organisation and scheme) in values and private_metadata: refused or "not
   yours"; buttons and forms change nothing at all, commands nothing of Bravo's;
2. from workspace A carrying a user id Bravo names (Bravo's lead and partner, and someone named
   on both programmes): refused by the tenancy check before any listener, nothing changed, Slack
   not called.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlencode

import httpx
import pytest
from fixtures_slack import RunningApp, running_app
from slack_double import SlackDouble
from slack_signing import SIGNING_SECRET, block_actions_payload, signed_headers, slash_command_body
from starlette.applications import Starlette
from starlette.routing import Route
from tenancy_listeners import COMMAND_TEXTS, Crafted, Ids, slack_requests, slack_uncovered
from tenancy_support import Area, changed, load_area, owned_by, settle, snapshot

from bot.app.background import Workers
from bot.commands.table import BY_NAME
from bot.common.config import Settings
from bot.people.tenancy import refusal_text
from bot.programme.ownership import Owner
from handlers.slack import build_slack_app
from handlers.slack.endpoint import slack_endpoint
from models.vocabulary import Platform

pytestmark = pytest.mark.slow

TEAM_A, TEAM_B = "T0ALPHA01", "T0BRAVO02"
A_LEAD, A_PARTNER = "U0ALPHA01", "U0ALPHA02"
B_LEAD, B_PARTNER = "U0BRAVO01", "U0BRAVO02"
BOTH = "U0NAMEDTWICE"  # a user id named on both programmes
REFUSED = refusal_text(Platform.SLACK)
SHARED = "  - {slack: U0NAMEDTWICE, name: Named Twice, organisation: carers, role: partner}"


@pytest.fixture
def areas(engine, tmp_path) -> tuple[Area, Area]:
    alpha = load_area(
        engine,
        tmp_path,
        "checkin.yaml",
        {"test-fund": "alpha-fund", "Test fund": "Alpha fund", "U0TEST000": "U0ALPHA0"},
        Owner(slack_team_id=TEAM_A),
        (SHARED,),
    )
    bravo = load_area(
        engine,
        tmp_path,
        "checkin.yaml",
        {
            "test-fund": "bravo-fund",
            "Test fund": "Bravo fund",
            "U0TEST000": "U0BRAVO0",
            "Alice Lead": "Brianna Bravolead",
            "Bob Partner": "Bert Bravopartner",
            "Home Carers Ltd": "Bravo Carers Ltd",
        },
        Owner(slack_team_id=TEAM_B),
        (SHARED,),
    )
    return alpha, bravo


@pytest.fixture
def server(slack_settings: Settings, engine, areas) -> Iterator[RunningApp]:
    with running_app(slack_settings, engine) as running:
        yield running


def bravo_ids(bravo: Area) -> Ids:
    return Ids(
        programme_id=bravo.programme_id,
        slug=bravo.slug,
        risk_id=bravo.risk_id,
        blocker_id=bravo.blocker_id,
        checkin_id=bravo.checkin_id,
        member_id=bravo.partner_member_id,
        organisation_id=bravo.organisation_id,
        scheme_id=bravo.scheme_id,
    )


# -- sending crafted requests ----------------------------------------------------------------------


def send(server: RunningApp, request: Crafted) -> httpx.Response:
    headers = signed_headers(request.body, server.secret, content_type=request.content_type)
    return server.http.post("/slack/events", content=request.body.encode(), headers=headers)


def send_command(server: RunningApp, slack_api: SlackDouble, text: str, user: str, team: str) -> httpx.Response:
    return server.command(text, user, team_id=team, response_url=slack_api.response_url("command"))


def send_action(
    server: RunningApp, slack_api: SlackDouble, action_id: str, value: str, user: str, team: str
) -> httpx.Response:
    payload = block_actions_payload(action_id, value, user)
    payload["team"]["id"] = payload["user"]["team_id"] = team
    payload["response_url"] = slack_api.response_url("action")
    return server.interact(payload)


def spoken(slack_api: SlackDouble, since: int) -> str:
    """Everything winterbot sent to Slack since the `since`-th call: what anyone could read."""
    return json.dumps([call.body for call in slack_api.calls()[since:]], default=str)


def quiet(slack_api: SlackDouble, engine) -> None:
    settle(lambda: len(slack_api.calls()), lambda: snapshot(engine))


# -- coverage ------------------------------------------------------------------------------------


def test_every_listener_has_a_crafted_request(slack_settings, engine):
    ids = Ids(1, "bravo-fund", 2, 3, 4, 5, 6, 7)
    missing, untaken = slack_uncovered(slack_settings, engine, slack_requests(ids, A_LEAD, TEAM_A, "https://x"))
    assert missing == [], "listeners with no crafted request in tests/tenancy_listeners.py"
    assert untaken == [], "crafted requests no listener takes"


# -- kind 1: Alpha's people naming Bravo's ids ---------------------------------------------------


@pytest.mark.parametrize("user", [A_LEAD, A_PARTNER], ids=["alpha-lead", "alpha-partner"])
def test_alpha_naming_bravo_ids_is_refused_and_changes_nothing_of_bravo(server, slack_api, engine, areas, user):
    _, bravo = areas
    for request in slack_requests(bravo_ids(bravo), user, TEAM_A, slack_api.response_url("crafted")):
        before, calls = snapshot(engine), len(slack_api.calls())
        response = send(server, request)
        quiet(slack_api, engine)
        after = snapshot(engine)
        case = f"{request.kind} {request.name}"
        assert response.status_code == 200, case
        assert "Bravo" not in response.text + spoken(slack_api, calls), f"{case} showed Bravo's programme"
        assert owned_by(engine, before, bravo.programme_id) == owned_by(engine, after, bravo.programme_id), case
        if request.scope == "all":
            assert changed(before, after) == {}, f"{case} changed {changed(before, after)}"
        if request.scope == "workspace":
            assert set(changed(before, after)) <= {"workspace_state"}, case
            assert TEAM_B not in repr(after["workspace_state"]), f"{case} marked workspace B"


# -- kind 2: workspace A carrying a user id Bravo names -------------------------------------------


@pytest.mark.parametrize("user", [B_LEAD, B_PARTNER, BOTH], ids=["bravo-lead", "bravo-partner", "named-twice"])
def test_a_bravo_user_id_sent_from_workspace_a_is_refused_before_any_listener(server, slack_api, engine, areas, user):
    _, bravo = areas
    for request in slack_requests(bravo_ids(bravo), user, TEAM_A, slack_api.response_url("crafted")):
        if request.scope == "workspace":
            continue  # names no user: the workspace's own event (kind 1 checks it marks only A)
        before, calls = snapshot(engine), len(slack_api.calls())
        response = send(server, request)
        quiet(slack_api, engine)
        case = f"{request.kind} {request.name}"
        assert response.status_code == 200, case
        if request.kind == "command":
            assert response.json() == {"response_type": "ephemeral", "text": REFUSED}, case
        else:
            assert response.content == b"", case
        assert changed(before, snapshot(engine)) == {}, case
        assert slack_api.calls()[calls:] == [], f"{case} called Slack"


def test_named_on_both_programmes_is_refused_from_either_workspace(server, slack_api):
    for team in (TEAM_A, TEAM_B):
        assert send_command(server, slack_api, "status", BOTH, team).json()["text"] == REFUSED


# -- what still works -------------------------------------------------------------------------------


def test_bravo_lead_from_workspace_b_sees_and_changes_bravo(server, slack_api, engine, areas):
    _, bravo = areas
    status = send_command(server, slack_api, "status", B_LEAD, TEAM_B).json()
    assert "Bravo fund" in json.dumps(status) and status["text"] != REFUSED
    before = owned_by(engine, snapshot(engine), bravo.programme_id)
    assert send_action(server, slack_api, "risk_acknowledge", str(bravo.risk_id), B_LEAD, TEAM_B).status_code == 200
    settle(lambda: len(slack_api.calls()), lambda: snapshot(engine))
    after = owned_by(engine, snapshot(engine), bravo.programme_id)
    assert changed(before, after).get("risk") == (1, 1)
    assert "acknowledged" in repr(after["risk"]).lower()


def test_alpha_lead_from_workspace_a_sees_alpha(server, slack_api):
    status = send_command(server, slack_api, "status", A_LEAD, TEAM_A).json()
    assert "Alpha fund" in json.dumps(status) and "Bravo" not in json.dumps(status)


def test_a_request_naming_no_workspace_is_a_400_and_slacks_checks_still_answer(server):
    form = dict(parse_qsl(slash_command_body("status", A_LEAD)))
    form.pop("team_id")
    body = urlencode(form)
    refused = server.http.post("/slack/events", content=body.encode(), headers=signed_headers(body, server.secret))
    assert refused.status_code == 400 and "names no Slack workspace" in refused.text
    payload = block_actions_payload("risk_acknowledge", "1", A_LEAD)
    payload["team"], payload["user"] = None, {"id": A_LEAD}
    assert server.interact(payload).status_code == 400
    challenge = json.dumps({"type": "url_verification", "challenge": "c-h-a-l", "token": "x"})
    headers = signed_headers(challenge, server.secret, content_type="application/json")
    answered = server.http.post("/slack/events", content=challenge.encode(), headers=headers)
    assert answered.status_code == 200 and "c-h-a-l" in answered.text


def test_every_command_of_the_table_has_a_crafted_request():
    assert set(COMMAND_TEXTS) == set(BY_NAME)


# -- an Enterprise Grid organisation, and many workspaces ---------------------------------------------


def grid_command(server: RunningApp, text: str, user: str, team: str, enterprise: str) -> httpx.Response:
    form = dict(parse_qsl(slash_command_body(text, user, team_id=team)))
    body = urlencode({**form, "enterprise_id": enterprise, "is_enterprise_install": "true"})
    return server.http.post("/slack/events", content=body.encode(), headers=signed_headers(body, server.secret))


def test_a_programme_of_an_organisation_answers_each_of_its_workspaces_and_no_other(
    slack_settings, engine, tmp_path, start_app
):
    words = {"test-fund": "grid-fund", "Test fund": "Grid fund", "U0TEST000": "W0GRID000"}
    load_area(engine, tmp_path, "checkin.yaml", words, Owner(slack_enterprise_id="E0GRID01"))
    with start_app(slack_settings, engine) as server:
        for team in (TEAM_A, TEAM_B):
            assert "Grid fund" in grid_command(server, "status", "W0GRID0001", team, "E0GRID01").text
        before = snapshot(engine)
        refused = grid_command(server, "away 4 Jan", "W0GRID0001", TEAM_A, "E0OTHER02")
        assert refused.json()["text"] == REFUSED and changed(before, snapshot(engine)) == {}


def asgi_post(app: Starlette, body: str) -> httpx.Response:
    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://winterbot") as client:
            return await client.post("/slack/events", content=body.encode(), headers=signed_headers(body))

    return asyncio.run(send())


@pytest.mark.parametrize("many", [False, True], ids=["one-workspace", "many-workspaces"])
def test_a_programme_without_an_owner_is_every_workspaces_only_when_there_is_one(
    slack_settings, engine, add_member, many
):
    """As bot.app.server composes the endpoint, with `many_workspaces` said outright (under OAuth
    it is read from the Bolt app: test_tenancy_rule checks serves_many)."""
    add_member("U0VALELEAD", "lead")
    workers = Workers()
    slack_app = build_slack_app(slack_settings, engine, workers=workers)
    endpoint = slack_endpoint(slack_app, SIGNING_SECRET, engine, workers, many_workspaces=many)
    app = Starlette(routes=[Route("/slack/events", endpoint, methods=["POST"])])
    before = snapshot(engine)
    answer = asgi_post(app, slash_command_body("away 4 Jan", "U0VALELEAD", team_id=TEAM_B))
    assert answer.status_code == 200
    if many:
        assert answer.json() == {"response_type": "ephemeral", "text": REFUSED}
        assert changed(before, snapshot(engine)) == {}
    else:
        assert answer.json()["text"] != REFUSED and changed(before, snapshot(engine))
