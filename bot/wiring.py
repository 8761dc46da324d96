"""The composition root for scheduled sending: which messenger serves which platform.
Like bot/server.py and bot/cli.py, the one kind of module in bot/ that may import handlers/."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import Engine

from bot.checkin import CheckinResult
from bot.config import Settings
from bot.jobs.base import JobContext
from bot.ports import Messenger


def build_messengers(settings: Settings, engine: Engine) -> dict[str, Messenger]:
    messengers: dict[str, Messenger] = {}
    if settings.slack_bot_token:
        from handlers.slack.messenger import SlackMessenger, sync_client

        messengers["slack"] = SlackMessenger(sync_client(settings))
    if settings.teams_enabled:
        from handlers.teams.messenger import TeamsMessenger

        messengers["teams"] = TeamsMessenger(settings, engine)
    return messengers


def checkin_hook(settings: Settings, engine: Engine) -> Callable[[CheckinResult, datetime], object]:
    """What the web process does after a check-in is stored: when it reports a service at the
    alert level, scan the programme's risks and escalate at once. The messengers are built on
    first use and then shared."""
    lock = threading.Lock()
    built: list[JobContext] = []

    def context() -> JobContext:
        with lock:
            if not built:
                built.append(JobContext(engine=engine, messengers=build_messengers(settings, engine), workers=4))
            return built[0]

    def after_checkin(result: CheckinResult, now: datetime) -> object:
        from bot.jobs.risk_scan import scan_after_checkin

        return scan_after_checkin(context(), result, now)

    return after_checkin


def folder_messengers(out_dir: Path) -> dict[str, Messenger]:
    """For `winterbot demo`: every message written into the folder as Slack would get it."""
    from handlers.slack.folder import FolderMessenger

    return {"slack": FolderMessenger(out_dir)}
