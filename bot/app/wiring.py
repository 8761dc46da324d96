"""The composition root for scheduled sending: which messenger serves which platform.
Like bot/app/server.py and bot/app/cli.py, the one kind of module in bot/ that may import handlers/."""

from __future__ import annotations

import threading
from datetime import datetime

from sqlalchemy.engine import Engine

from bot.common.config import Settings
from bot.sending.jobs.base import JobContext
from bot.sending.ports import Messenger


def build_messengers(settings: Settings, engine: Engine) -> dict[str, Messenger]:
    messengers: dict[str, Messenger] = {}
    if settings.slack_bot_token:
        from handlers.slack.messenger import SlackMessenger, sync_client

        messengers["slack"] = SlackMessenger(sync_client(settings), engine=engine)
    if settings.teams_enabled:
        from handlers.teams.messenger import TeamsMessenger

        messengers["teams"] = TeamsMessenger(settings, engine)
    if settings.notify_enabled:
        from handlers.notify.messenger import NotifyMessenger, notify_client
        from handlers.notify.pace import Pace

        client, pace = notify_client(settings), Pace()
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
                messengers = build_messengers(self._settings, self._engine)
                self._built.append(JobContext(engine=self._engine, messengers=messengers, workers=4))
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
