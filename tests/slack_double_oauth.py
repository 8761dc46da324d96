"""Slack's side of installing an app, for the Slack double (tests/slack_double.py): its consent
screen (`/oauth/v2/authorize`, which grants at once, for the workspace named by `team` or the
double's default), oauth.v2.access (a code it issued for a new bot token; with token rotation on,
a refresh token for a rotated one) and which workspace each token belongs to, for auth.test.

Client credentials travel as HTTP Basic auth, as slack_sdk sends them; a code is good once, as
is a refresh token (its successor comes with the rotated token).
"""

from __future__ import annotations

import base64
import itertools
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from slack_double_wire import APP_ID, BOT_ID, BOT_TOKEN, BOT_USER_ID, TEAM_ID, TEAM_NAME, Call, Reply

CLIENT_ID = "1111.2222"
CLIENT_SECRET = "winterbot-test-client-secret"
AUTHORIZE = "/oauth/v2/authorize"
INSTALLER = "U0INSTALLER"


@dataclass(frozen=True)
class Workspace:
    team_id: str | None
    team_name: str
    enterprise_id: str | None = None
    organisation_wide: bool = False

    @property
    def bot_id(self) -> str:
        return BOT_ID if self.team_id == TEAM_ID else f"B{self._suffix}"

    @property
    def bot_user_id(self) -> str:
        return BOT_USER_ID if self.team_id == TEAM_ID else f"U{self._suffix}BOT"

    @property
    def _suffix(self) -> str:
        return (self.team_id or self.enterprise_id or "X")[1:]


@dataclass(frozen=True)
class _Grant:
    workspace: Workspace
    scope: str
    redirect_uri: str | None


class OAuthSide:
    """What the double knows about installations: codes, tokens and the workspace of each."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counter = itertools.count(1)
        self.client_id, self.client_secret = CLIENT_ID, CLIENT_SECRET
        self.redirect_url: str | None = None  # the app's configured redirect URL, when none is given
        self.expires_in: int | None = None  # set: installs and refreshes issue expiring, rotating tokens
        self._workspaces: dict[str, Workspace] = {BOT_TOKEN: Workspace(TEAM_ID, TEAM_NAME)}
        self._codes: dict[str, _Grant] = {}
        self._refresh: dict[str, tuple[Workspace, str]] = {}
        self.issued: list[str] = []  # bot tokens, in the order issued

    # for tests

    def grant(
        self,
        team_id: str | None = TEAM_ID,
        team_name: str | None = None,
        *,
        enterprise_id: str | None = None,
        organisation_wide: bool = False,
        scope: str = "commands,chat:write",
        redirect_uri: str | None = None,
    ) -> str:
        """A code, as Slack gives after an admin of that workspace consents."""
        workspace = Workspace(team_id, team_name or f"Workspace {team_id}", enterprise_id, organisation_wide)
        code = f"code-{next(self._counter)}"
        with self._lock:
            self._codes[code] = _Grant(workspace, scope, redirect_uri)
        return code

    def workspace_of(self, token: str | None) -> Workspace | None:
        with self._lock:
            return self._workspaces.get(token or "")

    def team_of(self, token: str | None) -> str | None:
        workspace = self.workspace_of(token)
        return workspace.team_id if workspace else None

    # serving

    def authorize(self, call: Call) -> Reply:
        """The consent screen, granting at once: 302 back to the app with a code and the state."""
        if call.get("client_id") != self.client_id:
            return 400, {"Content-Type": "text/plain"}, b"invalid_client_id"
        redirect = call.get("redirect_uri") or self.redirect_url
        if not redirect:
            return 400, {"Content-Type": "text/plain"}, b"no redirect_uri, and the app has none configured"
        team = call.get("team") or TEAM_ID
        code = self.grant(team, scope=str(call.get("scope") or ""), redirect_uri=call.get("redirect_uri"))
        query = urlencode({"code": code, "state": call.get("state") or ""})
        joiner = "&" if urlsplit(redirect).query else "?"
        return 302, {"Location": f"{redirect}{joiner}{query}", "Content-Type": "text/plain"}, b""

    def access(self, call: Call, tokens: set[str]) -> dict[str, Any]:
        """oauth.v2.access: a code for a new bot token, or a refresh token for a rotated one."""
        if _basic(call) != (self.client_id, self.client_secret):
            return {"ok": False, "error": "invalid_client_id"}
        grant_type = call.get("grant_type") or "authorization_code"
        if grant_type == "refresh_token":
            return self._refreshed(call, tokens)
        if grant_type != "authorization_code":
            return {"ok": False, "error": "invalid_grant_type"}
        with self._lock:
            grant = self._codes.pop(str(call.get("code") or ""), None)
        if grant is None:
            return {"ok": False, "error": "invalid_code"}
        if grant.redirect_uri is not None and call.get("redirect_uri") != grant.redirect_uri:
            return {"ok": False, "error": "bad_redirect_uri"}
        return {**self._issue(grant.workspace, grant.scope, tokens), "authed_user": {"id": INSTALLER}}

    def _refreshed(self, call: Call, tokens: set[str]) -> dict[str, Any]:
        with self._lock:
            held = self._refresh.pop(str(call.get("refresh_token") or ""), None)
        if held is None:
            return {"ok": False, "error": "invalid_refresh_token"}
        workspace, scope = held
        return self._issue(workspace, scope, tokens)

    def _issue(self, workspace: Workspace, scope: str, tokens: set[str]) -> dict[str, Any]:
        n = next(self._counter)
        prefix = "xoxe.xoxb" if self.expires_in else "xoxb"
        token = f"{prefix}-{workspace.team_id or workspace.enterprise_id}-{n:04d}-winterbot-test"
        body: dict[str, Any] = {
            "ok": True,
            "access_token": token,
            "token_type": "bot",
            "scope": scope,
            "bot_user_id": workspace.bot_user_id,
            "app_id": APP_ID,
            "team": {"id": workspace.team_id, "name": workspace.team_name} if workspace.team_id else None,
            "enterprise": {"id": workspace.enterprise_id, "name": f"Org {workspace.enterprise_id}"}
            if workspace.enterprise_id
            else None,
            "is_enterprise_install": workspace.organisation_wide,
        }
        with self._lock:
            self._workspaces[token] = workspace
            self.issued.append(token)
            if self.expires_in:
                refresh = f"xoxe-1-refresh-{n:04d}"
                self._refresh[refresh] = (workspace, scope)
                body.update(refresh_token=refresh, expires_in=self.expires_in)
        tokens.add(token)
        return body

    def auth_test(self, token: str | None) -> dict[str, Any]:
        workspace = self.workspace_of(token) or Workspace(TEAM_ID, TEAM_NAME)
        return {
            "ok": True,
            "url": "https://winterbot-test.slack.com/"
            if workspace.team_id == TEAM_ID
            else f"https://{(workspace.team_id or 'org').lower()}.slack.com/",
            "team": workspace.team_name,
            "user": "winterbot",
            "team_id": workspace.team_id,
            "user_id": workspace.bot_user_id,
            "bot_id": workspace.bot_id,
            "is_enterprise_install": workspace.organisation_wide,
            **({"enterprise_id": workspace.enterprise_id} if workspace.enterprise_id else {}),
        }


def _basic(call: Call) -> tuple[str, str] | None:
    header = call.headers.get("authorization", "")
    if header.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(header[len("basic ") :].strip()).decode()
        except ValueError:
            return None
        client_id, _, secret = decoded.partition(":")
        return client_id, secret
    if call.get("client_id") and call.get("client_secret"):  # Slack takes them in the form too
        return str(call["client_id"]), str(call["client_secret"])
    return None


def query_of(url: str) -> dict[str, str]:
    """A URL's query as a dict of single values."""
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query, keep_blank_values=True).items()}
