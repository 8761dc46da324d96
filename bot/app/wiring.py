"""The composition root for scheduled sending: which messenger serves which platform.
Like bot/app/server.py and bot/app/cli.py, the one kind of module in bot/ that may import handlers/."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import datetime

from sqlalchemy.engine import Engine

from bot.common.config import Settings
from bot.sending.jobs.base import JobContext
from bot.sending.ports import Messenger


def build_context(settings: Settings, engine: Engine, workers: int = 8) -> JobContext:
    """What the clock, `run-job` and the web process's hooks send with. With one bot token
    (SLACK_BOT_TOKEN) every programme shares the one Slack messenger; installed through OAuth
    (SLACK_CLIENT_ID, SLACK_CLIENT_SECRET) there is none to share: a job bound to its programme
    gets a messenger with its workspace's own token (handlers.slack.workspaces), and a programme
    whose workspace has not installed the app gets none."""
    if not settings.slack_oauth:
        return JobContext(engine=engine, messengers=build_messengers(settings, engine), workers=workers)
    from handlers.slack.workspaces import SlackWorkspaces

    shared = build_messengers(replace(settings, slack_bot_token=None), engine)
    return JobContext(engine=engine, messengers=shared, workers=workers, bind=SlackWorkspaces(settings, engine).bind)


def build_messengers(settings: Settings, engine: Engine) -> dict[str, Messenger]:
    """The messengers every programme shares. In OAuth mode Slack's is not among them (build_context)."""
    messengers: dict[str, Messenger] = {}
    if settings.slack_bot_token and not settings.slack_oauth:
        from handlers.slack.messenger import SlackMessenger, sync_client

        messengers["slack"] = SlackMessenger(
            sync_client(settings), engine=engine, posts_per_second=settings.slack_posts_per_second
        )
    if settings.teams_enabled:
        from handlers.teams.messenger import TeamsMessenger

        messengers["teams"] = TeamsMessenger(settings, engine)
    if settings.notify_enabled:
        from handlers.notify.messenger import NotifyMessenger, notify_client
        from handlers.notify.pace import pace_for

        client, pace = notify_client(settings), pace_for(settings.notify_api_key, engine)
        for platform in ("email", "sms"):
            messengers[platform] = NotifyMessenger(platform, client, settings, pace)
    return messengers


class WebHooks:
    """What the web process does after a platform's listener has stored a change to a risk:
    update its escalation posts on the other platforms. (After a check-in it does nothing: the
    clock's watch scans the risks, outside any request.) The messengers are built on first use
    and then shared."""

    def __init__(self, settings: Settings, engine: Engine) -> None:
        self._settings, self._engine = settings, engine
        self._lock = threading.Lock()
        self._built: list[JobContext] = []

    def _context(self) -> JobContext:
        with self._lock:
            if not self._built:
                self._built.append(build_context(self._settings, self._engine, workers=4))
            return self._built[0]

    def after_risk_change(self, risk_id: int, platform: str, now: datetime) -> int:
        """The number of other platforms' copies updated."""
        from bot.risks.listing import risk_view
        from bot.sending.escalations import sent_copies
        from models.db import session_scope
        from models.tables import Risk

        with session_scope(self._engine) as session:
            found = session.get(Risk, risk_id)
            if found is None:
                return 0
            ctx = self._context().for_programme(found.programme_id)
            copies = [
                c for c in sent_copies(session, risk_id) if c.platform != platform and c.platform in ctx.messengers
            ]
            risk = risk_view(session, risk_id, now) if copies else None
        for copy in copies:
            assert risk is not None
            ctx.messengers[copy.platform].update_risk(copy.reference, risk)
        return len(copies)
