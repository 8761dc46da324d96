"""No Teams tenant's activity reads or changes another's programme (issue 19), through the real
ASGI app's /api/messages. Alpha's programme belongs to tenant A, Bravo's to tenant B (the mixed
programme file, loaded twice); Bravo has a risk, a blocker and a check-in.

Every Teams listener route the app registers, every card verb (handlers.teams.listeners.card_action.
VERBS) and every command of the table is covered by a crafted activity; one added later without one
fails test_every_teams_listener_verb_and_command_has_a_crafted_activity. Two kinds, as for Slack
(tests/test_tenancy_slack.py): Alpha's people naming Bravo's ids from tenant A, and Bravo's user
ids sent from tenant A.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fixtures_slack import RunningApp, running_app
from microsoft_teams.api import ActivityTypeAdapter
from microsoft_teams.apps.events import CoreActivity
from slack_double import SlackDouble
from teams_activities import TeamsUser, card_action, installed, message, team_installed
from teams_double import TENANT_ID, TeamsDouble
from tenancy_listeners import COMMAND_TEXTS, UNKNOWN_WORD, Ids
from tenancy_support import FIXTURES, Area, changed, load_area, owned_by, settle, snapshot
from test_teams_e2e import teams_settings

from bot.commands.table import BY_NAME
from bot.common.config import Settings
from bot.people.tenancy import refusal_text
from bot.programme.loader import load_path
from bot.programme.ownership import Owner
from handlers.teams.app import build_teams_app
from handlers.teams.listeners.card_action import VERBS
from handlers.teams.risk_buttons import RISK_VERBS
from models.vocabulary import Platform

pytestmark = pytest.mark.slow

TENANT_A, TENANT_B = TENANT_ID, "22222222-2222-4222-8222-222222222222"
A_LEAD = TeamsUser("8a1f0c52-0000-4000-8000-00000000a11c", "Alice Lead")
A_PARTNER = TeamsUser("8a1f0c52-0000-4000-8000-000000000b0b", "Bob Partner")
B_LEAD = TeamsUser("9b2e0d63-0000-4000-8000-00000000a11c", "Brianna Bravolead")
B_PARTNER = TeamsUser("9b2e0d63-0000-4000-8000-000000000b0b", "Bert Bravopartner")
BOTH = TeamsUser("7c3d0000-0000-4000-8000-0000000000aa", "Named Twice")
SHARED = "  - {teams: 7c3d0000-0000-4000-8000-0000000000aa, name: Named Twice, organisation: carers, role: partner}"
REFUSED = refusal_text(Platform.TEAMS)
REFERENCES = frozenset({"conversation_ref"})  # kept on every activity a listener takes, by design
CARD_ANSWER = "application/vnd.microsoft.activity.message"

VERB_DATA: dict[str, Any] = {
    "checkin:open": lambda ids: {"programme": ids.programme_id},
    "checkin:no-change": lambda ids: {"programme": ids.programme_id},
    "checkin:submit": lambda ids: {
        "programme": ids.programme_id,
        f"scheme:{ids.scheme_id}:actual": "1",
        "comment": "crafted",
    },
    **{
        verb: lambda ids: {"risk_id": ids.risk_id, "note": "crafted", "organisation": str(ids.organisation_id)}
        for verb in RISK_VERBS
    },
    "blocker_reply": lambda ids: {
        "blocker_id": ids.blocker_id,
        f"note:{ids.blocker_id}": "crafted",
        f"action:{ids.blocker_id}": "resolve",
    },
}


@dataclass(frozen=True)
class Crafted:
    kind: str
    name: str
    activity: dict[str, Any]
    scope: str = "all"  # "all": nothing but references changes; "programme": only Bravo's rows are checked


def in_tenant(activity: dict[str, Any], tenant: str) -> dict[str, Any]:
    activity["conversation"]["tenantId"] = tenant
    activity["channelData"]["tenant"]["id"] = tenant
    return activity


def crafted(url: str, ids: Ids, user: TeamsUser, tenant: str) -> list[Crafted]:
    found = [
        Crafted("message", name, message(url, user, text(ids)), "programme")
        for name, text in {**COMMAND_TEXTS, UNKNOWN_WORD: lambda _: UNKNOWN_WORD}.items()
    ]
    found += [Crafted("invoke", verb, card_action(url, user, verb, data(ids))) for verb, data in VERB_DATA.items()]
    old_client = message(url, user, "")
    old_client["value"] = {"verb": "risk:acknowledge", "risk_id": ids.risk_id}
    found.append(Crafted("message", "a button sent back as a message", old_client))
    found.append(Crafted("installationUpdate", "personal", installed(url, user), "programme"))
    team = team_installed(url, user, "19:crafted@thread.tacv2", "Crafted team")
    found.append(Crafted("installationUpdate", "team", team, "programme"))
    update = installed(url, user)
    update.update(type="conversationUpdate", membersAdded=[{"id": user.id}])
    update.pop("action")
    found.append(Crafted("conversationUpdate", "members added", update, "programme"))
    return [Crafted(c.kind, c.name, in_tenant(c.activity, tenant), c.scope) for c in found]


# -- the areas and the app ------------------------------------------------------------------------


@pytest.fixture
def teams_api() -> Iterator[TeamsDouble]:
    with TeamsDouble() as double:
        yield double


@pytest.fixture
def settings(database_url: str, slack_api: SlackDouble, teams_api: TeamsDouble) -> Settings:
    return teams_settings(database_url, slack_api, teams_api)


def _area(engine, folder, word: str, guid: str, slack: str, owner: Owner, people: dict[str, str]) -> Area:
    words = {"mixed": word.lower(), "Mixed": word, "MIX": slack, "8a1f0c52": guid, **people}
    return load_area(engine, folder, "teams.yaml", words, owner, (SHARED,))


@pytest.fixture
def areas(engine, tmp_path) -> tuple[Area, Area]:
    alpha = _area(engine, tmp_path, "Alpha", "8a1f0c52", "ALP", Owner(teams_tenant_id=TENANT_A), {})
    people = {"Alice Lead": B_LEAD.name, "Bob Partner": B_PARTNER.name, "Home Carers Ltd": "Bravo Carers Ltd"}
    bravo = _area(engine, tmp_path, "Bravo", "9b2e0d63", "BRV", Owner(teams_tenant_id=TENANT_B), people)
    return alpha, bravo


@pytest.fixture
def server(settings: Settings, engine, areas) -> Iterator[RunningApp]:
    with running_app(settings, engine) as running:
        yield running


def bravo_ids(bravo: Area) -> Ids:
    return Ids(
        bravo.programme_id,
        bravo.slug,
        bravo.risk_id,
        bravo.blocker_id,
        bravo.checkin_id,
        bravo.partner_member_id,
        bravo.organisation_id,
        bravo.scheme_id,
    )


def post(server: RunningApp, activity: dict[str, Any]) -> httpx.Response:
    return server.http.post("/api/messages", json=activity)


def without(rows: dict[str, Any], names: frozenset[str]) -> dict[str, Any]:
    return {name: value for name, value in rows.items() if name not in names}


def sent_since(teams_api: TeamsDouble, since: int) -> list[Any]:
    return teams_api.sent()[since:]


def quiet(teams_api: TeamsDouble, engine) -> None:
    settle(lambda: len(teams_api.sent()), lambda: snapshot(engine))


# -- coverage -------------------------------------------------------------------------------------


def test_every_teams_listener_verb_and_command_has_a_crafted_activity(settings, engine):
    assert set(VERB_DATA) == set(VERBS), "a card verb with no crafted press, or a press of no verb"
    assert set(COMMAND_TEXTS) == set(BY_NAME), "a command with no crafted request, or one of no command"
    routes = [
        selector
        for selector, handler in build_teams_app(settings, engine).app.router._routes
        if getattr(handler, "__module__", "").startswith("handlers.teams.listeners")
    ]
    activities = [
        ActivityTypeAdapter.validate_python(CoreActivity.model_validate(c.activity).model_dump(by_alias=True))
        for c in crafted("https://service.example", Ids(1, "bravo-fund", 2, 3, 4, 5, 6, 7), A_LEAD, TENANT_A)
    ]
    assert routes and all(any(select(a) for a in activities) for select in routes), "a listener no activity reaches"


# -- kind 1: Alpha's people naming Bravo's ids -----------------------------------------------------


@pytest.mark.parametrize("user", [A_LEAD, A_PARTNER], ids=["alpha-lead", "alpha-partner"])
def test_alpha_naming_bravo_ids_is_refused_and_changes_nothing_of_bravo(server, teams_api, engine, areas, user):
    _, bravo = areas
    for request in crafted(teams_api.url, bravo_ids(bravo), user, TENANT_A):
        before, sent = snapshot(engine), len(teams_api.sent())
        response = post(server, request.activity)
        quiet(teams_api, engine)
        after = snapshot(engine)
        case = f"{request.kind} {request.name}"
        assert response.status_code in (200, 201), case
        seen = response.text + json.dumps([s.body for s in sent_since(teams_api, sent)])
        assert "Bravo" not in seen, f"{case} showed Bravo's programme"
        assert owned_by(engine, before, bravo.programme_id) == owned_by(engine, after, bravo.programme_id), case
        if request.scope == "all":
            assert changed(without(before, REFERENCES), without(after, REFERENCES)) == {}, case


# -- kind 2: tenant A carrying a user id Bravo names -----------------------------------------------


@pytest.mark.parametrize("user", [B_LEAD, B_PARTNER, BOTH], ids=["bravo-lead", "bravo-partner", "named-twice"])
def test_a_bravo_user_sent_from_tenant_a_is_refused_before_any_listener(server, teams_api, engine, areas, user):
    _, bravo = areas
    for request in crafted(teams_api.url, bravo_ids(bravo), user, TENANT_A):
        before, sent = snapshot(engine), len(teams_api.sent())
        response = post(server, request.activity)
        quiet(teams_api, engine)
        case = f"{request.kind} {request.name}"
        assert response.status_code in (200, 201), case
        assert changed(before, snapshot(engine)) == {}, case
        told = [s.text for s in sent_since(teams_api, sent)]
        if request.kind == "invoke":
            assert response.json() == {"statusCode": 200, "type": CARD_ANSWER, "value": REFUSED}, case
        assert told == ([REFUSED] if request.kind == "message" else []), case


# -- what still works, and activities of no tenant -------------------------------------------------


def test_bravo_lead_in_tenant_b_changes_bravo_and_alpha_lead_sees_alpha(server, teams_api, engine, areas):
    _, bravo = areas
    press = card_action(teams_api.url, B_LEAD, "risk:acknowledge", {"risk_id": bravo.risk_id})
    pressed = post(server, in_tenant(press, TENANT_B))
    assert pressed.status_code == 200 and pressed.json()["type"] == "application/vnd.microsoft.card.adaptive"
    assert "acknowledged" in repr(owned_by(engine, snapshot(engine), bravo.programme_id)["risk"]).lower()
    post(server, in_tenant(message(teams_api.url, A_LEAD, "status"), TENANT_A))
    [answer] = teams_api.wait_for(1, A_LEAD.conversation_id)
    assert "Alpha fund" in answer.card_text and "Bravo" not in answer.card_text


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda a: (a["conversation"].pop("tenantId"), a["channelData"].pop("tenant")), "names no tenant"),
        (lambda a: a["channelData"]["tenant"].update(id=TENANT_B), "two different tenants"),
    ],
    ids=["no-tenant", "two-tenants"],
)
def test_an_activity_whose_tenant_cannot_be_known_is_a_400(server, teams_api, engine, change, reason):
    activity = message(teams_api.url, A_LEAD, "status")
    change(activity)
    before = snapshot(engine)
    refused = post(server, activity)
    assert refused.status_code == 400 and reason in refused.text
    assert changed(before, snapshot(engine)) == {} and teams_api.sent() == []


def test_a_programme_without_an_owner_is_only_the_configured_tenants(database_url, slack_api, teams_api, engine):
    load_path(engine, FIXTURES / "teams.yaml")
    settings = teams_settings(database_url, slack_api, teams_api, teams_tenant_id=TENANT_A)
    with running_app(settings, engine) as running:
        post(running, in_tenant(message(teams_api.url, A_LEAD, "status"), TENANT_A))
        [answer] = teams_api.wait_for(1, A_LEAD.conversation_id)
        assert "Mixed fund" in answer.card_text
        before = snapshot(engine)
        post(running, in_tenant(message(teams_api.url, A_LEAD, "back"), TENANT_B))
        [_, refused] = teams_api.wait_for(2, A_LEAD.conversation_id)
        assert refused.text == REFUSED and changed(before, snapshot(engine)) == {}


def test_a_refused_message_in_a_channel_is_not_answered_there(server, teams_api, engine, areas):
    channel = message(teams_api.url, B_LEAD, "<at>winterbot</at> status")
    channel["conversation"].update(conversationType="channel", isGroup=True, id="19:shared@thread.tacv2")
    before = snapshot(engine)
    assert post(server, in_tenant(channel, TENANT_A)).status_code in (200, 201)
    quiet(teams_api, engine)
    assert teams_api.sent() == [] and changed(before, snapshot(engine)) == {}
