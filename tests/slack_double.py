"""A loopback double of the Slack Web API: a real HTTP server that records every call.

Point SLACK_API_URL at `SlackDouble.url`. It answers the methods winterbot uses with
Slack-shaped bodies, checks the bearer token, and can be told to answer 429 (with
Retry-After) or 5xx, once or several times, or to rate-limit a method.

The tokens, ids, the `Call` record and the HTTP handler are in tests/slack_double_wire.py; the
canned answers, by API family, in tests/slack_double_answers.py. The names tests import are
all importable from here.
"""

from __future__ import annotations

import itertools
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from loopback import LoopbackServer
from slack_double_answers import CANNED, dm_channel
from slack_double_oauth import AUTHORIZE, CLIENT_ID, CLIENT_SECRET, OAuthSide
from slack_double_wire import (
    APP_ID,
    APP_TOKEN,
    BOT_ID,
    BOT_TOKEN,
    BOT_USER_ID,
    FAILURE_ERRORS,
    RESPONSE,
    SCOPES,
    TEAM_ID,
    TEAM_NAME,
    UPLOAD,
    Call,
    Handler,
    Reply,
    failure_reply,
    json_reply,
)

__all__ = [
    "APP_ID",
    "APP_TOKEN",
    "BOT_ID",
    "BOT_TOKEN",
    "BOT_USER_ID",
    "CANNED",
    "CLIENT_ID",
    "CLIENT_SECRET",
    "TEAM_ID",
    "TEAM_NAME",
    "Call",
    "SlackDouble",
    "dm_channel",
]

Answer = dict[str, Any] | Callable[["Call"], dict[str, Any]]


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
        return Handler

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
        self.oauth = OAuthSide()
        self._served: dict[str, bytes] = {}  # path -> a file's content, as files.slack.com serves it

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

    def tokens_of(self, method: str) -> list[str | None]:
        """The token each call of `method` carried, in order."""
        return [c.token for c in self.calls(method)]

    def revoke(self, token: str) -> None:
        """Slack no longer takes `token` (the app was uninstalled there): invalid_auth from now on."""
        with self._lock:
            self.tokens.discard(token)

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

    def serve_file(self, path: str, content: bytes | str) -> None:
        """Serve `content` at `path` (a file's url_private_download) to a request carrying a valid
        bot token, as Slack does; without one, 403."""
        with self._lock:
            self._served[path] = content.encode() if isinstance(content, str) else content

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
        if call.method == AUTHORIZE:
            return self.oauth.authorize(call)
        with self._lock:
            served = self._served.get(call.path)
        if served is not None:
            if call.token not in self.tokens:
                return 403, {"Content-Type": "text/plain"}, b"forbidden"
            return 200, {"Content-Type": "application/octet-stream"}, served
        return self._web_api(call)

    def _refusal(self, method: str) -> Reply | None:
        self._seen[method] = self._seen.get(method, 0) + 1
        flaky = self._flaky.get(method)
        if flaky and self._seen[method] % flaky[0] == 0:
            return failure_reply(429, "ratelimited", flaky[1])
        planned = self._failures.get(method)
        if planned:
            failure = planned[0]
            failure.times -= 1
            if failure.times <= 0:
                planned.pop(0)
            return failure_reply(failure.status, failure.error, failure.retry_after, failure.fields)
        limit = self._limits.get(method)
        if limit is None:
            return None
        now = time.monotonic()
        limit.accepted[:] = [t for t in limit.accepted if now - t < limit.per_seconds]
        if len(limit.accepted) >= limit.most:
            wait = limit.per_seconds - (now - limit.accepted[0])
            return failure_reply(429, "ratelimited", max(1, math.ceil(wait)))
        limit.accepted.append(now)
        return None

    def _web_api(self, call: Call) -> Reply:
        with self._lock:
            answer = self._answers.get(call.method)
        canned = CANNED.get(call.method)
        if call.method == "oauth.v2.access" and answer is None:  # client credentials, not a token
            return json_reply(200, self.oauth.access(call, self.tokens))
        if answer is None and canned is None:
            return json_reply(200, {"ok": False, "error": "unknown_method"})
        if call.token is None:
            return json_reply(200, {"ok": False, "error": "not_authed"})
        if call.token not in self.tokens:
            return json_reply(200, {"ok": False, "error": "invalid_auth"})
        body = self._answer(call, answer) if answer is not None else canned(self, call)  # type: ignore[misc]
        headers = {"x-oauth-scopes": SCOPES} if call.method == "auth.test" else {}
        return json_reply(200, body, headers)

    @staticmethod
    def _answer(call: Call, answer: Any) -> Any:
        return answer(call) if callable(answer) else answer

    def _ts(self) -> str:
        return f"{self._epoch}.{next(self._counter):06d}"

    def _id(self, prefix: str) -> str:
        return f"{prefix}0{next(self._counter):08d}"
