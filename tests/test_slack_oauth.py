"""Installing the app with a click (SLACK_CLIENT_ID, SLACK_CLIENT_SECRET), through the real ASGI
app under uvicorn and the Slack double: /slack/install sends the admin to Slack's consent screen
with a state, /slack/oauth_redirect exchanges the code and stores the workspace's token; a forged
or used state is refused; requests from a workspace are answered with its own token."""

from __future__ import annotations

import json
import logging
import time

import httpx
import pytest
from slack_double import APP_ID, CLIENT_ID
from slack_oauth_support import bot_token, install, oauth_settings, query, start_install, state_cookie
from slack_signing import signed_headers

from handlers.slack.oauth import bot_scopes

pytestmark = pytest.mark.slow
pytest_plugins = ["slack_oauth_support"]  # the settings and server of OAuth mode

NORTH, SOUTH = "T0NORTH", "T0SOUTH"


def test_install_sends_the_admin_to_slacks_consent_screen_with_a_state_and_the_manifests_scopes(server, slack_api):
    sent = start_install(server, NORTH)
    assert sent.status_code == 302
    location = sent.headers["location"]
    assert location.startswith(f"{slack_api.root}/oauth/v2/authorize?")
    asked = query(location)
    assert asked["client_id"] == CLIENT_ID
    assert asked["scope"].split(",") == list(bot_scopes())
    assert asked["team"] == NORTH
    assert asked["state"] and state_cookie(sent) == f"slack-app-oauth-state={asked['state']}"
    assert "redirect_uri" not in asked  # no WINTERBOT_PUBLIC_URL: Slack uses the manifest's redirect URL


def test_two_workspaces_install_and_each_gets_a_token_of_its_own(server, slack_api, engine, settings):
    north, south = install(server, NORTH), install(server, SOUTH)
    assert north.status_code == south.status_code == 200
    assert f"winterbot load FILE --workspace {NORTH}" in north.text and NORTH in north.text
    assert f"winterbot load FILE --workspace {SOUTH}" in south.text
    assert north.headers["cache-control"] == "no-store" and north.headers["referrer-policy"] == "no-referrer"
    exchanged = slack_api.calls("oauth.v2.access")
    assert len(exchanged) == 2 and all(c.token is None for c in exchanged)  # client credentials, not a token
    north_token, south_token = bot_token(engine, settings, NORTH), bot_token(engine, settings, SOUTH)
    assert north_token and south_token and north_token != south_token
    assert slack_api.oauth.team_of(north_token) == NORTH and slack_api.oauth.team_of(south_token) == SOUTH
    assert bot_token(engine, settings, "T0WEST") is None
    for page in (north, south):
        assert north_token not in page.text and south_token not in page.text


def test_a_forged_state_is_refused_and_no_code_is_exchanged(server, slack_api, engine, settings):
    code = slack_api.oauth.grant(NORTH)
    forged = server.http.get(
        "/slack/oauth_redirect",
        params={"code": code, "state": "forged"},
        headers={"Cookie": "slack-app-oauth-state=forged"},
    )
    assert forged.status_code == 401
    assert "expired or was used already" in forged.text and "/slack/install" in forged.text
    assert slack_api.calls("oauth.v2.access") == []
    assert bot_token(engine, settings, NORTH) is None


def test_a_state_from_another_browser_is_refused(server, slack_api, engine, settings):
    sent = start_install(server, NORTH)
    consent = httpx.get(sent.headers["location"])
    refused = server.http.get(consent.headers["location"])  # without the cookie
    assert refused.status_code == 400 and "different browser" in refused.text
    assert slack_api.calls("oauth.v2.access") == []
    assert bot_token(engine, settings, NORTH) is None


def test_a_used_state_is_refused_the_second_time(server, slack_api, engine, settings):
    sent = start_install(server, NORTH)
    state = query(sent.headers["location"])["state"]
    consent = httpx.get(sent.headers["location"])
    cookie = {"Cookie": state_cookie(sent)}
    assert server.http.get(consent.headers["location"], headers=cookie).status_code == 200
    again = server.http.get(
        "/slack/oauth_redirect", params={"code": slack_api.oauth.grant(NORTH), "state": state}, headers=cookie
    )
    assert again.status_code == 401
    assert len(slack_api.calls("oauth.v2.access")) == 1


def test_a_cancelled_install_says_so_and_stores_nothing(server, slack_api, engine, settings):
    start_install(server, NORTH)
    page = server.http.get("/slack/oauth_redirect", params={"error": "access_denied", "state": "x"})
    assert "cancelled" in page.text and "winterbot was not installed" in page.text
    assert bot_token(engine, settings, NORTH) is None


def test_the_redirect_uri_is_the_public_address_when_one_is_set(database_url, slack_api, engine, start_app):
    settings = oauth_settings(database_url, slack_api, public_url="https://winterbot.example.org")
    with start_app(settings, engine) as server:
        sent = start_install(server, NORTH)
        health = server.http.get("/healthz").json()
    assert query(sent.headers["location"])["redirect_uri"] == "https://winterbot.example.org/slack/oauth_redirect"
    assert health["slack"] == "http+oauth"


def test_each_workspaces_requests_are_answered_with_its_own_token(server, slack_api, engine, settings):
    install(server, NORTH)
    install(server, SOUTH)
    south_token = bot_token(engine, settings, SOUTH)
    body = json.dumps(
        {
            "token": "legacy",
            "team_id": SOUTH,
            "api_app_id": APP_ID,
            "type": "event_callback",
            "event_id": "Ev0SOUTH1",
            "event_time": int(time.time()),
            "event": {"type": "app_home_opened", "user": "U0SOUTH01", "tab": "home"},
            "authorizations": [{"team_id": SOUTH, "user_id": "U0SOUTHBOT", "is_bot": True}],
        }
    )
    headers = signed_headers(body, server.secret, content_type="application/json")
    assert server.http.post("/slack/events", content=body.encode(), headers=headers).status_code == 200
    published = slack_api.wait_for("views.publish")
    assert [c.token for c in published] == [south_token]


def test_a_workspace_that_never_installed_gets_nothing_with_another_workspaces_token(server, slack_api):
    install(server, NORTH)
    before = len(slack_api.calls())
    home_opened(server, "T0WEST", "U0WEST01", "Ev0WEST1")
    time.sleep(0.3)
    assert slack_api.calls("views.publish") == []
    assert [c.method for c in slack_api.calls()[before:] if c.token is not None] == []


def test_single_token_mode_serves_no_install_flow(slack_server):
    assert slack_server.http.get("/slack/install").status_code == 404
    assert slack_server.http.get("/healthz").json()["slack"] == "http"


def home_opened(server, team: str, user: str, event_id: str) -> None:
    body = json.dumps(
        {
            "token": "legacy",
            "team_id": team,
            "api_app_id": APP_ID,
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "event": {"type": "app_home_opened", "user": user, "tab": "home"},
        }
    )
    headers = signed_headers(body, server.secret, content_type="application/json")
    assert server.http.post("/slack/events", content=body.encode(), headers=headers).status_code == 200


def test_a_request_refreshes_its_workspaces_token_when_it_is_about_to_expire(server, slack_api, engine, settings):
    slack_api.oauth.expires_in = 600
    install(server, NORTH)
    installed = bot_token(engine, settings, NORTH)
    home_opened(server, NORTH, "U0NORTH01", "Ev0NORTH1")
    published = slack_api.wait_for("views.publish")
    refreshed = bot_token(engine, settings, NORTH)
    assert refreshed != installed and refreshed == slack_api.oauth.issued[-1]
    assert [c.token for c in published] == [refreshed]
    assert [c.get("grant_type") for c in slack_api.calls("oauth.v2.access")] == [None, "refresh_token"]


def test_a_revoked_bot_token_removes_the_workspaces_installation(server, slack_api, engine, settings):
    install(server, NORTH)
    install(server, SOUTH)
    body = json.dumps(
        {
            "token": "legacy",
            "team_id": NORTH,
            "api_app_id": APP_ID,
            "type": "event_callback",
            "event_id": "Ev0NORTHREVOKED",
            "event_time": int(time.time()),
            "event": {"type": "tokens_revoked", "tokens": {"bot": ["U0NORTHBOT"]}},
        }
    )
    headers = signed_headers(body, server.secret, content_type="application/json")
    assert server.http.post("/slack/events", content=body.encode(), headers=headers).status_code == 200
    deadline = time.monotonic() + 5
    while bot_token(engine, settings, NORTH) is not None:
        assert time.monotonic() < deadline, "the revoked workspace's installation was not removed"
        time.sleep(0.05)
    assert bot_token(engine, settings, SOUTH) is not None


def test_a_revocation_of_user_tokens_only_keeps_the_installation(server, slack_api, engine, settings):
    install(server, NORTH)
    body = json.dumps(
        {
            "token": "legacy",
            "team_id": NORTH,
            "api_app_id": APP_ID,
            "type": "event_callback",
            "event_id": "Ev0NORTHUSERS",
            "event_time": int(time.time()),
            "event": {"type": "tokens_revoked", "tokens": {"oauth": ["U0SOMEONE"]}},
        }
    )
    headers = signed_headers(body, server.secret, content_type="application/json")
    assert server.http.post("/slack/events", content=body.encode(), headers=headers).status_code == 200
    time.sleep(0.5)  # the listener runs after the acknowledgement
    assert bot_token(engine, settings, NORTH) is not None


def test_a_code_slack_refuses_is_a_plain_page_and_never_logged(server, slack_api, engine, settings, caplog):
    sent = start_install(server, NORTH)
    state = query(sent.headers["location"])["state"]
    caplog.set_level(logging.INFO)
    page = server.http.get(
        "/slack/oauth_redirect",
        params={"code": "code-nobody-issued-4242", "state": state},
        headers={"Cookie": state_cookie(sent)},
    )
    assert page.status_code == 401 and "did not accept the code" in page.text and "/slack/install" in page.text
    assert [c.get("code") for c in slack_api.calls("oauth.v2.access")] == ["code-nobody-issued-4242"]
    assert bot_token(engine, settings, NORTH) is None
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name != "httpx")  # the test's own client
    assert "invalid_code" in logged and "code-nobody-issued-4242" not in logged


def test_a_command_from_a_workspace_with_no_installation_says_how_to_install(
    database_url, slack_api, engine, start_app
):
    settings = oauth_settings(database_url, slack_api, public_url="https://winterbot.example.org")
    with start_app(settings, engine) as server:
        answer = server.command("help", "U0WEST01", team_id="T0WEST", response_url=slack_api.response_url("west"))
        told = slack_api.wait_for("response_url")
    assert answer.status_code == 200
    said = json.dumps([c.body for c in told])
    assert "not installed in this workspace" in said and "https://winterbot.example.org/slack/install" in said
    assert [c.token for c in slack_api.calls() if c.token] == []
