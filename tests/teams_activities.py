"""Teams activities as Teams sends them to a bot's messaging endpoint (the shapes of real
payloads: personal-chat messages, `adaptiveCard/action` invokes from Action.Execute buttons,
installation updates in a personal scope and in a team)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from teams_double import APP_ID, BOT_ID, TENANT_ID

_ids = itertools.count(1)


@dataclass(frozen=True)
class TeamsUser:
    aad_object_id: str
    name: str

    @property
    def id(self) -> str:
        return f"29:1{self.aad_object_id.replace('-', '')[:24]}"

    @property
    def conversation_id(self) -> str:
        return f"a:1{self.aad_object_id.replace('-', '')}"


def _base(
    kind: str, service_url: str, user: TeamsUser, conversation: dict[str, Any], channel_data: dict[str, Any]
) -> dict[str, Any]:
    return {
        "type": kind,
        "id": f"1767{next(_ids):09d}",
        "timestamp": "2027-01-05T09:31:02.123Z",
        "localTimestamp": "2027-01-05T09:31:02.123+00:00",
        "localTimezone": "Europe/London",
        "serviceUrl": service_url,
        "channelId": "msteams",
        "from": {"id": user.id, "name": user.name, "aadObjectId": user.aad_object_id},
        "recipient": {"id": BOT_ID, "name": "winterbot"},
        "conversation": conversation,
        "channelData": channel_data,
        "locale": "en-GB",
        "entities": [
            {
                "type": "clientInfo",
                "locale": "en-GB",
                "country": "GB",
                "platform": "Android",
                "timezone": "Europe/London",
            }
        ],
    }


def personal(kind: str, service_url: str, user: TeamsUser, **fields: Any) -> dict[str, Any]:
    conversation = {"conversationType": "personal", "tenantId": TENANT_ID, "id": user.conversation_id}
    return {**_base(kind, service_url, user, conversation, {"tenant": {"id": TENANT_ID}}), **fields}


def installed(service_url: str, user: TeamsUser, action: str = "add") -> dict[str, Any]:
    return personal("installationUpdate", service_url, user, action=action)


def message(service_url: str, user: TeamsUser, text: str) -> dict[str, Any]:
    return personal("message", service_url, user, text=text, textFormat="plain")


def card_action(
    service_url: str, user: TeamsUser, verb: str, data: dict[str, Any], reply_to: str | None = None
) -> dict[str, Any]:
    """Pressing an Action.Execute button: Teams merges the card's inputs into `data`."""
    fields: dict[str, Any] = {
        "name": "adaptiveCard/action",
        "value": {"action": {"type": "Action.Execute", "title": verb, "verb": verb, "data": data}, "trigger": "manual"},
    }
    if reply_to:
        fields["replyToId"] = reply_to
    return personal("invoke", service_url, user, **fields)


def team_installed(service_url: str, user: TeamsUser, team_channel: str, team_name: str) -> dict[str, Any]:
    conversation = {"isGroup": True, "conversationType": "channel", "tenantId": TENANT_ID, "id": team_channel}
    channel_data = {
        "team": {"id": team_channel, "name": team_name, "aadGroupId": "0b5c5f3e-0000-4000-8000-0000000c0de5"},
        "channel": {"id": team_channel},
        "tenant": {"id": TENANT_ID},
        "settings": {"selectedChannel": {"id": team_channel}},
        "source": {"name": "message"},
    }
    return {**_base("installationUpdate", service_url, user, conversation, channel_data), "action": "add"}


__all__ = ["APP_ID", "TeamsUser", "card_action", "installed", "message", "personal", "team_installed"]
