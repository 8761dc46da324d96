"""The Slack double's side of installing (tests/slack_double_oauth.py), as slack_sdk's client sees
it: a code is good once and only with the app's credentials, a refresh token gives a new token
once, and auth.test names the workspace each token was issued for."""

from __future__ import annotations

import httpx
import pytest
from slack_double import BOT_ID, BOT_TOKEN, CLIENT_ID, CLIENT_SECRET, TEAM_ID, SlackDouble
from slack_double_oauth import query_of
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError


@pytest.fixture
def client(slack_api: SlackDouble) -> WebClient:
    return WebClient(base_url=slack_api.url)


def exchange(client: WebClient, code: str, secret: str = CLIENT_SECRET) -> dict:
    return client.oauth_v2_access(client_id=CLIENT_ID, client_secret=secret, code=code).data  # type: ignore[return-value]


def test_a_code_gives_a_token_of_its_workspace_once(slack_api, client):
    code = slack_api.oauth.grant("T0NORTH", "North")
    issued = exchange(client, code)
    assert issued["team"] == {"id": "T0NORTH", "name": "North"} and issued["token_type"] == "bot"
    assert "refresh_token" not in issued  # rotation off unless the test turns it on
    tested = WebClient(base_url=slack_api.url, token=issued["access_token"]).auth_test()
    assert tested["team_id"] == "T0NORTH" and tested["bot_id"] != BOT_ID
    with pytest.raises(SlackApiError, match="invalid_code"):
        exchange(client, code)


def test_the_apps_credentials_are_checked(slack_api, client):
    with pytest.raises(SlackApiError, match="invalid_client_id"):
        exchange(client, slack_api.oauth.grant("T0NORTH"), secret="not-the-secret")


def test_a_refresh_token_gives_a_new_token_once(slack_api, client):
    slack_api.oauth.expires_in = 43200
    first = exchange(client, slack_api.oauth.grant("T0NORTH"))
    assert first["expires_in"] == 43200 and first["refresh_token"]
    refreshed = client.oauth_v2_access(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        grant_type="refresh_token",
        refresh_token=first["refresh_token"],
    )
    assert refreshed["access_token"] != first["access_token"] and refreshed["token_type"] == "bot"
    assert slack_api.oauth.team_of(refreshed["access_token"]) == "T0NORTH"
    with pytest.raises(SlackApiError, match="invalid_refresh_token"):
        client.oauth_v2_access(
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            grant_type="refresh_token",
            refresh_token=first["refresh_token"],
        )


def test_the_consent_screen_sends_back_a_code_and_the_state(slack_api):
    slack_api.oauth.redirect_url = "https://winterbot.example.org/slack/oauth_redirect"
    answer = httpx.get(
        f"{slack_api.root}/oauth/v2/authorize", params={"client_id": CLIENT_ID, "state": "s-1", "team": "T0SOUTH"}
    )
    assert answer.status_code == 302
    back = answer.headers["location"]
    assert back.startswith("https://winterbot.example.org/slack/oauth_redirect?")
    assert query_of(back)["state"] == "s-1"
    issued = exchange(WebClient(base_url=slack_api.url), query_of(back)["code"])
    assert issued["team"]["id"] == "T0SOUTH"


def test_every_call_records_the_token_it_carried(slack_api):
    WebClient(base_url=slack_api.url, token=BOT_TOKEN).auth_test()
    assert slack_api.tokens_of("auth.test") == [BOT_TOKEN]
    assert slack_api.oauth.team_of(BOT_TOKEN) == TEAM_ID
    slack_api.revoke(BOT_TOKEN)
    with pytest.raises(SlackApiError, match="invalid_auth"):
        WebClient(base_url=slack_api.url, token=BOT_TOKEN).auth_test()
