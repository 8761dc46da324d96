"""Recording that a workspace uninstalled the app or revoked its tokens (bot.people.workspaces), for the
`app_uninstalled` and `tokens_revoked` listeners: one warning line for the on-call engineer, and
from then on the messengers send nothing there (handlers.slack.installation)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from bot.people.workspaces import record
from handlers.slack.context import SlackContext
from models.vocabulary import Platform

log = logging.getLogger(__name__)


async def mark_workspace(context: SlackContext, body: dict[str, Any], state: str, reason: str) -> None:
    team_id = str(body.get("team_id") or "")
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
