"""A loopback double of the Slack Web API: a real HTTP server that records every call.

Point SLACK_API_URL at `SlackDouble.url`. It answers the methods winterbot uses with
Slack-shaped bodies, checks the bearer token, and can be told to answer 429 (with
Retry-After) or 5xx, once or several times, or to rate-limit a method.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from loopback import LoopbackServer

BOT_TOKEN = "xoxb-0000-winterbot-test"
APP_TOKEN = "xapp-1-A0WINTER-winterbot-test"
TEAM_ID = "T0WINTER"
TEAM_NAME = "Winterbot Test"
APP_ID = "A0WINTER"
BOT_ID = "B0WINTER"
BOT_USER_ID = "U0WINTERBOT"
SCOPES = "chat:write,commands,im:write,users:read,files:write"

JSON_FIELDS = ("blocks", "attachments", "view", "files", "metadata")
UPLOAD = "upload"
RESPONSE = "response_url"
FAILURE_ERRORS = {429: "ratelimited", 500: "fatal_error", 503: "service_unavailable"}

Answer = dict[str, Any] | Callable[["Call"], dict[str, Any]]
Reply = tuple[int, dict[str, str], bytes]


@dataclass(frozen=True)
class Call:
    """One request the double received. `method` is the Web API method name, or
    "upload" for a file upload, or "response_url" for a post to a response URL."""

    method: str
    path: str
    http_method: str
    headers: dict[str, str]
    body: dict[str, Any]
    raw: bytes
    at: float
    token: str | None
    name: str | None = None

    def __getitem__(self, key: str) -> Any:
        return self.body[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.body.get(key, default)


@dataclass
class _Failure:
    status: int
    retry_after: int | None
    times: int
    error: str
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass
class _RateLimit:
    most: int
    per_seconds: float
    accepted: list[float] = field(default_factory=list)


class SlackDouble(LoopbackServer):
    thread_name = "slack-double"

    def request_handler(self) -> type[BaseHTTPRequestHandler]:
        return _Handler

    def __init__(self, tokens: tuple[str, ...] = (BOT_TOKEN, APP_TOKEN)) -> None:
        self.tokens = set(tokens)
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._calls: list[Call] = []
        self._failures: dict[str, list[_Failure]] = {}
        self._limits: dict[str, _RateLimit] = {}
        self._answers: dict[str, Answer] = {}
        self._users: dict[str, dict[str, Any]] = {}
        self._history: dict[str, list[dict[str, Any]]] = {}
        self._flaky: dict[str, tuple[int, int]] = {}
        self._latency: dict[str, float] = {}
        self._seen: dict[str, int] = {}
        self._files: dict[str, dict[str, Any]] = {}  # file id -> what files.getUploadURLExternal was told
        self._counter = itertools.count(1)
        self._epoch = int(time.time())

    # lifecycle

    @property
    def url(self) -> str:
        """The base URL of the Web API, for SLACK_API_URL."""
        return f"{self.root}/api/"

    def response_url(self, name: str = "default") -> str:
        return f"{self.root}/commands/{TEAM_ID}/{name}"

    # what was asked

    def calls(self, method: str | None = None) -> list[Call]:
        with self._lock:
            return [c for c in self._calls if method is None or c.method == method]

    def last(self, method: str) -> Call:
        found = self.calls(method)
        if not found:
            raise AssertionError(f"no {method} call was made; calls: {self.methods()}")
        return found[-1]

    def methods(self) -> list[str]:
        return [c.method for c in self.calls()]

    def responses(self, name: str) -> list[Call]:
        return [c for c in self.calls(RESPONSE) if c.name == name]

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Wait until `count` calls of `method` have arrived (work done after an ack)."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while sum(c.method == method for c in self._calls) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [c.method for c in self._calls]
                    raise AssertionError(f"waited {timeout}s for {count} {method}; calls: {seen}")
                self._arrived.wait(left)
            return [c for c in self._calls if c.method == method]

    def clear(self) -> None:
        with self._lock:
            self._calls.clear()
            self._failures.clear()
            self._history.clear()
            for limit in self._limits.values():
                limit.accepted.clear()

    # how to answer

    def fail_next(
        self,
        method: str,
        status: int = 429,
        retry_after: int | None = 1,
        times: int = 1,
        error: str | None = None,
    ) -> None:
        """Answer the next `times` calls of `method` with `status` (429 carries Retry-After)."""
        failure = _Failure(
            status=status,
            retry_after=retry_after if status == 429 else None,
            times=times,
            error=error or FAILURE_ERRORS.get(status, "request_failed"),
        )
        with self._lock:
            self._failures.setdefault(method, []).append(failure)

    def refuse(self, method: str, error: str, times: int = 1, **fields: Any) -> None:
        """Answer the next `times` calls of `method` as Slack refuses for good: HTTP 200 with
        `{"ok": false, "error": error, **fields}` (missing_scope carries `needed`, say)."""
        with self._lock:
            self._failures.setdefault(method, []).append(
                _Failure(status=200, retry_after=None, times=times, error=error, fields=fields)
            )

    def rate_limit(self, method: str, most: int, per_seconds: float = 60.0) -> None:
        """Accept at most `most` calls of `method` in any `per_seconds`; 429 the rest."""
        with self._lock:
            self._limits[method] = _RateLimit(most=most, per_seconds=per_seconds)

    def slow(self, method: str, seconds: float) -> None:
        """Take `seconds` over every answer to `method` (a slow Slack), refusals included."""
        with self._lock:
            self._latency[method] = seconds

    def flaky(self, method: str, every: int, retry_after: int = 1) -> None:
        """Answer every `every`-th call of `method` with 429 and Retry-After, for good."""
        with self._lock:
            self._flaky[method] = (every, retry_after)

    def answer(self, method: str, answer: Answer) -> None:
        """Replace the canned answer of `method` (a body, or a function of the call)."""
        with self._lock:
            self._answers[method] = answer

    def history(self, channel: str) -> list[dict[str, Any]]:
        """The messages posted to a channel, oldest first, as conversations.history holds them."""
        with self._lock:
            return list(self._history.get(channel, []))

    def history_all(self) -> list[dict[str, Any]]:
        """Every message that was accepted, in every channel."""
        with self._lock:
            return [m for messages in self._history.values() for m in messages]

    def _remember(self, channel: str, message: dict[str, Any]) -> None:
        with self._lock:
            self._history.setdefault(channel, []).append(message)

    def _edit(self, channel: str, ts: str, message: dict[str, Any]) -> None:
        """chat.update: the stored message takes the new text and blocks; its metadata stays."""
        with self._lock:
            for stored in self._history.get(channel, []):
                if stored["ts"] == ts:
                    stored.update(
                        text=message["text"], blocks=message["blocks"], edited={"user": BOT_USER_ID, "ts": ts}
                    )

    def set_user(self, user_id: str, **fields: Any) -> None:
        with self._lock:
            self._users[user_id] = fields

    # serving (called from the server's threads)

    def _receive(self, call: Call) -> Reply:
        with self._arrived:
            self._calls.append(call)
            self._arrived.notify_all()
            refusal = self._refusal(call.method)
            latency = self._latency.get(call.method, 0.0)
        if latency:
            time.sleep(latency)
        if refusal is not None:
            return refusal
        if call.method == UPLOAD:
            return 200, {"Content-Type": "text/plain"}, f"OK - {len(call.raw)}".encode()
        if call.method == RESPONSE:
            return 200, {"Content-Type": "text/html"}, b"ok"
        return self._web_api(call)

    def _refusal(self, method: str) -> Reply | None:
        self._seen[method] = self._seen.get(method, 0) + 1
        flaky = self._flaky.get(method)
        if flaky and self._seen[method] % flaky[0] == 0:
            return _failure(429, "ratelimited", flaky[1])
        planned = self._failures.get(method)
        if planned:
            failure = planned[0]
            failure.times -= 1
            if failure.times <= 0:
                planned.pop(0)
            return _failure(failure.status, failure.error, failure.retry_after, failure.fields)
        limit = self._limits.get(method)
        if limit is None:
            return None
        now = time.monotonic()
        limit.accepted[:] = [t for t in limit.accepted if now - t < limit.per_seconds]
        if len(limit.accepted) >= limit.most:
            wait = limit.per_seconds - (now - limit.accepted[0])
            return _failure(429, "ratelimited", max(1, math.ceil(wait)))
        limit.accepted.append(now)
        return None

    def _web_api(self, call: Call) -> Reply:
        with self._lock:
            answer = self._answers.get(call.method)
        canned = CANNED.get(call.method)
        if answer is None and canned is None:
            return _json(200, {"ok": False, "error": "unknown_method"})
        if call.token is None:
            return _json(200, {"ok": False, "error": "not_authed"})
        if call.token not in self.tokens:
            return _json(200, {"ok": False, "error": "invalid_auth"})
        body = self._answer(call, answer) if answer is not None else canned(self, call)  # type: ignore[misc]
        headers = {"x-oauth-scopes": SCOPES} if call.method == "auth.test" else {}
        return _json(200, body, headers)

    @staticmethod
    def _answer(call: Call, answer: Any) -> Any:
        return answer(call) if callable(answer) else answer

    def _ts(self) -> str:
        return f"{self._epoch}.{next(self._counter):06d}"

    def _id(self, prefix: str) -> str:
        return f"{prefix}0{next(self._counter):08d}"


def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> Reply:
    content_type = {"Content-Type": "application/json; charset=utf-8"}
    return status, {**content_type, **(headers or {})}, json.dumps(body).encode()


def _failure(status: int, error: str, retry_after: int | None, fields: dict[str, Any] | None = None) -> Reply:
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
    return _json(status, {"ok": False, "error": error, **(fields or {})}, headers)


# canned answers, shaped like Slack's


def _auth_test(double: SlackDouble, call: Call) -> dict[str, Any]:
    if call.token and call.token.startswith("xapp-"):
        return {"ok": False, "error": "not_allowed_token_type"}
    return {
        "ok": True,
        "url": "https://winterbot-test.slack.com/",
        "team": TEAM_NAME,
        "user": "winterbot",
        "team_id": TEAM_ID,
        "user_id": BOT_USER_ID,
        "bot_id": BOT_ID,
        "is_enterprise_install": False,
    }


def _message(double: SlackDouble, call: Call, ts: str) -> dict[str, Any]:
    return {
        "type": "message",
        "subtype": "bot_message",
        "text": call.get("text", ""),
        "user": BOT_USER_ID,
        "bot_id": BOT_ID,
        "app_id": APP_ID,
        "team": TEAM_ID,
        "ts": ts,
        "blocks": call.get("blocks") or [],
        **({"metadata": call["metadata"]} if call.get("metadata") else {}),
    }


def _post_message(double: SlackDouble, call: Call) -> dict[str, Any]:
    if not call.get("channel"):
        return {"ok": False, "error": "channel_not_found"}
    ts = double._ts()
    message = _message(double, call, ts)
    channel = str(call["channel"])
    if channel.startswith(("U", "W")):  # a user id: Slack posts into the app's DM with them
        channel = dm_channel(channel)
    double._remember(channel, message)
    return {"ok": True, "channel": channel, "ts": ts, "message": message}


def _history(double: SlackDouble, call: Call) -> dict[str, Any]:
    channel = call.get("channel")
    if not channel:
        return {"ok": False, "error": "channel_not_found"}
    oldest = float(call.get("oldest") or 0)
    latest = float(call["latest"]) if call.get("latest") else math.inf
    inclusive = str(call.get("inclusive", "")).lower() in ("1", "true")
    with_metadata = str(call.get("include_all_metadata", "")).lower() in ("1", "true")
    messages = [
        m if with_metadata else {k: v for k, v in m.items() if k != "metadata"}
        for m in reversed(double.history(channel))
        if float(m["ts"]) > oldest and (float(m["ts"]) < latest or (inclusive and float(m["ts"]) == latest))
    ]
    limit = int(call.get("limit") or 100)
    return {"ok": True, "messages": messages[:limit], "has_more": len(messages) > limit}


def _post_ephemeral(double: SlackDouble, call: Call) -> dict[str, Any]:
    if not call.get("channel"):
        return {"ok": False, "error": "channel_not_found"}
    if not call.get("user"):
        return {"ok": False, "error": "user_not_in_channel"}
    return {"ok": True, "message_ts": double._ts()}


def _update(double: SlackDouble, call: Call) -> dict[str, Any]:
    if not call.get("ts"):
        return {"ok": False, "error": "message_not_found"}
    message = _message(double, call, call["ts"])
    double._edit(str(call.get("channel", "")), call["ts"], message)
    return {
        "ok": True,
        "channel": call.get("channel"),
        "ts": call["ts"],
        "text": message["text"],
        "message": message,
    }


def dm_channel(users: str) -> str:
    """The DM channel id Slack would give the bot's conversation with these users."""
    return "D" + hashlib.sha1(users.encode()).hexdigest()[:9].upper()


def _conversations_open(double: SlackDouble, call: Call) -> dict[str, Any]:
    users = str(call.get("users", ""))
    if not users:
        return {"ok": False, "error": "users_list_not_supplied"}
    return {"ok": True, "no_op": False, "already_open": False, "channel": {"id": dm_channel(users)}}


def _view(double: SlackDouble, call: Call, view_id: str | None = None) -> dict[str, Any]:
    given = call.get("view")
    if not isinstance(given, dict):
        return {"ok": False, "error": "invalid_arguments"}
    view_id = view_id or double._id("V")
    view = {
        "id": view_id,
        "team_id": TEAM_ID,
        "app_id": APP_ID,
        "bot_id": BOT_ID,
        "type": given.get("type"),
        "blocks": given.get("blocks", []),
        "private_metadata": given.get("private_metadata", ""),
        "callback_id": given.get("callback_id", ""),
        "external_id": given.get("external_id", ""),
        "state": {"values": {}},
        "hash": f"{double._epoch}.{view_id}",
        "title": given.get("title"),
        "submit": given.get("submit"),
        "close": given.get("close"),
        "clear_on_close": False,
        "notify_on_close": False,
        "previous_view_id": None,
        "root_view_id": view_id,
    }
    return {"ok": True, "view": view}


def _views_open(double: SlackDouble, call: Call) -> dict[str, Any]:
    if not call.get("trigger_id") and not call.get("interactivity_pointer"):
        return {"ok": False, "error": "invalid_trigger_id"}
    return _view(double, call)


def _views_update(double: SlackDouble, call: Call) -> dict[str, Any]:
    if not call.get("view_id") and not call.get("external_id"):
        return {"ok": False, "error": "not_found"}
    return _view(double, call, call.get("view_id"))


def _views_publish(double: SlackDouble, call: Call) -> dict[str, Any]:
    if not call.get("user_id"):
        return {"ok": False, "error": "invalid_arguments"}
    return _view(double, call)


def _users_info(double: SlackDouble, call: Call) -> dict[str, Any]:
    user_id = call.get("user")
    if not user_id:
        return {"ok": False, "error": "user_not_found"}
    with double._lock:
        extra = dict(double._users.get(user_id, {}))
    name = extra.pop("real_name", f"Test user {user_id}")
    user = {
        "id": user_id,
        "team_id": TEAM_ID,
        "name": user_id.lower(),
        "deleted": False,
        "real_name": name,
        "tz": "Europe/London",
        "tz_label": "Greenwich Mean Time",
        "tz_offset": 0,
        "profile": {
            "real_name": name,
            "display_name": name,
            "email": f"{user_id.lower()}@example.org",
        },
        "is_admin": False,
        "is_bot": False,
        "updated": double._epoch,
        **extra,
    }
    return {"ok": True, "user": user}


def _get_upload_url(double: SlackDouble, call: Call) -> dict[str, Any]:
    if not call.get("filename") or not call.get("length"):
        return {"ok": False, "error": "invalid_arguments"}
    file_id = double._id("F")
    with double._lock:
        double._files[file_id] = {"name": call["filename"], "length": call["length"]}
    return {"ok": True, "upload_url": f"{double.root}/upload/v1/{file_id}", "file_id": file_id}


def _complete_upload(double: SlackDouble, call: Call) -> dict[str, Any]:
    files = call.get("files")
    if not isinstance(files, list) or not files:
        return {"ok": False, "error": "invalid_arguments"}
    if call.get("channel_id"):  # shared to a channel: Slack posts a message carrying the files
        _share(double, call, files)
    return {"ok": True, "files": [{"id": f["id"], "title": f.get("title") or ""} for f in files]}


def _share(double: SlackDouble, call: Call, files: list[dict[str, Any]]) -> None:
    with double._lock:
        known = {f["id"]: dict(double._files.get(f["id"], {})) for f in files}
    shared = [{"id": f["id"], "name": known[f["id"]].get("name", ""), "title": f.get("title") or ""} for f in files]
    message = {
        "type": "message",
        "user": BOT_USER_ID,
        "bot_id": BOT_ID,
        "ts": double._ts(),
        "text": call.get("initial_comment") or "",
        "files": shared,
        "upload": True,
    }
    double._remember(str(call["channel_id"]), message)


CANNED: dict[str, Callable[[SlackDouble, Call], dict[str, Any]]] = {
    "auth.test": _auth_test,
    "chat.postMessage": _post_message,
    "chat.postEphemeral": _post_ephemeral,
    "chat.update": _update,
    "conversations.open": _conversations_open,
    "conversations.history": _history,
    "views.open": _views_open,
    "views.update": _views_update,
    "views.publish": _views_publish,
    "users.info": _users_info,
    "files.getUploadURLExternal": _get_upload_url,
    "files.completeUploadExternal": _complete_upload,
}


# the HTTP side


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        double: SlackDouble = self.server.double  # type: ignore[attr-defined]
        status, headers, body = double._receive(self._call(raw))
        self.send_response(status)
        for name, value in {**headers, "Content-Length": str(len(body))}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _call(self, raw: bytes) -> Call:
        parts = urlsplit(self.path)
        method, name = _route(parts.path)
        headers = {k.lower(): v for k, v in self.headers.items()}
        body = _flatten(parse_qs(parts.query, keep_blank_values=True))
        if method != UPLOAD:
            body.update(_parse_body(raw, headers.get("content-type", "")))
        body = _decode_json_fields(body)
        return Call(
            method=method,
            path=parts.path,
            http_method=self.command,
            headers=headers,
            body=body,
            raw=raw,
            at=time.time(),
            token=_token(headers, body),
            name=name,
        )


def _route(path: str) -> tuple[str, str | None]:
    if path.startswith("/api/"):
        return path[len("/api/") :], None
    if path.startswith("/upload/"):
        return UPLOAD, path.rsplit("/", 1)[-1]
    if path.startswith("/commands/"):
        return RESPONSE, path.rsplit("/", 1)[-1]
    return path, None


def _parse_body(raw: bytes, content_type: str) -> dict[str, Any]:
    if not raw:
        return {}
    if content_type.startswith("application/json"):
        parsed = json.loads(raw)
        return parsed if isinstance(parsed, dict) else {"_json": parsed}
    if content_type.startswith("application/x-www-form-urlencoded"):
        return _flatten(parse_qs(raw.decode(), keep_blank_values=True))
    return {}


def _flatten(form: dict[str, list[str]]) -> dict[str, Any]:
    return {k: v[0] if len(v) == 1 else v for k, v in form.items()}


def _decode_json_fields(body: dict[str, Any]) -> dict[str, Any]:
    for key in JSON_FIELDS:
        if isinstance(body.get(key), str):
            with contextlib.suppress(ValueError):
                body[key] = json.loads(body[key])
    return body


def _token(headers: dict[str, str], body: dict[str, Any]) -> str | None:
    auth = headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[len("bearer ") :].strip()
    token = body.get("token")
    return token if isinstance(token, str) else None
