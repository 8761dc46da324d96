"""A loopback double of GOV.UK Notify's API: the endpoints winterbot calls (send an email, send a
text, list notifications by reference), checking each request's JWT as Notify does, refusing
what Notify refuses (an unknown template, an address that is not one), recording every call, and
able to fail on demand (a 5xx, a 429, or accepting a message and then failing the response)."""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlparse

from loopback import LoopbackServer
from notifications_python_client.authentication import decode_jwt_token, get_token_issuer

SERVICE_ID = "26785a09-ab16-4eb0-8407-a37497a57506"
SECRET = "3d844edf-8d35-48ac-975b-e847b4f122b0"
API_KEY = f"winterbot_test-{SERVICE_ID}-{SECRET}"
EMAIL_TEMPLATE = "f33517ff-2a88-4f6e-b855-c550268ce08a"
SMS_TEMPLATE = "0a7d1a3b-6c2e-4a5e-9f6b-2b4cf1c3d9e1"
TEMPLATES = {"email": EMAIL_TEMPLATE, "sms": SMS_TEMPLATE}


@dataclass
class Sent:
    id: str
    kind: str  # email or sms
    to: str
    template_id: str
    personalisation: dict[str, str]
    reference: str | None

    @property
    def link(self) -> str:
        return self.personalisation.get("link", "")


@dataclass
class _Faults:
    fail_next: list[int] = field(default_factory=list)
    accept_then_fail: int = 0
    every: int = 0  # every Nth send is taken and then answered 500
    sends: int = 0
    limit: tuple[int, float] | None = None  # at most so many requests in any window of so many seconds
    recent: list[float] = field(default_factory=list)
    limited: int = 0


class NotifyDouble(LoopbackServer):
    thread_name = "notify-double"

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.messages: list[Sent] = []
        self.calls: list[tuple[str, str]] = []  # (method, path) of every request that was authorised
        self.refused_auth = 0
        self._faults = _Faults()

    def request_handler(self) -> type[BaseHTTPRequestHandler]:
        return _Handler

    @property
    def url(self) -> str:
        return self.root

    def sent(self, kind: str | None = None, to: str | None = None) -> list[Sent]:
        with self._lock:
            return [m for m in self.messages if (kind is None or m.kind == kind) and (to is None or m.to == to)]

    def fail_next(self, status: int = 500, times: int = 1) -> None:
        with self._lock:
            self._faults.fail_next += [status] * times

    def accept_then_fail(self, times: int = 1) -> None:
        """Take the next message(s) as Notify would, but answer 500: the sender cannot know it went."""
        with self._lock:
            self._faults.accept_then_fail += times

    def flaky(self, every: int) -> None:
        """From now on, every `every`th send is taken as Notify would and then answered 500."""
        with self._lock:
            self._faults.every, self._faults.sends = every, 0

    def rate_limit(self, most: int = 3000, per_seconds: float = 60.0) -> None:
        """Answer 429 as Notify does beyond `most` requests in any `per_seconds` (3,000 a minute)."""
        with self._lock:
            self._faults.limit, self._faults.recent = (most, per_seconds), []

    @property
    def limited(self) -> int:
        """How many requests were answered 429."""
        return self._faults.limited

    def _over_limit(self) -> bool:
        if self._faults.limit is None:
            return False
        most, seconds = self._faults.limit
        now = time.monotonic()
        self._faults.recent = [t for t in self._faults.recent if t > now - seconds]
        if len(self._faults.recent) >= most:
            self._faults.limited += 1
            return True
        self._faults.recent.append(now)
        return False

    def receive(self, method: str, path: str, headers: dict[str, str], raw: bytes) -> tuple[int, dict[str, Any]]:
        if not _authorised(headers.get("authorization", "")):
            with self._lock:
                self.refused_auth += 1
            return 403, _errors("AuthError", "Invalid token: signature, api token not found")
        with self._lock:
            if self._over_limit():
                return 429, _errors(
                    "RateLimitError", "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds"
                )
            self.calls.append((method, path))
            if self._faults.fail_next:
                return self._faults.fail_next.pop(0), _errors("Exception", "Internal server error")
        url = urlparse(path)
        if method == "GET" and url.path == "/v2/notifications":
            reference = (parse_qs(url.query).get("reference") or [None])[0]
            with self._lock:
                found = [m for m in self.messages if reference is None or m.reference == reference]
            listed = [{"id": m.id, "reference": m.reference, "type": m.kind, "status": "delivered"} for m in found]
            return 200, {"notifications": listed, "links": {"current": path}}
        if method == "POST" and url.path in ("/v2/notifications/email", "/v2/notifications/sms"):
            return self._send(url.path.rsplit("/", 1)[1], json.loads(raw or b"{}"))
        return 404, _errors("BadRequestError", "Not found")

    def _send(self, kind: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        to = body.get("email_address" if kind == "email" else "phone_number", "")
        template = body.get("template_id")
        if template != TEMPLATES[kind]:
            return 400, _errors("BadRequestError", "Template not found")
        if kind == "email" and "@" not in to:
            return 400, _errors("ValidationError", "email_address Not a valid email address")
        if kind == "sms" and not (to.startswith("+447") and len(to) == 13):
            return 400, _errors("ValidationError", "phone_number Not a UK mobile number")
        personalisation = body.get("personalisation") or {}
        if not all(isinstance(v, str) for v in personalisation.values()):
            return 400, _errors("ValidationError", "personalisation must be text")
        message = Sent(str(uuid.uuid4()), kind, to, template, personalisation, body.get("reference"))
        with self._lock:
            self.messages.append(message)
            self._faults.sends += 1
            flaky = self._faults.every and self._faults.sends % self._faults.every == 0
            if self._faults.accept_then_fail or flaky:
                self._faults.accept_then_fail = max(0, self._faults.accept_then_fail - 1)
                return 500, _errors("Exception", "Internal server error")
        return 201, {
            "id": message.id,
            "reference": message.reference,
            "content": {"body": personalisation.get("body", ""), "subject": personalisation.get("subject", "")},
            "template": {"id": template, "version": 1, "uri": f"/v2/template/{template}"},
            "uri": f"/v2/notifications/{message.id}",
        }


def _authorised(header: str) -> bool:
    scheme, _, token = header.partition(" ")
    if scheme != "Bearer" or not token:
        return False
    try:
        return get_token_issuer(token) == SERVICE_ID and bool(decode_jwt_token(token, SECRET))
    except Exception:  # noqa: BLE001 -- any token the library cannot read is refused, as Notify does
        return False


def _errors(kind: str, message: str) -> dict[str, Any]:
    return {"status_code": 0, "errors": [{"error": kind, "message": message}]}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _serve(self, method: str) -> None:
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        status, body = self.server.double.receive(method, self.path, headers, raw)  # type: ignore[attr-defined]
        if "errors" in body:
            body["status_code"] = status
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
