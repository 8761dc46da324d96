"""/winter through the real ASGI app: signed HTTP requests in, Slack's answers out."""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest
from slack_double import BOT_TOKEN
from slack_signing import (
    SIGNING_SECRET,
    block_actions_payload,
    signed_headers,
    slash_command_body,
)

from bot.common.asking import JOIN_TEXT
from handlers.slack.blocks.limits import check_message


def texts(blocks: list[dict[str, Any]]) -> str:
    """Every piece of text in a list of blocks, one per line."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("text"), str):
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(blocks)
    return "\n".join(found)


def answer(response: Any) -> tuple[dict[str, Any], str]:
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["response_type"] == "ephemeral"
    check_message(body["blocks"])
    return body, texts(body["blocks"])


def test_signed_help_is_answered_in_the_ack_with_the_commands(slack_server, slack_api):
    body, text = answer(slack_server.command("help"))
    assert "`/winter help` — What you can do here" in text
    assert "/winter help" in body["text"]
    assert slack_api.last("auth.test").token == BOT_TOKEN


def test_winter_alone_is_help(slack_server):
    _, text = answer(slack_server.command(""))
    assert "`/winter help`" in text


def test_a_lead_sees_their_role_and_programme(slack_server, add_member):
    add_member("U0LEAD", "lead")
    _, text = answer(slack_server.command("help", "U0LEAD"))
    assert "You are *a lead* on Vale winter discharge fund." in text
    assert JOIN_TEXT not in text


def test_a_stranger_is_told_how_to_join(slack_server, add_member):
    add_member("U0LEAD", "lead")
    body, text = answer(slack_server.command("help", "U0STRANGER"))
    assert JOIN_TEXT in text
    assert "You are *" not in text
    assert JOIN_TEXT in body["text"]


def test_someone_on_two_programmes_sees_their_most_senior_role(slack_server, add_member):
    add_member("U0BOTH", "partner")
    add_member("U0BOTH", "admin", programme="wold", programme_name="Wold & Coast", organisation="wold-icb")
    _, text = answer(slack_server.command("help", "U0BOTH"))
    assert "You are *an admin* on Vale winter discharge fund and Wold &amp; Coast." in text


def test_a_member_on_teams_only_is_a_stranger_on_slack(slack_server, add_member):
    add_member("U0TEAMS", "lead", platform="teams")
    _, text = answer(slack_server.command("help", "U0TEAMS"))
    assert JOIN_TEXT in text


def test_an_unknown_sub_command_is_named_and_help_follows(slack_server, add_member):
    add_member("U0LEAD", "lead")
    _, text = answer(slack_server.command("frobnicate the budget", "U0LEAD"))
    assert "I don't know `frobnicate`." in text
    assert "You are *a lead*" in text
    assert "`/winter help`" in text


def test_an_unknown_sub_command_cannot_mention_the_channel(slack_server):
    _, text = answer(slack_server.command("<!channel>"))
    assert "<!channel>" not in text
    assert "I don't know `&lt;!channel&gt;`." in text


def test_a_signature_a_little_old_is_still_accepted(slack_server):
    answer(slack_server.command("help", timestamp=int(time.time()) - 240))


def _unsigned(server, body):
    return server.http.post(
        "/slack/events",
        content=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )


def _wrong_secret(server, body):
    return server.post_signed(body, secret="not-the-signing-secret")


def _five_minutes_old(server, body):
    return server.post_signed(body, timestamp=int(time.time()) - 301)


def _tampered(server, body):
    headers = signed_headers(body, server.secret)
    return server.http.post("/slack/events", content=body.replace("help", "away"), headers=headers)


def _garbage_signature(server, body):
    headers = {**signed_headers(body, server.secret), "X-Slack-Signature": "v0=00"}
    return server.http.post("/slack/events", content=body, headers=headers)


@pytest.mark.parametrize("send", [_unsigned, _wrong_secret, _five_minutes_old, _tampered, _garbage_signature])
def test_requests_not_signed_by_slack_are_refused(slack_server, slack_api, send):
    response = send(slack_server, slash_command_body("help"))
    assert response.status_code == 401
    assert "winter" not in response.text
    assert "response_type" not in response.text
    assert slack_api.calls() == []


def test_what_people_type_and_secrets_stay_out_of_the_log(slack_server, caplog):
    caplog.set_level(logging.DEBUG, logger="handlers")
    caplog.set_level(logging.INFO)
    answer(slack_server.command("frobnicate 943 476 5919", "U0LEAD"))
    assert "/winter (unknown) from U0LEAD" in caplog.text
    for secret in ("943 476 5919", "frobnicate", SIGNING_SECRET, BOT_TOKEN, "trigger_id"):
        assert secret not in caplog.text


def test_an_unhandled_interaction_is_404_and_its_content_is_not_logged(slack_server, caplog):
    caplog.set_level(logging.INFO)
    payload = block_actions_payload("no_such_button", "943 476 5919", "U0LEAD")
    response = slack_server.interact(payload)
    assert response.status_code == 404
    assert "no_such_button" in caplog.text
    assert "943 476 5919" not in caplog.text
