"""The signing helper reproduces Slack's published example, and builds Slack's bodies."""

from __future__ import annotations

import json
import time
from urllib.parse import parse_qs

from slack_signing import (
    block_actions_payload,
    interactivity_body,
    signature,
    signed_headers,
    slash_command_body,
)

# The worked example in Slack's "Verifying requests from Slack".
EXAMPLE_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
EXAMPLE_TIMESTAMP = 1531420618
EXAMPLE_BODY = (
    "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow"
    "&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner"
    "&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands"
    "%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
    "&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
)
EXAMPLE_SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"


def test_signature_matches_slacks_worked_example():
    assert signature(EXAMPLE_BODY, EXAMPLE_SECRET, EXAMPLE_TIMESTAMP) == EXAMPLE_SIGNATURE
    assert signature(EXAMPLE_BODY.encode(), EXAMPLE_SECRET, EXAMPLE_TIMESTAMP) == EXAMPLE_SIGNATURE


def test_signature_changes_with_body_secret_and_time():
    base = signature(EXAMPLE_BODY, EXAMPLE_SECRET, EXAMPLE_TIMESTAMP)
    assert signature(EXAMPLE_BODY + "x", EXAMPLE_SECRET, EXAMPLE_TIMESTAMP) != base
    assert signature(EXAMPLE_BODY, EXAMPLE_SECRET + "x", EXAMPLE_TIMESTAMP) != base
    assert signature(EXAMPLE_BODY, EXAMPLE_SECRET, EXAMPLE_TIMESTAMP + 1) != base


def test_signed_headers_carry_the_timestamp_they_signed():
    headers = signed_headers(EXAMPLE_BODY, EXAMPLE_SECRET, EXAMPLE_TIMESTAMP)
    assert headers["X-Slack-Request-Timestamp"] == str(EXAMPLE_TIMESTAMP)
    assert headers["X-Slack-Signature"] == EXAMPLE_SIGNATURE
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    now = int(signed_headers("x")["X-Slack-Request-Timestamp"])
    assert abs(now - time.time()) < 5


def test_slash_command_body_has_slacks_fields():
    body = slash_command_body("away 4 Jan", "U0LEAD")
    form = {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()}
    assert form["command"] == "/winter"
    assert form["text"] == "away 4 Jan"
    assert form["user_id"] == "U0LEAD"
    for name in ("token", "team_id", "channel_id", "response_url", "trigger_id", "api_app_id"):
        assert form[name]


def test_interactivity_body_is_one_payload_field_of_json():
    payload = block_actions_payload("checkin_open", "vale", "U0PARTNER")
    form = parse_qs(interactivity_body(payload))
    assert list(form) == ["payload"]
    decoded = json.loads(form["payload"][0])
    assert decoded["type"] == "block_actions"
    assert decoded["user"]["id"] == "U0PARTNER"
    assert decoded["actions"][0]["action_id"] == "checkin_open"
    assert decoded["actions"][0]["value"] == "vale"
