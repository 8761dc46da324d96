"""Teams accounts found by email address through Microsoft Graph, for `teams: by-email` members.

An app-only token comes from the tenant's Entra token endpoint (client credentials: the bot's
CLIENT_ID and CLIENT_SECRET), and each address is looked for as a user's `mail` or
`userPrincipalName` (GET /users?$filter=…). The id returned is the user's Entra object id, which
Teams sends as `aadObjectId` and winterbot matches members by. Listing users needs the
User.Read.All *application* permission, granted by an admin of the tenant.

Plain urllib, on purpose: it logs nothing, and the address is in the request's URL.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from email.message import Message
from typing import Any
from urllib.error import HTTPError
from urllib.parse import quote, urlencode, urlsplit
from urllib.request import Request, urlopen

from bot.programme.people_lookup import LookupFailed

MAX_WAITS = 10  # 429s and 503s waited out for one address
TIMEOUT = 15  # seconds for one request
PERMISSION = (
    "the app needs Microsoft Graph's User.Read.All application permission in that tenant: in the Entra "
    "admin centre, App registrations, the bot's app, API permissions, add Microsoft Graph, Application "
    "permissions, User.Read.All, then Grant admin consent"
)

Sleep = Callable[[float], None]


class GraphPeopleFinder:
    """Users of one tenant, found by email address, with the bot's own credentials."""

    def __init__(
        self,
        tenant_id: str,
        client_id: str,
        client_secret: str,
        *,
        graph_url: str,
        login_url: str,
        sleep: Sleep = time.sleep,
    ) -> None:
        self.tenant_id = tenant_id
        self._client_id, self._client_secret = client_id, client_secret
        self._graph, self._login = graph_url.rstrip("/"), login_url.rstrip("/")
        self._sleep = sleep
        self._token: str | None = None
        self.waited = 0.0

    def find(self, email: str) -> str | None:
        quoted = email.replace("'", "''")
        query = urlencode(
            {
                "$filter": f"mail eq '{quoted}' or userPrincipalName eq '{quoted}'",
                "$select": "id,mail,userPrincipalName",
            },
            quote_via=quote,
            safe="$,",
        )
        body = self._get(f"{self._graph}/users?{query}")
        users = [u for u in body.get("value", []) if isinstance(u, dict) and u.get("id")]
        wanted = email.lower()
        exact = [
            u for u in users if wanted in (str(u.get("mail") or "").lower(), str(u.get("userPrincipalName")).lower())
        ]
        chosen = (exact or users)[:1]
        return str(chosen[0]["id"]) if chosen else None

    def _get(self, url: str) -> dict[str, Any]:
        renewed = False
        for _ in range(MAX_WAITS + 1):
            request = Request(
                url, headers={"Authorization": f"Bearer {self._access_token()}", "Accept": "application/json"}
            )
            try:
                return _json(_open(request, "Microsoft Graph"))
            except HTTPError as error:
                if error.code in (429, 503):
                    self._wait(_retry_after(error.headers))
                    continue
                if error.code == 401 and not renewed:  # the token expired mid-way: one new one
                    self._token, renewed = None, True
                    continue
                if error.code == 403:
                    raise LookupFailed(
                        f"Microsoft Graph refused to read the tenant's users (403): {PERMISSION}"
                    ) from None
                raise LookupFailed(
                    f"Microsoft Graph answered {error.code} {_graph_code(error)} to a look-up by email"
                ) from None
        raise LookupFailed(f"Microsoft Graph kept refusing as too many requests ({MAX_WAITS} times): try again later")

    def _access_token(self) -> str:
        if self._token is not None:
            return self._token
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(self._graph))
        form = urlencode(
            {
                "grant_type": "client_credentials",
                "client_id": self._client_id,
                "client_secret": self._client_secret,
                "scope": f"{origin}/.default",
            }
        ).encode()
        url = f"{self._login}/{quote(self.tenant_id, safe='')}/oauth2/v2.0/token"
        try:
            body = _json(_open(Request(url, data=form, method="POST"), "Microsoft's sign-in service"))
        except HTTPError as error:
            answer = _body(error)
            code = str(answer.get("error") or error.code)
            ids = ", ".join(f"AADSTS{n}" for n in answer.get("error_codes", []) if isinstance(n, int))
            raise LookupFailed(
                f"Microsoft's sign-in service refused the bot's credentials for the tenant {self.tenant_id} "
                f"({code}{f', {ids}' if ids else ''}): check CLIENT_ID and CLIENT_SECRET, and that an admin of "
                "that tenant has consented to the app"
            ) from None
        token = body.get("access_token")
        if not isinstance(token, str) or not token:
            raise LookupFailed("Microsoft's sign-in service answered without an access token")
        self._token = token
        return token

    def _wait(self, seconds: float) -> None:
        self.waited += seconds
        self._sleep(seconds)


def _open(request: Request, service: str) -> bytes:
    """The response's body; HTTPError for an answer that is not 2xx; LookupFailed when unreachable."""
    try:
        with urlopen(request, timeout=TIMEOUT) as response:
            return bytes(response.read())
    except HTTPError:
        raise
    except OSError as error:  # URLError, a refused connection, a timeout
        host = urlsplit(request.full_url).netloc
        raise LookupFailed(f"could not reach {service} at {host} ({type(error).__name__})") from None


def _json(data: bytes) -> dict[str, Any]:
    try:
        body = json.loads(data or b"{}")
    except ValueError:
        raise LookupFailed("Microsoft answered with something that is not JSON") from None
    return body if isinstance(body, dict) else {}


def _body(error: HTTPError) -> dict[str, Any]:
    try:
        body = json.loads(error.read() or b"{}")
    except (ValueError, OSError):
        return {}
    return body if isinstance(body, dict) else {}


def _graph_code(error: HTTPError) -> str:
    inner = _body(error).get("error")
    return f"({inner['code']})" if isinstance(inner, dict) and isinstance(inner.get("code"), str) else ""


def _retry_after(headers: Message | None) -> float:
    value = headers.get("Retry-After") if headers is not None else None
    try:
        return max(0.0, min(float(value), 300.0)) if value is not None else 1.0
    except ValueError:
        return 1.0
