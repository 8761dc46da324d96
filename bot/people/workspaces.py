"""Workspaces (a Slack team, a Teams tenant) that uninstalled the app or revoked its tokens.

Nothing is sent to such a workspace: every send would be refused, and a job that kept trying
would only say so later and less clearly. The mark stays until the app is seen to work there
again: its token answered after the mark was made (a reinstall gives a new token, or the old
one works again). Platform-neutral: the platform's messenger asks `blocked` and `reinstalled`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from models.tables import WorkspaceState

UNINSTALLED = "uninstalled"
REVOKED = "revoked"
STATES = (UNINSTALLED, REVOKED)


@dataclass(frozen=True)
class Blocked:
    platform: str
    workspace_id: str
    state: str
    reason: str | None
    changed_at: datetime

    def stands_after(self, verified_at: datetime | None) -> bool:
        """True unless the app's token was seen working after the mark was made."""
        return verified_at is None or verified_at <= self.changed_at


def record(
    session: Session, platform: str, workspace_id: str, state: str, reason: str | None, now: datetime
) -> Blocked:
    """Mark the workspace (again: a second event moves the date on and keeps one row)."""
    if state not in STATES:
        raise ValueError(f"a workspace is {' or '.join(STATES)}, not {state!r}")
    if now.tzinfo is None:
        raise ValueError("the time a workspace changed must be timezone-aware")
    row = session.get(WorkspaceState, (platform, workspace_id))
    if row is None:
        row = WorkspaceState(platform=platform, workspace_id=workspace_id, state=state)
    row.state, row.reason, row.changed_at = state, reason, now
    session.add(row)
    session.flush()
    return _blocked(row)


def blocked(session: Session, platform: str, workspace_id: str) -> Blocked | None:
    row = session.get(WorkspaceState, (platform, workspace_id))
    return _blocked(row) if row is not None else None


def reinstalled(session: Session, platform: str, workspace_id: str, verified_at: datetime) -> Blocked | None:
    """Clear the mark when the app's token was seen working after it was made; returns the
    mark cleared, or None (no mark, or one made after `verified_at`, which stands)."""
    row = session.get(WorkspaceState, (platform, workspace_id))
    if row is None or _blocked(row).stands_after(verified_at):
        return None
    cleared = _blocked(row)
    session.delete(row)
    session.flush()
    return cleared


def _blocked(row: WorkspaceState) -> Blocked:
    return Blocked(row.platform, row.workspace_id, row.state, row.reason, row.changed_at)
