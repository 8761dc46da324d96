"""A loopback double of the Bot Connector service that Teams activities name as their
`serviceUrl`: a real HTTP server that records every activity the bot sends or updates.

Activities given to the app carry `serviceUrl = TeamsDouble.url`; proactive sends reach it
through the stored conversation references. It checks the bearer token and can be told to
answer 429 (with Retry-After) or 5xx the next few times.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import unquote, urlsplit

import jwt
from loopback import LoopbackServer

APP_ID = "00000000-0000-4000-8000-00000000b07a"
# The SDK reads the bot token as a JWT (for its expiry), so the double's token is one.
BOT_TOKEN = jwt.encode(
    {"aud": "https://api.botframework.com", "appid": APP_ID, "exp": 4_102_444_800},
    "a-test-key-of-no-value-outside-the-tests",
    algorithm="HS256",
)
BOT_ID = f"28:{APP_ID}"
TENANT_ID = "11111111-1111-4111-8111-111111111111"
CARD = "application/vnd.microsoft.card.adaptive"

_ACTIVITY = re.compile(r"^/v3/conversations/(?P<conversation>[^/]+)/activities(?:/(?P<activity>[^/]+))?$")


@dataclass(frozen=True)
class Sent:
    """One activity the bot sent (POST) or updated (PUT) in a conversation."""

    http_method: str
    conversation_id: str
    activity_id: str
    body: dict[str, Any]
    token: str | None
    at: float

    @property
    def text(self) -> str:
        return self.body.get("text") or ""

    @property
    def cards(self) -> list[dict[str, Any]]:
        return [a["content"] for a in self.body.get("attachments") or [] if a.get("contentType") == CARD]

    @property
    def card_text(self) -> str:
        """Every string in the message's cards, joined: for asserting what a person reads."""
        return strings(self.cards)


def strings(value: Any) -> str:
    """Every string in a card (or any JSON), one per line: what a person could read in it."""
    return "\n".join(_strings(value))


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


class TeamsDouble(LoopbackServer):
    thread_name = "teams-double"

    def request_handler(self) -> type[BaseHTTPRequestHandler]:
        return _Handler

    def __init__(self, token: str = BOT_TOKEN) -> None:
        self.token = token
        self._lock = threading.Condition()
        self._sent: list[Sent] = []
        self._failures: list[tuple[int, int | None]] = []
        self._every: tuple[int, int] | None = None  # (every Nth call, answered with this status)
        self._seen = 0
        self._ids = itertools.count(1)

    @property
    def url(self) -> str:
        return f"{self.root}/teams"

    def sent(self, conversation_id: str | None = None) -> list[Sent]:
        with self._lock:
            return [s for s in self._sent if conversation_id is None or s.conversation_id == conversation_id]

    def wait_for(self, count: int, conversation_id: str | None = None, timeout: float = 5.0) -> list[Sent]:
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self.sent(conversation_id)) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"expected {count} activities, got {len(self.sent(conversation_id))}")
                self._lock.wait(left)
            return self.sent(conversation_id)

    def clear(self) -> None:
        with self._lock:
            self._sent.clear()

    def fail_next(self, status: int = 503, times: int = 1, retry_after: int | None = None) -> None:
        with self._lock:
            self._failures += [(status, retry_after)] * times

    def flaky(self, every: int, status: int = 503) -> None:
        """Answer every Nth activity with `status` (the sends in between succeed)."""
        with self._lock:
            self._every = (every, status)

    def _receive(self, method: str, path: str, headers: dict[str, str], raw: bytes) -> tuple[int, dict[str, Any]]:
        token = headers.get("authorization", "").removeprefix("Bearer ") or None
        if token != self.token:
            return 401, {"error": {"code": "Unauthorized", "message": "bad or missing token"}}
        match = _ACTIVITY.match(path.removeprefix("/teams"))
        if match is None:
            return 404, {"error": {"code": "NotFound", "message": path}}
        with self._lock:
            self._seen += 1
            if self._failures:
                status, _ = self._failures.pop(0)
                return status, {"error": {"code": "ServiceError", "message": "try again"}}
            if self._every and self._seen % self._every[0] == 0:
                return self._every[1], {"error": {"code": "ServiceError", "message": "try again"}}
            conversation_id = unquote(match["conversation"])
            activity_id = match["activity"] if method == "PUT" and match["activity"] else f"act-{next(self._ids)}"
            body = json.loads(raw or b"{}")
            self._sent.append(Sent(method, conversation_id, unquote(activity_id), body, token, time.time()))
            self._lock.notify_all()
        return (200 if method == "PUT" else 201), {"id": activity_id}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        double: TeamsDouble = self.server.double  # type: ignore[attr-defined]
        headers = {k.lower(): v for k, v in self.headers.items()}
        status, answer = double._receive(self.command, urlsplit(self.path).path, headers, raw)
        body = json.dumps(answer).encode()
        self.send_response(status)
        if status == 429:
            self.send_header("Retry-After", "1")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class JwksDouble(LoopbackServer):
    """A loopback stand-in for Microsoft's OpenID metadata and signing keys (JWKS), able to be
    slow. `cloud` points the Teams SDK at it; `token()` signs as the Bot Framework would, with
    the published key, and `forged()` with a key it never published."""

    thread_name = "jwks-double"

    def __init__(self, delay: float = 0.0) -> None:
        from cryptography.hazmat.primitives.asymmetric import rsa

        self.delay = delay
        self.fetches = 0
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "published-key"

    def request_handler(self) -> type[BaseHTTPRequestHandler]:
        return _JwksHandler

    @property
    def cloud(self) -> Any:
        from microsoft_teams.api.auth.cloud_environment import PUBLIC, with_overrides

        return with_overrides(
            PUBLIC, openid_metadata_url=f"{self.root}/v1/.well-known/openidconfiguration", login_endpoint=self.root
        )

    def keys(self) -> dict[str, Any]:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self._key.public_key()))
        return {"keys": [{**jwk, "kid": self.kid, "use": "sig", "alg": "RS256"}]}

    def token(self, service_url: str, app_id: str = APP_ID, kid: str | None = None, key: Any = None) -> str:
        claims = {
            "iss": "https://api.botframework.com",
            "aud": app_id,
            "serviceurl": service_url,
            "iat": int(time.time()) - 10,
            "nbf": int(time.time()) - 10,
            "exp": int(time.time()) + 3600,
        }
        return jwt.encode(claims, key or self._key, algorithm="RS256", headers={"kid": kid or self.kid})

    def forged(self, service_url: str, kid: str = "a-key-nobody-published") -> str:
        from cryptography.hazmat.primitives.asymmetric import rsa

        other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return self.token(service_url, kid=kid, key=other)


class _JwksHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        double: JwksDouble = self.server.double  # type: ignore[attr-defined]
        path = urlsplit(self.path).path
        if path.endswith("/keys"):
            double.fetches += 1
            time.sleep(double.delay)
            answer: dict[str, Any] = double.keys()
        else:
            answer = {"issuer": "https://api.botframework.com", "jwks_uri": f"{double.root}/v1/.well-known/keys"}
        body = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
