"""What stands in front of Bolt on /slack/events: every request is checked for the shape Slack
sends before Bolt parses it, so input can never become a 500 with a traceback.

In order: the signature headers are well formed, the body is UTF-8, the signature is Slack's
(else 401), the body parses as the form or JSON Slack sends, and the fields our listeners index
are there with the right types (else 400 with a short reason). Only the reason is logged,
never the body: it carries what people typed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from slack_sdk.signature import SignatureVerifier

from bot.commands.table import command_writes
from bot.common.replays import request_key

_OBJECT_FIELDS = ("team", "enterprise", "channel", "container", "message", "user", "view", "event")
_WRITING_INTERACTIONS = frozenset({"block_actions", "view_submission", "view_closed", "shortcut", "message_action"})
_TYPED_STATE = {
    "value": str,
    "selected_date": str,
    "selected_time": str,
    "selected_user": str,
    "selected_channel": str,
    "selected_conversation": str,
}


@dataclass(frozen=True)
class Refused:
    status: int
    reason: str


@dataclass(frozen=True)
class Accepted:
    """A signed request of the shape our listeners expect. `replay_key` is set when it may
    write: a replay of it (the same key) must not be acted on again."""

    kind: str  # command, interaction, event or other
    payload: dict[str, Any] = field(repr=False)
    replay_key: str | None = None


def inspect_request(body: bytes, headers: Mapping[str, str], verifier: SignatureVerifier) -> Accepted | Refused:
    timestamp = headers.get("x-slack-request-timestamp")
    signature = headers.get("x-slack-signature")
    if timestamp is None or signature is None:
        return Refused(401, "the request is not signed by Slack")
    if not (timestamp.isascii() and timestamp.isdigit()):
        return Refused(400, "X-Slack-Request-Timestamp must be whole seconds since 1970")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return Refused(400, "the body is not UTF-8 text")
    if not signature.isascii() or not verifier.is_valid(text, timestamp, signature):
        return Refused(401, "invalid request")
    return _parsed(text, headers.get("content-type"), signature)


def _parsed(text: str, content_type: str | None, signature: str) -> Accepted | Refused:
    if (content_type or "").split(";")[0].strip() == "application/json" or text.startswith("{"):
        return _event(text)
    try:
        form = dict(parse_qsl(text, keep_blank_values=True, errors="strict"))
    except (UnicodeDecodeError, ValueError):
        return Refused(400, "the form has %-escapes that are not UTF-8")
    if "payload" in form:
        return _interaction(form["payload"], signature)
    if "command" in form:
        return _command(form, signature)
    if form.get("ssl_check"):
        return Accepted("other", form)
    return Refused(400, "the body is neither a command, an interaction nor an event")


def _command(form: dict[str, str], signature: str) -> Accepted | Refused:
    for name in ("command", "user_id", "trigger_id"):
        if not form.get(name):
            return Refused(400, f"the command has no {name}")
    key = request_key("slack", signature) if command_writes(form.get("text", "")) else None
    return Accepted("command", form, key)


def _interaction(raw: str, signature: str) -> Accepted | Refused:
    payload = _json_object(raw)
    if payload is None:
        return Refused(400, "the payload field is not a JSON object")
    kind = payload.get("type")
    if not isinstance(kind, str) or not kind:
        return Refused(400, "the payload has no type")
    problem = _objects(payload) or _user(payload) or _by_kind(kind, payload)
    if problem:
        return Refused(400, problem)
    key = request_key("slack", signature) if kind in _WRITING_INTERACTIONS else None
    return Accepted("interaction", payload, key)


def _event(text: str) -> Accepted | Refused:
    payload = _json_object(text)
    if payload is None:
        return Refused(400, "the body is not a JSON object")
    kind = payload.get("type")
    if not isinstance(kind, str):
        return Refused(400, "the event has no type")
    if kind == "url_verification":
        return Accepted("other", payload) if isinstance(payload.get("challenge"), str) else Refused(400, "no challenge")
    if kind != "event_callback":
        return Accepted("other", payload)
    event = payload.get("event")
    if not isinstance(event, dict) or not isinstance(event.get("type"), str):
        return Refused(400, "the event callback has no event with a type")
    problem = _objects(payload) or _event_fields(event)
    if problem:
        return Refused(400, problem)
    event_id = payload.get("event_id")
    key = request_key("slack-event", str(payload.get("team_id")), event_id) if isinstance(event_id, str) else None
    return Accepted("event", payload, key)


def _event_fields(event: dict[str, Any]) -> str | None:
    for name in ("user", "channel", "text", "tab"):
        if event.get(name) is not None and not isinstance(event[name], (str, dict)):
            return f"the event's {name} is neither text nor an object"
    if event["type"] == "app_home_opened" and not _text(event.get("user")):
        return "the app_home_opened event has no user id"
    return None


def _json_object(text: str) -> dict[str, Any] | None:
    try:
        found = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return found if isinstance(found, dict) else None


def _objects(payload: dict[str, Any]) -> str | None:
    """Slack's nested objects are objects or absent: Bolt indexes into them to route."""
    for name in _OBJECT_FIELDS:
        if payload.get(name) is not None and not isinstance(payload[name], dict):
            return f"{name} must be an object"
    authorizations = payload.get("authorizations")
    if authorizations is not None and not (
        isinstance(authorizations, list) and all(isinstance(a, dict) for a in authorizations)
    ):
        return "authorizations must be a list of objects"
    return None


def _user(payload: dict[str, Any]) -> str | None:
    user = payload.get("user")
    if not isinstance(user, dict) or not _text(user.get("id")):
        return "the payload has no user id"
    return None


def _by_kind(kind: str, payload: dict[str, Any]) -> str | None:
    if kind == "block_actions":
        return _actions(payload)
    if kind in ("view_submission", "view_closed"):
        return _view(payload.get("view"))
    if kind == "block_suggestion" and not (_text(payload.get("action_id")) and isinstance(payload.get("value"), str)):
        return "the suggestion has no action_id or value"
    if kind in ("shortcut", "message_action") and not _text(payload.get("callback_id")):
        return "the shortcut has no callback_id"
    return None


def _actions(payload: dict[str, Any]) -> str | None:
    actions = payload.get("actions")
    if not isinstance(actions, list) or not actions:
        return "the payload has no actions"
    for action in actions:
        if not isinstance(action, dict) or not _text(action.get("action_id")):
            return "an action has no action_id"
        if not isinstance(action.get("value", ""), str) or not isinstance(action.get("block_id", ""), str):
            return "an action's value or block_id is not text"
    if not _text(payload.get("trigger_id")):
        return "the payload has no trigger_id"
    return None


def _view(view: Any) -> str | None:
    if not isinstance(view, dict) or not _text(view.get("callback_id")) or not _text(view.get("type")):
        return "the payload has no view with a type and a callback_id"
    if not isinstance(view.get("private_metadata", ""), str):
        return "the view's private_metadata is not text"
    blocks = view.get("blocks", [])
    if not isinstance(blocks, list) or not all(isinstance(block, dict) for block in blocks):
        return "the view's blocks are not a list of objects"
    state = view.get("state", {})
    values = state.get("values", {}) if isinstance(state, dict) else None
    if not isinstance(values, dict):
        return "the view's state has no values object"
    for actions in values.values():
        if not isinstance(actions, dict):
            return "a block in the view's state is not an object"
        for element in actions.values():
            problem = _state_element(element)
            if problem:
                return problem
    return None


def _state_element(element: Any) -> str | None:
    if not isinstance(element, dict) or not _text(element.get("type")):
        return "a field in the view's state has no type"
    for name, kind in _TYPED_STATE.items():
        if element.get(name) is not None and not isinstance(element[name], kind):
            return f"a field's {name} in the view's state is not text"
    option = element.get("selected_option")
    if option is not None and not _option(option):
        return "a field's selected_option in the view's state has no text value"
    options = element.get("selected_options")
    if options is not None and not (isinstance(options, list) and all(_option(o) for o in options)):
        return "a field's selected_options in the view's state are not options"
    return None


def _option(option: Any) -> bool:
    return isinstance(option, dict) and isinstance(option.get("value"), str)


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value)
