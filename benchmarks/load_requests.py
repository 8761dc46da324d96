"""Requests as Slack sends them to a load benchmark's server (signed `/winter` commands,
App Home opens, check-in modals sent), read back over the raw connection, and what counts as a
good answer to each."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # the Slack double

from slack_double import APP_ID, TEAM_ID, dm_channel
from slack_signing import SIGNING_SECRET

from benchmarks.load_database import Partner

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
SLACK_WAITS_SECONDS = 3.0  # Slack gives up on an answer after three seconds
CLIENT_TIMEOUT_SECONDS = 30.0  # we wait longer, to see how late a late answer is


# ---------------------------------------------------------------- requests as Slack sends them


@dataclass(frozen=True)
class Request:
    """One request's body; signed when it is sent, at the servers' clock."""

    body: bytes
    content_type: str
    user: str


def signed_request(port: int, request: Request, timestamp: int, close: bool = False) -> bytes:
    """A POST /slack/events as Slack sends it: `v0=` HMAC-SHA256 of `v0:{timestamp}:{body}`."""
    base = f"v0:{timestamp}:".encode() + request.body
    digest = hmac.new(SIGNING_SECRET.encode(), base, hashlib.sha256).hexdigest()
    head = (
        f"POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: {request.content_type}\r\n"
        f"Content-Length: {len(request.body)}\r\nX-Slack-Request-Timestamp: {timestamp}\r\n"
        f"X-Slack-Signature: v0={digest}\r\n" + ("Connection: close\r\n" if close else "") + "\r\n"
    )
    return head.encode() + request.body


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
        elif name.strip().lower() == "transfer-encoding" and "chunked" in value.lower():
            raise ValueError("chunked responses are not expected here")
    return status, (await reader.readexactly(length) if length else b"")


def command(user_id: str, text: str, channel: str = "C0WINTER") -> Request:
    """`/winter text` from user_id, as Slack posts a slash command."""
    body = urlencode(
        {
            "token": "legacy-verification-token",
            "team_id": TEAM_ID,
            "team_domain": "winterbot-bench",
            "channel_id": channel,
            "channel_name": "winter-programme",
            "user_id": user_id,
            "user_name": user_id.lower(),
            "command": "/winter",
            "text": text,
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": f"https://hooks.slack.com/commands/{TEAM_ID}/1/abc",
            "trigger_id": "1000000000.1000000000.0123456789abcdef0123456789abcdef",
        }
    ).encode()
    return Request(body, FORM, user_id)


_event_ids = itertools.count(1)


def home_opened(user_id: str) -> Request:
    """An `app_home_opened` event_callback: the user opened the app's Home tab."""
    now = time.time()
    body = json.dumps(
        {
            "token": "legacy-verification-token",
            "team_id": TEAM_ID,
            "api_app_id": APP_ID,
            "type": "event_callback",
            "event_id": f"Ev{next(_event_ids):010d}",
            "event_time": int(now),
            "event": {
                "type": "app_home_opened",
                "user": user_id,
                "channel": dm_channel(user_id),
                "tab": "home",
                "event_ts": f"{now:.6f}",
            },
            "authorizations": [{"team_id": TEAM_ID, "user_id": "U0WINTERBOT", "is_bot": True}],
        }
    ).encode()
    return Request(body, JSON, user_id)


@dataclass(frozen=True)
class Answers:
    """A check-in as the partner fills it in: a level per service, figures per scheme."""

    levels: dict[str, int]
    figures: dict[int, tuple[Decimal, Decimal, Decimal]]  # scheme id: actual, committed, activity
    blockers: str | None = None
    comment: str | None = None


def rising_figures(partner: Partner, step: int = 1) -> dict[int, tuple[Decimal, Decimal, Decimal]]:
    """Spent and activity to date a little above the last figures (never lower: no correction)."""
    return {s.id: (s.actual + Decimal(750 * step), s.committed, s.activity + Decimal(step)) for s in partner.schemes}


def checkin_submission(partner: Partner, answers: Answers, prompt_ts: str = "1700000000.000100") -> Request:
    """The check-in modal sent (view_submission), shaped as handlers/slack/blocks/checkin.py builds
    the modal: input blocks whose block_id is the field's key, text inputs with action_id
    "value" and level selects with "level"; private_metadata names the programme and the DM
    prompt it was opened from (handlers/slack/views/metadata.py)."""
    blocks: list[dict[str, Any]] = [_section(f"*{partner.organisation_name}*")]
    values: dict[str, dict[str, Any]] = {}
    for scheme in partner.schemes:
        blocks.append(_section(f"*{scheme.name}*"))
        for figure, value in zip(("actual", "committed", "activity"), answers.figures[scheme.id], strict=True):
            key = f"scheme:{scheme.id}:{figure}"
            blocks.append(_input(key, figure.capitalize(), {"type": "plain_text_input", "action_id": "value"}))
            values[key] = {"value": {"type": "plain_text_input", "value": f"{value:.2f}"}}
    for service, level in answers.levels.items():
        key = f"service:{service}"
        options = [{"text": {"type": "plain_text", "text": f"Level {n}"}, "value": str(n)} for n in range(1, 5)]
        blocks.append(_input(key, service, {"type": "static_select", "action_id": "level", "options": options}))
        chosen = {"text": {"type": "plain_text", "text": f"Level {level}"}, "value": str(level)}
        values[key] = {"level": {"type": "static_select", "selected_option": chosen}}
    for key, text in (("correction", None), ("blockers", answers.blockers), ("comment", answers.comment)):
        blocks.append(_input(key, key.capitalize(), {"type": "plain_text_input", "action_id": "value"}))
        values[key] = {"value": {"type": "plain_text_input", "value": text}}
    metadata = json.dumps({"programme": partner.programme_id, "channel": dm_channel(partner.user_id), "ts": prompt_ts})
    view = {
        "id": "V0CHECKIN",
        "team_id": TEAM_ID,
        "type": "modal",
        "callback_id": "checkin_submit",
        "private_metadata": metadata,
        "blocks": blocks,
        "state": {"values": values},
        "hash": "1700000000.abc",
        "title": {"type": "plain_text", "text": "Today's check-in"},
        "app_id": APP_ID,
        "bot_id": "B0WINTER",
    }
    payload = {
        "type": "view_submission",
        "team": {"id": TEAM_ID, "domain": "winterbot-bench"},
        "user": {"id": partner.user_id, "username": partner.user_id.lower(), "team_id": TEAM_ID},
        "api_app_id": APP_ID,
        "token": "legacy-verification-token",
        "trigger_id": "1000000000.1000000000.0123456789abcdef0123456789abcdef",
        "view": view,
        "response_urls": [],
        "is_enterprise_install": False,
    }
    body = urlencode({"payload": json.dumps(payload, separators=(",", ":"))}).encode()
    return Request(body, FORM, partner.user_id)


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _input(block_id: str, label: str, element: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": block_id,
        "label": {"type": "plain_text", "text": label},
        "element": element,
        "optional": block_id in ("correction", "blockers", "comment"),
    }


# ---------------------------------------------------------------- what counts as an answer

Check = Callable[[int, bytes], str | None]  # (status, body) -> None when good, else what was wrong


def _json_body(status: int, content: bytes) -> tuple[dict[str, Any] | None, str | None]:
    if status != 200:
        return None, f"HTTP {status}: {content[:120]!r}"
    try:
        found = json.loads(content)
    except ValueError:
        return None, f"not JSON: {content[:120]!r}"
    return (found, None) if isinstance(found, dict) else (None, f"not a JSON object: {content[:120]!r}")


def screen_check(programme_name: str) -> Check:
    """A `/winter` screen: 200, an ephemeral message with blocks, naming the programme."""

    def check(status: int, content: bytes) -> str | None:
        answer, problem = _json_body(status, content)
        if answer is None:
            return problem
        if answer.get("response_type") != "ephemeral" or not answer.get("blocks"):
            return f"not an ephemeral screen: {content[:120]!r}"
        if programme_name not in content.decode():
            return f"the answer does not name the programme: {content[:200]!r}"
        return None

    return check


def checkin_check(status: int, content: bytes) -> str | None:
    """A stored check-in: 200 with response_action "update" to the confirmation modal."""
    answer, problem = _json_body(status, content)
    if answer is None:
        return problem
    if answer.get("response_action") != "update":
        return f"response_action {answer.get('response_action')!r}: {content[:160]!r}"
    if (answer.get("view") or {}).get("callback_id") != "checkin_done":
        return f"an update, but not to the confirmation: {content[:160]!r}"
    return None


def acked(status: int, content: bytes) -> str | None:
    """An ack: HTTP 200 (the bare app's, and Bolt's for an event)."""
    return None if status == 200 else f"HTTP {status}: {content[:120]!r}"
