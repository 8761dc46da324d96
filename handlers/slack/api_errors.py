"""What Slack's refusals mean for a send: which are for good, and what a person must do.

A refusal that trying again cannot change (a scope the app was not given, a channel it is not
in, a token that no longer works, a person who cannot be written to) is a permanent SendError
that says what to do, so a job gives up at once and its report carries the remedy. Anything
else (a 5xx, a dropped connection, an error not known here) is retried by the deliveries'
back-off. Rate limits never get here: handlers.slack.retry waits them out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.sending.ports import SendError

REINSTALL = "reinstall the app from manifest.yaml and set SLACK_BOT_TOKEN to its new Bot User OAuth Token"
TOKEN_DEAD = f"the bot token no longer works (the app was uninstalled or its tokens revoked): {REINSTALL}"
RECIPIENT = "check the member's Slack user id in the programme file, or remove them if they have left"

REMEDIES: dict[str, str] = {
    "missing_scope": "add {needed} to manifest.yaml (oauth_config: scopes: bot) and reinstall the app",
    "not_in_channel": "invite @winterbot to {channel} (type /invite @winterbot there)",
    "channel_not_found": (
        "check {channel} in the programme file (channel, leads_channel); a private channel must invite @winterbot first"
    ),
    "is_archived": "{channel} is archived: unarchive it or name another channel in the programme file",
    "invalid_auth": TOKEN_DEAD,
    "token_revoked": TOKEN_DEAD,
    "account_inactive": TOKEN_DEAD,
    "token_expired": TOKEN_DEAD,
    "not_authed": "SLACK_BOT_TOKEN is empty or was not sent: set it to the app's Bot User OAuth Token",
    "team_access_not_granted": "an Enterprise Grid admin must grant the app access to this workspace",
    "user_not_found": RECIPIENT,
    "invalid_users": RECIPIENT,
    "user_disabled": "the member's Slack account is deactivated: remove them from the programme file",
    "cannot_dm_bot": "the member's Slack user id is a bot's: correct it in the programme file",
    "is_bot": "the member's Slack user id is a bot's: correct it in the programme file",
}
PERMANENT = frozenset(REMEDIES)


def refusal(code: str, body: Mapping[str, Any], method: str, channel: str | None = None) -> SendError:
    """The SendError for Slack's `{"ok": false, "error": code, ...}` answer to `method`."""
    remedy = REMEDIES.get(code)
    if remedy is None:
        return SendError(f"Slack said {code} to {method}")
    scope = body.get("needed")
    needed = f"the {scope} scope" if scope else f"the scope {method} needs (api.slack.com/methods/{method})"
    what = remedy.format(needed=needed, channel=_channel(channel))
    return SendError(f"Slack said {code} to {method}: {what}", permanent=True)


def method_of(api_url: str | None, fallback: str) -> str:
    """`chat.postMessage` from the URL Slack was called at."""
    return api_url.rstrip("/").rsplit("/", 1)[-1] if api_url else fallback


def _channel(channel: str | None) -> str:
    if not channel:
        return "the channel"
    return channel if channel.startswith("#") else f"the channel {channel}"
