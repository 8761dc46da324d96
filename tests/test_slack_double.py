"""The Slack Web API double answers like Slack, checks tokens, and fails on request."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from slack_double import APP_TOKEN, BOT_TOKEN, BOT_USER_ID, TEAM_ID, SlackDouble
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient


@pytest.fixture
def client(slack_api: SlackDouble) -> WebClient:
    """slack_sdk's own client, without retries, so every answer is seen as sent."""
    return WebClient(token=BOT_TOKEN, base_url=slack_api.url, retry_handlers=[])


def test_auth_test_answers_as_a_bot_with_its_scopes(client, slack_api):
    result = client.auth_test()
    assert (result["team_id"], result["user_id"]) == (TEAM_ID, BOT_USER_ID)
    assert result["bot_id"]
    assert "chat:write" in result.headers["x-oauth-scopes"]
    call = slack_api.last("auth.test")
    assert call.token == BOT_TOKEN
    assert call.headers["authorization"] == f"Bearer {BOT_TOKEN}"


def test_a_wrong_token_is_invalid_auth(slack_api):
    with pytest.raises(SlackApiError) as raised:
        wrong = WebClient(token="xoxb-wrong", base_url=slack_api.url)
        wrong.chat_postMessage(channel="C1", text="x")
    assert raised.value.response["error"] == "invalid_auth"
    assert slack_api.last("chat.postMessage").token == "xoxb-wrong"


def test_no_token_is_not_authed(slack_api):
    response = httpx.post(f"{slack_api.url}auth.test")
    assert response.json() == {"ok": False, "error": "not_authed"}


def test_an_unknown_method_is_unknown_method(client):
    with pytest.raises(SlackApiError) as raised:
        client.api_call("chat.frobnicate")
    assert raised.value.response["error"] == "unknown_method"


def test_post_message_returns_channel_and_a_fresh_ts_and_records_the_blocks(client, slack_api):
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*hi*"}}]
    first = client.chat_postMessage(channel="C1", text="hi", blocks=blocks)
    second = client.chat_postMessage(channel="C1", text="again")
    assert first["channel"] == "C1"
    assert first["ts"] != second["ts"]
    assert first["message"]["blocks"] == blocks
    assert slack_api.calls("chat.postMessage")[0]["blocks"] == blocks
    assert [c["text"] for c in slack_api.calls("chat.postMessage")] == ["hi", "again"]


def test_ephemeral_update_and_dm(client):
    assert client.chat_postEphemeral(channel="C1", user="U1", text="psst")["message_ts"]
    updated = client.chat_update(channel="C1", ts="1.000001", text="new")
    assert (updated["ts"], updated["text"]) == ("1.000001", "new")
    dm = client.conversations_open(users="U1")["channel"]["id"]
    assert dm.startswith("D")
    assert client.conversations_open(users="U1")["channel"]["id"] == dm
    assert client.conversations_open(users="U2")["channel"]["id"] != dm


def test_views_echo_the_view(client, slack_api):
    modal = {"type": "modal", "title": {"type": "plain_text", "text": "Check-in"}, "blocks": []}
    opened = client.views_open(trigger_id="t1", view=modal)["view"]
    assert opened["type"] == "modal" and opened["title"]["text"] == "Check-in"
    updated = client.views_update(view_id=opened["id"], view=modal)["view"]
    assert updated["id"] == opened["id"]
    home = client.views_publish(user_id="U1", view={"type": "home", "blocks": []})["view"]
    assert home["type"] == "home"
    assert slack_api.last("views.publish")["user_id"] == "U1"


def test_users_info_can_be_told_about_a_user(client, slack_api):
    slack_api.set_user("U1", real_name="Asha Patel", tz="Europe/London")
    user = client.users_info(user="U1")["user"]
    assert user["real_name"] == "Asha Patel"
    assert client.users_info(user="U2")["user"]["id"] == "U2"


def test_a_file_upload_goes_through_all_three_steps(client, slack_api):
    result = client.files_upload_v2(channel="C1", content=b"\x89PNG chart", filename="spend.png", title="Spend")
    assert result["file"]["title"] == "Spend"
    assert slack_api.methods() == [
        "files.getUploadURLExternal",
        "upload",
        "files.completeUploadExternal",
    ]
    assert slack_api.last("upload").raw == b"\x89PNG chart"
    assert slack_api.last("files.completeUploadExternal")["channel_id"] == "C1"


def test_response_urls_are_recorded_by_name(slack_api):
    url = slack_api.response_url("help")
    response = WebhookClient(url).send(text="later", response_type="ephemeral")
    assert response.status_code == 200
    (call,) = slack_api.responses("help")
    assert call["text"] == "later"
    assert slack_api.responses("other") == []


def test_fail_next_answers_429_with_retry_after_then_recovers(client, slack_api):
    slack_api.fail_next("chat.postMessage", status=429, retry_after=7, times=2)
    for _ in range(2):
        response = httpx.post(
            f"{slack_api.url}chat.postMessage",
            json={"channel": "C1", "text": "x"},
            headers={"Authorization": f"Bearer {BOT_TOKEN}"},
        )
        assert response.status_code == 429
        assert response.headers["retry-after"] == "7"
        assert response.json() == {"ok": False, "error": "ratelimited"}
    assert client.chat_postMessage(channel="C1", text="x")["ok"]


@pytest.mark.parametrize("status", [500, 503])
def test_fail_next_can_answer_a_server_error(client, slack_api, status):
    slack_api.fail_next("auth.test", status=status)
    with pytest.raises(SlackApiError) as raised:
        client.auth_test()
    assert raised.value.response.status_code == status
    assert "retry-after" not in {k.lower() for k in raised.value.response.headers}
    assert client.auth_test()["ok"]


def test_a_rate_limit_refuses_calls_past_the_limit(client, slack_api):
    slack_api.rate_limit("chat.postMessage", most=2, per_seconds=60)
    client.chat_postMessage(channel="C1", text="1")
    client.chat_postMessage(channel="C1", text="2")
    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C1", text="3")
    assert raised.value.response.status_code == 429
    assert int(raised.value.response.headers["Retry-After"]) >= 59
    assert client.auth_test()["ok"]


def test_wait_for_and_clear(slack_api):
    async def later() -> None:
        await asyncio.sleep(0.2)
        await asyncio.to_thread(WebhookClient(slack_api.response_url("x")).send, text="done")

    async def scenario() -> list:
        task = asyncio.create_task(later())
        found = await asyncio.to_thread(slack_api.wait_for, "response_url", 1, 5.0)
        await task
        return found

    assert json.loads(asyncio.run(scenario())[0].raw)["text"] == "done"
    slack_api.clear()
    assert slack_api.calls() == []
    with pytest.raises(AssertionError, match="waited"):
        slack_api.wait_for("chat.postMessage", timeout=0.1)


def test_the_app_token_opens_socket_mode_connections_only_when_told_how(slack_api):
    app_client = WebClient(token=APP_TOKEN, base_url=slack_api.url)
    with pytest.raises(SlackApiError):
        app_client.apps_connections_open(app_token=APP_TOKEN)
    slack_api.answer("apps.connections.open", {"ok": True, "url": "ws://127.0.0.1:1/link"})
    assert app_client.apps_connections_open(app_token=APP_TOKEN)["url"].startswith("ws://")
