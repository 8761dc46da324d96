"""Is the app still installed where this messenger sends?

The messenger learns its workspace from auth.test (no scope needed) the first time it sends, and
then, before each call to Slack, looks (at most every LOOK_AGAIN) for a mark left by an
`app_uninstalled` or `tokens_revoked` event (bot.people.workspaces). A mark made after the token was
last seen working stops every send with a permanent SendError that says when and what to do, so
a fan-out gives up at once instead of being refused three hundred times. The mark clears when
the token is seen working again after it: auth.test is tried again at most every REVERIFY once
the mark is that old (a reinstall that kept the token), and a process started with a new token
verifies it on its first send.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.engine import Engine

from bot.people.workspaces import UNINSTALLED, Blocked, blocked, reinstalled
from bot.sending.ports import SendError
from handlers.slack.api_errors import refusal
from models.db import read_scope, session_scope
from models.vocabulary import Platform

log = logging.getLogger(__name__)

LOOK_AGAIN = timedelta(seconds=2)  # a fan-out under way stops within this of the event
REVERIFY = timedelta(minutes=5)
LONDON = ZoneInfo("Europe/London")

Now = Callable[[], datetime]


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Installation:
    def __init__(self, client: WebClient, engine: Engine | None, now: Now = _utcnow) -> None:
        self.client, self.engine, self._now = client, engine, now
        self._lock = threading.Lock()
        self.team_id: str | None = None
        self.verified_at: datetime | None = None
        self._tried_at: datetime | None = None
        self._token_error: SendError | None = None
        self._mark: Blocked | None = None
        self._looked_at: datetime | None = None

    def check(self) -> None:
        """Return when sending may go ahead; raise SendError (permanent: the token is dead or the
        workspace is marked) when it may not. Without a database there is nothing to look up."""
        if self.engine is None:
            return
        with self._lock:
            now = self._now()
            if self.team_id is None:
                self._verify(now)
            mark = self._look(now)
            if mark is not None and mark.stands_after(self.verified_at) and self._reverify_due(now, mark):
                self._try_verify(now)
            if mark is None:
                return
            if mark.stands_after(self.verified_at):
                raise SendError(explain(mark), permanent=True)
            self._clear(mark)

    def _verify(self, now: datetime) -> None:
        if self._token_error is not None and self._tried_at is not None and now - self._tried_at < REVERIFY:
            raise SendError(str(self._token_error), permanent=True)
        self._tried_at = now
        try:
            response = self.client.auth_test()
        except SlackApiError as error:
            data = error.response.data if error.response is not None else None
            body = data if isinstance(data, dict) else {}
            failure = refusal(str(body.get("error", "unknown_error")), body, "auth.test")
            self._token_error = failure if failure.permanent else None
            raise failure from error
        except OSError as error:
            raise SendError(f"could not reach Slack: {type(error).__name__}") from error
        self._token_error = None
        self.team_id, self.verified_at = str(response["team_id"]), now

    def _try_verify(self, now: datetime) -> None:
        with contextlib.suppress(SendError):  # still refused: the mark stands
            self._verify(now)

    def _reverify_due(self, now: datetime, mark: Blocked) -> bool:
        recent = self._tried_at is not None and now - self._tried_at < REVERIFY
        return now - mark.changed_at >= REVERIFY and not recent

    def _look(self, now: datetime) -> Blocked | None:
        if self._looked_at is None or now - self._looked_at >= LOOK_AGAIN:
            assert self.engine is not None and self.team_id is not None
            team = self.team_id
            with read_scope(self.engine) as session:
                self._mark = blocked(session, Platform.SLACK, team)
            self._looked_at = now
        return self._mark

    def _clear(self, mark: Blocked) -> None:
        assert self.engine is not None and self.verified_at is not None
        with session_scope(self.engine) as session:
            cleared = reinstalled(session, Platform.SLACK, mark.workspace_id, self.verified_at)
        self._mark = None
        if cleared is not None:
            log.warning(
                "Slack workspace %s: the app's token works again (it was %s on %s): sending resumes",
                mark.workspace_id,
                mark.state,
                _when(mark.changed_at),
            )


def explain(mark: Blocked) -> str:
    """What a job reports for each send it did not make."""
    if mark.state == UNINSTALLED:
        what = f"the app was uninstalled from this workspace ({mark.workspace_id}) on {_when(mark.changed_at)}"
    else:
        what = f"the app's tokens were revoked in this workspace ({mark.workspace_id}) on {_when(mark.changed_at)}"
    return f"{what}: reinstall it from manifest.yaml"


def _when(at: datetime) -> str:
    local = at.astimezone(LONDON)
    return f"{local.day} {local:%B %Y} at {local:%H:%M}"
