"""Recording that a workspace uninstalled the app or revoked its tokens (bot.people.workspaces), for the
`app_uninstalled` and `tokens_revoked` listeners: one warning line for the on-call engineer, and
from then on the messengers send nothing there (handlers.slack.installation). Where the app is
installed through Slack's OAuth flow, the workspace's installation and bot are also removed from
the store, so no process finds its token again until it is reinstalled (handlers.slack.workspaces)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore

from bot.people.workspaces import record
from handlers.slack.context import SlackContext
from models.vocabulary import Platform

log = logging.getLogger(__name__)


async def mark_workspace(
    context: SlackContext,
    body: dict[str, Any],
    state: str,
    reason: str,
    store: AsyncInstallationStore | None = None,
) -> None:
    team_id = str(body.get("team_id") or "")
    if store is not None:
        await forget_installation(store, body)
    if not team_id:
        log.warning("Slack said the app was %s, but named no workspace: nothing recorded", state)
        return
    now = datetime.now(UTC)
    await context.in_session(lambda session: record(session, Platform.SLACK, team_id, state, reason, now))
    log.warning(
        "Slack workspace %s is marked %s (%s): nothing more is sent there until the app is reinstalled "
        "from manifest.yaml",
        team_id,
        state,
        reason,
    )


async def forget_installation(store: AsyncInstallationStore, body: dict[str, Any]) -> None:
    """Delete the installation and bot of the workspace (or, installed organisation-wide, of the
    Enterprise Grid organisation) the event came from."""
    enterprise_id = _text(body.get("enterprise_id"))
    team_id = _text(body.get("team_id"))
    if _organisation_wide(body):
        team_id = None
    if enterprise_id is None and team_id is None:
        log.warning("Slack sent an uninstall or revocation naming no workspace: no installation removed")
        return
    await store.async_delete_all(enterprise_id=enterprise_id, team_id=team_id)
    log.warning(
        "Slack workspace %s: its installation and bot token were removed from the store",
        team_id or f"(organisation {enterprise_id})",
    )


def _organisation_wide(body: dict[str, Any]) -> bool:
    authorizations = body.get("authorizations")
    first = authorizations[0] if isinstance(authorizations, list) and authorizations else {}
    return bool(
        (first if isinstance(first, dict) else {}).get("is_enterprise_install") or body.get("is_enterprise_install")
    )


def _text(value: Any) -> str | None:
    return str(value) if isinstance(value, str) and value else None
