"""The clock in OAuth mode (bot.app.wiring.build_context): each programme's prompts go out with
its own workspace's token and never another's; a programme with no workspace, or whose workspace
has no installation, sends nothing to Slack; an uninstall stops one workspace and leaves the
other; a token about to expire is refreshed before it is used. Installed through the real ASGI
app and the Slack double, then sent as `winterbot run-job` sends."""

from __future__ import annotations

import json
import time
from datetime import date

import pytest
from slack_double import APP_ID, BOT_TOKEN
from slack_oauth_support import bot_token, install, load_for, partner_ids
from slack_sdk.oauth.installation_store import Installation
from slack_signing import signed_headers
from test_jobs import PARTNERS, london

from bot.app.wiring import build_context
from bot.common.config import Settings
from bot.sending.scheduler import run_job
from handlers.slack.oauth import installation_store
from handlers.slack.workspaces import SlackWorkspaces

pytestmark = pytest.mark.slow
pytest_plugins = ["slack_oauth_support"]  # the settings and server of OAuth mode

NORTH, SOUTH = "T0NORTH", "T0SOUTH"
MONDAY, TUESDAY = date(2027, 1, 11), date(2027, 1, 12)


@pytest.fixture
def programmes(server, engine, tmp_path):
    """North's and South's programmes, each installed in and loaded for its workspace, and one
    loaded for no workspace."""
    install(server, NORTH)
    install(server, SOUTH)
    return {
        NORTH: load_for(engine, tmp_path, "north-winter", "U0NRTH", NORTH),
        SOUTH: load_for(engine, tmp_path, "south-winter", "U0STH0", SOUTH),
        None: load_for(engine, tmp_path, "nobodys-winter", "U0NONE", None),
    }


def prompts_by_token(slack_api) -> dict[str | None, set[str]]:
    sent: dict[str | None, set[str]] = {}
    for call in slack_api.calls("chat.postMessage"):
        sent.setdefault(call.token, set()).add(call["channel"])
    return sent


def lines(results) -> dict[str, str]:
    return {r.programme: r.line() for r in results}


def test_each_programmes_prompts_go_with_its_own_workspaces_token(programmes, settings, engine, slack_api):
    north, south = bot_token(engine, settings, NORTH), bot_token(engine, settings, SOUTH)
    ctx = build_context(settings, engine, workers=4)
    assert "slack" not in ctx.messengers  # nothing shared: each programme binds its own
    results = lines(run_job(ctx, "daily-prompts", london(MONDAY, 10)))
    sent = prompts_by_token(slack_api)
    assert set(sent) == {north, south}
    assert sent[north] == partner_ids(engine, programmes[NORTH])
    assert sent[south] == partner_ids(engine, programmes[SOUTH])
    assert len(sent[north]) == len(sent[south]) == PARTNERS
    assert f"sent {PARTNERS}" in results["north-winter"] and f"sent {PARTNERS}" in results["south-winter"]
    assert "sent 0" in results["nobodys-winter"] and "slack is not configured" in results["nobodys-winter"]
    checked = {c.token for c in slack_api.calls("auth.test")}
    assert BOT_TOKEN not in checked and None not in checked


def test_uninstalling_one_workspace_stops_its_prompts_and_not_the_others(
    programmes, server, settings, engine, slack_api
):
    north, south = bot_token(engine, settings, NORTH), bot_token(engine, settings, SOUTH)
    run_job(build_context(settings, engine, workers=4), "daily-prompts", london(MONDAY, 10))
    uninstalled(server, NORTH, settings, engine)
    slack_api.revoke(north)
    slack_api.clear()
    assert bot_token(engine, settings, NORTH) is None
    assert installation_store(settings, engine).find_installation(enterprise_id=None, team_id=NORTH) is None
    results = lines(run_job(build_context(settings, engine, workers=4), "daily-prompts", london(TUESDAY, 10)))
    sent = prompts_by_token(slack_api)
    assert set(sent) == {south} and len(sent[south]) == PARTNERS
    assert "sent 0" in results["north-winter"] and "slack is not configured" in results["north-winter"]
    assert SlackWorkspaces(settings, engine).bound(programmes[NORTH]) is None


def test_a_messenger_kept_from_before_the_uninstall_sends_nothing_either(
    programmes, server, settings, engine, slack_api
):
    """A context built before the uninstall still holds North's messenger for up to LOOK_AGAIN:
    the mark the event left stops it (handlers.slack.installation) all the same."""
    north = bot_token(engine, settings, NORTH)
    ctx = build_context(settings, engine, workers=4)
    run_job(ctx, "daily-prompts", london(MONDAY, 10))
    uninstalled(server, NORTH, settings, engine)
    slack_api.revoke(north)
    slack_api.clear()
    time.sleep(2.1)  # the messenger looks for a mark at most every 2 seconds
    run_job(ctx, "daily-prompts", london(TUESDAY, 10))
    assert north not in prompts_by_token(slack_api)


def test_a_token_about_to_expire_is_refreshed_before_the_prompts_use_it(server, settings, engine, slack_api, tmp_path):
    slack_api.oauth.expires_in = 600  # well within the two hours before expiry that a refresh is due
    install(server, NORTH)
    load_for(engine, tmp_path, "north-winter", "U0NRTH", NORTH)
    installed = bot_token(engine, settings, NORTH)
    results = run_job(build_context(settings, engine, workers=4), "daily-prompts", london(MONDAY, 10))
    refreshed = bot_token(engine, settings, NORTH)
    assert refreshed and refreshed != installed and refreshed == slack_api.oauth.issued[-1]
    assert [c.get("grant_type") for c in slack_api.calls("oauth.v2.access")] == [None, "refresh_token"]
    assert set(prompts_by_token(slack_api)) == {refreshed}
    assert results[0].sent == PARTNERS


def test_a_refused_refresh_keeps_a_token_that_has_not_expired_yet(server, settings, engine, slack_api, tmp_path):
    slack_api.oauth.expires_in = 600
    install(server, NORTH)
    north = load_for(engine, tmp_path, "north-winter", "U0NRTH", NORTH)
    installed = bot_token(engine, settings, NORTH)
    slack_api.refuse("oauth.v2.access", "invalid_refresh_token")
    messenger = SlackWorkspaces(settings, engine).bound(north)
    assert messenger is not None and messenger.client.token == installed
    assert bot_token(engine, settings, NORTH) == installed


def test_an_expired_token_that_cannot_be_refreshed_sends_nothing(server, settings, engine, slack_api, tmp_path):
    slack_api.oauth.expires_in = -60  # expired a minute ago
    install(server, NORTH)
    north = load_for(engine, tmp_path, "north-winter", "U0NRTH", NORTH)
    slack_api.refuse("oauth.v2.access", "invalid_refresh_token")
    assert SlackWorkspaces(settings, engine).bound(north) is None


def test_a_token_far_from_expiry_is_not_refreshed(server, settings, engine, slack_api, tmp_path):
    slack_api.oauth.expires_in = 12 * 3600
    install(server, NORTH)
    load_for(engine, tmp_path, "north-winter", "U0NRTH", NORTH)
    installed = bot_token(engine, settings, NORTH)
    run_job(build_context(settings, engine, workers=4), "daily-prompts", london(MONDAY, 10))
    assert bot_token(engine, settings, NORTH) == installed
    assert set(prompts_by_token(slack_api)) == {installed}
    assert len(slack_api.calls("oauth.v2.access")) == 1


def test_a_workspaces_messenger_is_kept_until_its_token_changes(programmes, settings, engine, slack_api):
    clock = [0.0]
    workspaces = SlackWorkspaces(settings, engine, look_again=30, clock=lambda: clock[0])
    first = workspaces.bound(programmes[NORTH])
    assert first is not None and workspaces.bound(programmes[NORTH]) is first
    assert workspaces.bound(programmes[SOUTH]) is not first
    store = installation_store(settings, engine)
    installation = store.find_installation(enterprise_id=None, team_id=NORTH)
    assert installation is not None
    installation.bot_token = "xoxb-T0NORTH-reinstalled"
    store.save(installation)
    clock[0] = 10.0
    assert workspaces.bound(programmes[NORTH]) is first  # not looked up again yet
    clock[0] = 31.0
    again = workspaces.bound(programmes[NORTH])
    assert again is not first and again is not None
    assert again.client.token == "xoxb-T0NORTH-reinstalled"
    assert again.throttle is first.throttle and again.pacers is first.pacers


def test_a_workspace_of_an_organisation_sends_with_the_organisation_wide_installation(
    settings, engine, slack_api, tmp_path
):
    store = installation_store(settings, engine)
    store.save(
        Installation(
            app_id=APP_ID,
            enterprise_id="E0GRID",
            team_id=None,
            is_enterprise_install=True,
            bot_token="xoxb-E0GRID-winterbot-test",
            bot_id="B0GRID",
            bot_user_id="U0GRIDBOT",
            user_id="U0INSTALLER",
        )
    )
    in_grid = load_for(engine, tmp_path, "grid-winter", "U0GRID", "T0GRIDA", "E0GRID")
    elsewhere = load_for(engine, tmp_path, "other-winter", "U0OTHR", "T0OTHER", "E0OTHER")
    workspaces = SlackWorkspaces(settings, engine)
    messenger = workspaces.bound(in_grid)
    assert messenger is not None and messenger.client.token == "xoxb-E0GRID-winterbot-test"
    assert workspaces.bound(elsewhere) is None


def test_single_token_mode_is_unchanged(database_url, slack_api, engine, tmp_path):
    settings = Settings(database_url=database_url, slack_bot_token=BOT_TOKEN, slack_api_url=slack_api.url)
    load_for(engine, tmp_path, "north-winter", "U0NRTH", None)
    ctx = build_context(settings, engine, workers=4)
    assert ctx.bind is None and "slack" in ctx.messengers
    results = run_job(ctx, "daily-prompts", london(MONDAY, 10))
    assert results[0].sent == PARTNERS
    assert set(prompts_by_token(slack_api)) == {BOT_TOKEN}


def uninstalled(server, team: str, settings: Settings, engine) -> None:
    """Slack's app_uninstalled, signed; returns once the listener (run after the ack) has removed
    the workspace's installation."""
    body = json.dumps(
        {
            "token": "legacy",
            "team_id": team,
            "api_app_id": APP_ID,
            "type": "event_callback",
            "event_id": f"Ev0{team}UNINSTALL",
            "event_time": int(time.time()),
            "event": {"type": "app_uninstalled"},
        }
    )
    headers = signed_headers(body, server.secret, content_type="application/json")
    response = server.http.post("/slack/events", content=body.encode(), headers=headers)
    assert response.status_code == 200, response.text
    store = installation_store(settings, engine)
    deadline = time.monotonic() + 5
    # The bot and then the installation are deleted, one after the other: wait for both.
    while bot_token(engine, settings, team) is not None or store.find_installation(enterprise_id=None, team_id=team):
        assert time.monotonic() < deadline, "the installation was not removed within 5 s"
        time.sleep(0.05)
