"""Requests as Slack sends them: signed bodies for slash commands and interactivity.

Written from Slack's "Verifying requests from Slack": the base string is
`v0:{timestamp}:{raw body}`, signed with HMAC-SHA256 keyed by the signing secret and
sent hex-encoded as `X-Slack-Signature: v0=...` beside `X-Slack-Request-Timestamp`.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from typing import Any
from urllib.parse import urlencode

from slack_double import APP_ID, TEAM_ID

SIGNING_SECRET = "0123456789abcdef0123456789abcdef"
FORM = "application/x-www-form-urlencoded"
VERSION = "v0"


def signature(body: str | bytes, secret: str, timestamp: int) -> str:
    raw = body.encode() if isinstance(body, str) else body
    base = f"{VERSION}:{timestamp}:".encode() + raw
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return f"{VERSION}={digest}"


def signed_headers(
    body: str | bytes,
    secret: str = SIGNING_SECRET,
    timestamp: int | None = None,
    content_type: str = FORM,
) -> dict[str, str]:
    """Headers for a request Slack signed now (or at `timestamp`, seconds since the epoch)."""
    when = int(time.time()) if timestamp is None else timestamp
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": str(when),
        "X-Slack-Signature": signature(body, secret, when),
    }


_TRIGGERS = itertools.count(1)


def new_trigger_id() -> str:
    """Slack gives every command and button press a trigger id of its own, so no two requests
    (and no two signatures) are alike unless one is a replay of the other."""
    return f"1000000000.{next(_TRIGGERS):010d}.0123456789abcdef0123456789abcdef"


def slash_command_body(
    text: str = "",
    user_id: str = "U0STRANGER",
    *,
    command: str = "/winter",
    channel_id: str = "C0WINTER",
    team_id: str = TEAM_ID,
    response_url: str = "https://hooks.slack.com/commands/T0WINTER/1/abc",
    trigger_id: str | None = None,
    user_name: str | None = None,
) -> str:
    """A slash command's form; each has a trigger id of its own, as Slack's do."""
    return urlencode(
        {
            "token": "legacy-verification-token",
            "team_id": team_id,
            "team_domain": "winterbot-test",
            "channel_id": channel_id,
            "channel_name": "winter-programme",
            "user_id": user_id,
            "user_name": user_name or user_id.lower(),
            "command": command,
            "text": text,
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": trigger_id or new_trigger_id(),
        }
    )


def interactivity_body(payload: dict[str, Any]) -> str:
    """Interactivity arrives as a form with one field, `payload`, holding JSON."""
    return urlencode({"payload": json.dumps(payload, separators=(",", ":"))})


def block_actions_payload(
    action_id: str,
    value: str = "",
    user_id: str = "U0STRANGER",
    *,
    block_id: str = "actions",
    channel_id: str = "D0WINTER",
    message_ts: str = "1700000000.000100",
    response_url: str = "https://hooks.slack.com/actions/T0WINTER/1/abc",
    trigger_id: str | None = None,
) -> dict[str, Any]:
    """A `block_actions` payload: someone pressed a button in a message."""
    return {
        "type": "block_actions",
        "user": {"id": user_id, "username": user_id.lower(), "team_id": TEAM_ID},
        "api_app_id": APP_ID,
        "token": "legacy-verification-token",
        "container": {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel_id,
            "is_ephemeral": False,
        },
        "trigger_id": trigger_id or new_trigger_id(),
        "team": {"id": TEAM_ID, "domain": "winterbot-test"},
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": channel_id, "name": "directmessage"},
        "message": {"type": "message", "ts": message_ts, "text": "", "blocks": []},
        "response_url": response_url,
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": block_id,
                "value": value,
                "text": {"type": "plain_text", "text": action_id},
                "action_ts": str(time.time()),
            }
        ],
    }
