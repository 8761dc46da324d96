"""A crafted request for every listener the Slack app has and every Teams card verb and command,
naming another area's ids (tests/test_tenancy_slack.py, tests/test_tenancy_teams.py).

Which listeners exist is read from the app itself, never listed by hand: `slack_uncovered` asks
each of the real Bolt app's listeners (as build_slack_app registers them) whether one of the
requests below matches it, and each request whether some listener takes it. A listener added
later without a request here, or a request here no listener takes, fails the coverage test.
The command table (bot.commands.table) and the Teams card verbs (handlers.teams.listeners.
card_action.VERBS) are compared with the tables below the same way.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_signing import block_actions_payload, new_trigger_id, slash_command_body
from sqlalchemy.engine import Engine

from bot.common.config import Settings
from handlers.slack import build_slack_app

FORM, JSON = "application/x-www-form-urlencoded", "application/json"


@dataclass(frozen=True)
class Ids:
    """The other area's ids a crafted request names."""

    programme_id: int
    slug: str
    risk_id: int
    blocker_id: int
    checkin_id: int
    member_id: int
    organisation_id: int
    scheme_id: int


@dataclass(frozen=True)
class Crafted:
    """One request: its kind, what it is called in a failure, its body and content type.
    `scope`: "all" when nothing at all may change; "programme" when the sender's own programme
    may (a command acting on their area); "workspace" for an event naming no user."""

    kind: str
    name: str
    body: str
    content_type: str
    scope: str = "all"


# -- commands: every word of the command table --------------------------------------------------

COMMAND_TEXTS: dict[str, Callable[[Ids], str]] = {
    "help": lambda ids: "help",
    "status": lambda ids: "status",
    "checkin": lambda ids: f"checkin {ids.slug}",
    "away": lambda ids: "away 4 Jan",
    "back": lambda ids: "back",
    "spend": lambda ids: "spend hours 99999 because crafted",
    "risks": lambda ids: "risks",
    "partners": lambda ids: "partners",
    "board": lambda ids: f"board {ids.slug}",
    "decide": lambda ids: "decide crafted decision",
    "blockers": lambda ids: f"blockers resolve {ids.blocker_id} crafted",
    "ask": lambda ids: "ask crafted question",
    "setup": lambda ids: f"setup {ids.slug}",
}
UNKNOWN_WORD = "frobnicate"  # no command: answered with help


# -- buttons, by action id; `{blocker_id}` and the like are the other area's ----------------------

ACTION_VALUES: dict[str, Callable[[Ids], str]] = {
    "checkin_open": lambda ids: json.dumps({"programme": ids.programme_id}),
    "checkin_no_change": lambda ids: json.dumps({"programme": ids.programme_id}),
    "risk_acknowledge": lambda ids: str(ids.risk_id),
    "risk_assign": lambda ids: str(ids.risk_id),
    "risk_mitigate": lambda ids: str(ids.risk_id),
    "risk_close": lambda ids: str(ids.risk_id),
    "risk_reopen": lambda ids: str(ids.risk_id),
    "blocker_reply:{blocker_id}": lambda ids: str(ids.blocker_id),
    "board_open": lambda ids: ids.slug,
    "board_link": lambda ids: ids.slug,
}


def _typed(value: str) -> dict[str, Any]:
    return {"input": {"type": "plain_text_input", "value": value}}


# -- forms, by callback id: (private_metadata, state values) ---------------------------------------

VIEW_STATES: dict[str, Callable[[Ids], tuple[str, dict[str, Any]]]] = {
    "checkin_submit": lambda ids: (
        json.dumps({"programme": ids.programme_id, "channel": None, "ts": None}),
        {f"scheme:{ids.scheme_id}:actual": _typed("1"), "comment": _typed("crafted")},
    ),
    "blocker_reply": lambda ids: (
        str(ids.blocker_id),
        {"blocker_note": _typed("crafted"), "blocker_action": _typed("resolve")},
    ),
    "risk_close": lambda ids: (json.dumps({"risk": ids.risk_id}), {"note": _typed("crafted")}),
    "risk_assign": lambda ids: (json.dumps({"risk": ids.risk_id}), {"owner": _typed(str(ids.organisation_id))}),
    "winter_setup": lambda ids: (
        "",
        {"setup_file": {"programme_file": {"type": "file_input", "files": [{"id": "F0CRAFTED", "name": "b.yaml"}]}}},
    ),
}
VIEW_SCOPES = {"winter_setup": "programme"}  # loads a file for the sender's own workspace


# -- events: (the event, scope) ----------------------------------------------------------------------

EVENTS: dict[str, tuple[Callable[[Ids, str], dict[str, Any]], str]] = {
    "app_home_opened": (
        lambda ids, user: {"type": "app_home_opened", "user": user, "channel": "D0X", "tab": "home"},
        "all",
    ),
    "message": (
        lambda ids, user: {
            "type": "message",
            "channel_type": "im",
            "channel": "D0X",
            "user": user,
            "text": f"blockers resolve {ids.blocker_id} crafted",
            "ts": f"{time.time():.6f}",
        },
        "programme",
    ),
    "app_uninstalled": (lambda ids, user: {"type": "app_uninstalled"}, "workspace"),
    "tokens_revoked": (lambda ids, user: {"type": "tokens_revoked", "tokens": {"bot": ["U0WINTERBOT"]}}, "workspace"),
}


# -- the requests ---------------------------------------------------------------------------------


def slack_requests(ids: Ids, user: str, team: str, response_url: str) -> list[Crafted]:
    """Every crafted request, as `user` of workspace `team`, naming `ids`."""
    found: list[Crafted] = []
    for name, text in {**COMMAND_TEXTS, UNKNOWN_WORD: lambda _: UNKNOWN_WORD}.items():
        body = slash_command_body(text(ids), user, team_id=team, response_url=response_url)
        found.append(Crafted("command", name, body, FORM, "programme"))
    for template, value in ACTION_VALUES.items():
        action_id = template.format(**ids.__dict__)
        payload = block_actions_payload(action_id, value(ids), user, trigger_id=new_trigger_id())
        payload["team"]["id"] = payload["user"]["team_id"] = team
        payload["response_url"] = response_url
        found.append(Crafted("action", action_id, _interaction(payload), FORM))
    for callback_id, state in VIEW_STATES.items():
        metadata, values = state(ids)
        found.append(
            Crafted(
                "view",
                callback_id,
                _interaction(_view(callback_id, metadata, values, user, team)),
                FORM,
                VIEW_SCOPES.get(callback_id, "all"),
            )
        )
    for event_type, (event, scope) in EVENTS.items():
        found.append(Crafted("event", event_type, json.dumps(_event(event(ids, user), team)), JSON, scope))
    return found


def _interaction(payload: dict[str, Any]) -> str:
    return urlencode({"payload": json.dumps(payload, separators=(",", ":"))})


def _view(callback_id: str, metadata: str, values: dict[str, Any], user: str, team: str) -> dict[str, Any]:
    return {
        "type": "view_submission",
        "team": {"id": team, "domain": "area"},
        "user": {"id": user, "team_id": team},
        "api_app_id": "A0WINTER",
        "trigger_id": new_trigger_id(),
        "view": {
            "id": "V0CRAFTED",
            "type": "modal",
            "callback_id": callback_id,
            "private_metadata": metadata,
            "blocks": [],
            "state": {"values": values},
        },
    }


def _event(event: dict[str, Any], team: str) -> dict[str, Any]:
    return {
        "type": "event_callback",
        "team_id": team,
        "api_app_id": "A0WINTER",
        "event_id": f"Ev{time.monotonic_ns()}",
        "event_time": int(time.time()),
        "authorizations": [{"team_id": team, "user_id": "U0WINTERBOT", "is_bot": True}],
        "event": event,
    }


# -- coverage -----------------------------------------------------------------------------------------


def slack_uncovered(settings: Settings, engine: Engine, requests: list[Crafted]) -> tuple[list[str], list[str]]:
    """(listeners of the real app no request matches, requests no listener takes)."""
    app = build_slack_app(settings, engine)
    listeners = list(app._async_listeners)  # what build_slack_app registered, as Bolt holds it

    async def matching(request: Crafted) -> set[int]:
        bolt = AsyncBoltRequest(body=request.body, headers={"content-type": [request.content_type]})
        taken: set[int] = set()
        for index, listener in enumerate(listeners):
            if all([await m.async_matches(bolt, BoltResponse(status=200)) for m in listener.matchers]):
                taken.add(index)
        return taken

    async def everything() -> list[set[int]]:
        return [await matching(request) for request in requests]

    taken = asyncio.run(everything())
    untaken = [f"{r.kind} {r.name}" for r, found in zip(requests, taken, strict=True) if not found]
    covered = set().union(*taken)
    missing = [_describe(listener) for i, listener in enumerate(listeners) if i not in covered]
    return missing, untaken


def _describe(listener: Any) -> str:
    function = getattr(listener, "ack_function", None)
    return getattr(function, "__qualname__", repr(listener))
