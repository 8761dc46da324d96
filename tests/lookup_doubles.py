"""Loopback doubles of the directories `by-email` members are found in: Slack's users.lookupByEmail,
and Microsoft Graph's users with Entra's token endpoint (client credentials). Each checks its
credentials as the real service does, answers what it answers for an unknown address, records
the calls, and can refuse on demand (a 429 with Retry-After, a 403 for a missing permission)."""

from __future__ import annotations

import json
import re
import secrets
import socket
import threading
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from loopback import LoopbackServer


def closed_url() -> str:
    """A loopback URL nothing listens at: a service that cannot be reached."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


class _Answering(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # the doubles keep quiet
        pass

    def _reply(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _form(self) -> dict[str, str]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode() if length else ""
        return {k: v[0] for k, v in parse_qs(raw).items()}

    def _bearer(self) -> str:
        return (self.headers.get("Authorization") or "").removeprefix("Bearer ").strip()


class SlackLookupDouble(LoopbackServer):
    """users.lookupByEmail for the workspaces whose bot tokens it is given."""

    thread_name = "slack-lookup-double"

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.people: dict[str, dict[str, str]] = {}  # token -> address (lower case) -> user id
        self.lookups = 0  # answered (found or not)
        self.rate_limited = 0
        self._limit_next: list[int] = []  # Retry-After of the next 429s
        self.error: str | None = None  # answer every call with this error

    def request_handler(self) -> type[BaseHTTPRequestHandler]:
        return _SlackHandler

    @property
    def api_url(self) -> str:
        return f"{self.root}/api/"

    def workspace(self, token: str, people: dict[str, str]) -> None:
        self.people[token] = {email.lower(): user for email, user in people.items()}

    def rate_limit_next(self, times: int = 1, retry_after: int = 1) -> None:
        with self._lock:
            self._limit_next += [retry_after] * times


class _SlackHandler(_Answering):
    server: Any

    def do_GET(self) -> None:
        self._lookup(parse_qs(urlsplit(self.path).query))

    def do_POST(self) -> None:
        self._lookup({k: [v] for k, v in self._form().items()})

    def _lookup(self, params: dict[str, list[str]]) -> None:
        double: SlackLookupDouble = self.server.double
        if urlsplit(self.path).path != "/api/users.lookupByEmail":
            self._reply(404, {"ok": False, "error": "unknown_method"})
            return
        with double._lock:
            if double._limit_next:
                double.rate_limited += 1
                self._reply(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(double._limit_next.pop(0))})
                return
        people = double.people.get(self._bearer())
        if people is None:
            self._reply(200, {"ok": False, "error": "invalid_auth"})
            return
        if double.error:
            self._reply(200, {"ok": False, "error": double.error, "needed": "users:read.email"})
            return
        email = (params.get("email") or [""])[0].lower()
        with double._lock:
            double.lookups += 1
        user = people.get(email)
        if user is None:
            self._reply(200, {"ok": False, "error": "users_not_found"})
        else:
            self._reply(200, {"ok": True, "user": {"id": user, "deleted": False, "is_bot": False}})


class GraphDouble(LoopbackServer):
    """Entra's token endpoint (client credentials) and Graph's GET /v1.0/users?$filter=mail eq '…'."""

    thread_name = "graph-double"

    def __init__(self, tenant: str, client_id: str, client_secret: str) -> None:
        self.tenant, self.client_id, self.client_secret = tenant, client_id, client_secret
        self._lock = threading.Lock()
        self.users: dict[str, str] = {}  # address (lower case) -> Entra object id
        self.tokens: set[str] = set()
        self.token_requests = 0
        self.lookups = 0
        self.rate_limited = 0
        self._limit_next: list[int] = []
        self.forbidden = False  # the app lacks User.Read.All
        self.scopes: list[str] = []

    def request_handler(self) -> type[BaseHTTPRequestHandler]:
        return _GraphHandler

    @property
    def graph_url(self) -> str:
        return f"{self.root}/v1.0"

    @property
    def login_url(self) -> str:
        return self.root

    def rate_limit_next(self, times: int = 1, retry_after: int = 1) -> None:
        with self._lock:
            self._limit_next += [retry_after] * times


_FILTER = re.compile(r"^mail eq '((?:[^']|'')*)' or userPrincipalName eq '((?:[^']|'')*)'$")


class _GraphHandler(_Answering):
    server: Any

    def do_POST(self) -> None:
        double: GraphDouble = self.server.double
        if self.path != f"/{double.tenant}/oauth2/v2.0/token":
            self._reply(400, {"error": "invalid_request", "error_codes": [900023]})  # no such tenant
            return
        form = self._form()
        with double._lock:
            double.token_requests += 1
            double.scopes.append(form.get("scope", ""))
        if form.get("grant_type") != "client_credentials" or not form.get("scope", "").endswith("/.default"):
            self._reply(400, {"error": "invalid_request", "error_codes": [90014]})
            return
        if (form.get("client_id"), form.get("client_secret")) != (double.client_id, double.client_secret):
            self._reply(401, {"error": "invalid_client", "error_codes": [7000215]})
            return
        token = secrets.token_hex(16)
        with double._lock:
            double.tokens.add(token)
        self._reply(200, {"token_type": "Bearer", "expires_in": 3599, "access_token": token})

    def do_GET(self) -> None:
        double: GraphDouble = self.server.double
        url = urlsplit(self.path)
        if url.path != "/v1.0/users":
            self._reply(404, {"error": {"code": "Request_ResourceNotFound", "message": "not here"}})
            return
        if self._bearer() not in double.tokens:
            self._reply(401, {"error": {"code": "InvalidAuthenticationToken", "message": "Access token is empty."}})
            return
        with double._lock:
            if double._limit_next:
                double.rate_limited += 1
                wait = double._limit_next.pop(0)
                self._reply(429, {"error": {"code": "TooManyRequests"}}, {"Retry-After": str(wait)})
                return
        if double.forbidden:
            self._reply(403, {"error": {"code": "Authorization_RequestDenied", "message": "Insufficient privileges"}})
            return
        query = parse_qs(url.query)
        match = _FILTER.match((query.get("$filter") or [""])[0])
        if match is None or query.get("$select") != ["id,mail,userPrincipalName"]:
            self._reply(400, {"error": {"code": "Request_UnsupportedQuery"}})
            return
        email = match[1].replace("''", "'").lower()
        with double._lock:
            double.lookups += 1
        user = double.users.get(email)
        found = [{"id": user, "mail": email, "userPrincipalName": email}] if user else []
        self._reply(200, {"@odata.context": "users", "value": found})
