"""Which workspace a Slack request came from, and who it acts as, read from the payload the
guard accepted (handlers.slack.guard), for the check that no workspace's request reaches
another's programme (bot.people.tenancy).

The workspace is read as Bolt reads it to choose the installation whose token answers
(slack_bolt's extract_team_id and extract_enterprise_id), so the check and the token agree.
Every id a listener may act as is checked: the command's user_id, the interaction's user, the
event's user, however a crafted payload places them.
"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.request.internals import extract_enterprise_id, extract_team_id, extract_user_id

from bot.people.tenancy import Request
from handlers.slack.guard import Accepted, Refused
from models.vocabulary import Platform

UNCHECKED_TYPES = frozenset({"url_verification", "ssl_check"})  # Slack's own checks of the endpoint


def slack_request(accepted: Accepted, many_workspaces: bool) -> Request | Refused | None:
    """The request to check; None for Slack's own checks of the endpoint, which act as no one;
    Refused (400) for a payload that names no workspace."""
    payload = accepted.payload
    if accepted.kind == "other" and (payload.get("type") in UNCHECKED_TYPES or payload.get("ssl_check")):
        return None
    team_id = _text(_extracted(extract_team_id, payload))
    if team_id is None:
        return Refused(400, "the request names no Slack workspace")
    return Request(
        platform=Platform.SLACK.value,
        user_ids=acting_user_ids(payload),
        team_id=team_id,
        enterprise_id=_text(_extracted(extract_enterprise_id, payload)),
        one_area=not many_workspaces,
    )


def acting_user_ids(payload: dict[str, Any]) -> tuple[str, ...]:
    """Every user id a listener may take for the one asking: Bolt's choice, a command's
    user_id, an interaction's user, an event's user (or the user of the message it carries)."""
    event = _object(payload.get("event"))
    message = _object(event.get("message"))
    found = (
        _extracted(extract_user_id, payload),
        payload.get("user_id"),
        _user(payload.get("user")),
        _user(event.get("user")),
        _user(message.get("user")),
    )
    return tuple(dict.fromkeys(i for i in (_text(f) for f in found) if i is not None))


def serves_many(slack_app: AsyncApp) -> bool:
    """Whether this Bolt app answers for many workspaces: it authorizes each request from an
    installation (OAuth) rather than with one bot token."""
    return slack_app.installation_store is not None or slack_app.oauth_flow is not None or not slack_app.client.token


def _extracted(extract: Any, payload: dict[str, Any]) -> Any:
    """Bolt's extraction, on a payload whose nested fields may be of any shape the guard let by."""
    try:
        return extract(payload)
    except (AttributeError, TypeError, KeyError, IndexError):
        return None


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _user(value: Any) -> Any:
    return value.get("id") if isinstance(value, dict) else value


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
