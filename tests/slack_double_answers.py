"""The canned answers of the Slack double (tests/slack_double.py), shaped like Slack's, by the API
families winterbot calls: auth, chat, conversations, views, users and files. `CANNED` maps each
Web API method to its answer, a function of the double and the call."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from slack_double_wire import APP_ID, BOT_ID, BOT_USER_ID, TEAM_ID, Call

if TYPE_CHECKING:
    from slack_double import SlackDouble


def _auth_test(double: SlackDouble, call: Call) -> dict[str, Any]:
    """The workspace the token was issued for (tests/slack_double_oauth.py), the test workspace
    for the double's own tokens."""
    if call.token and call.token.startswith("xapp-"):
        return {"ok": False, "error": "not_allowed_token_type"}
    return double.oauth.auth_test(call.token)


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
