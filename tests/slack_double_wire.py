"""The wire side of the Slack double (tests/slack_double.py): the fake workspace's tokens and ids,
the `Call` record of one request, the HTTP handler that turns a request into a `Call`, and the
replies it sends back."""

from __future__ import annotations

import contextlib
import json
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

if TYPE_CHECKING:
    from slack_double import SlackDouble

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


def json_reply(status: int, body: Any, headers: dict[str, str] | None = None) -> Reply:
    content_type = {"Content-Type": "application/json; charset=utf-8"}
    return status, {**content_type, **(headers or {})}, json.dumps(body).encode()


def failure_reply(status: int, error: str, retry_after: int | None, fields: dict[str, Any] | None = None) -> Reply:
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
    return json_reply(status, {"ok": False, "error": error, **(fields or {})}, headers)


class Handler(BaseHTTPRequestHandler):
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
