"""Scheduled jobs. Each runs once for one programme as if at an instant, and may run
again at the same instant without sending anything twice."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.sending.jobs.base import JobContext, JobResult
from bot.sending.jobs.blocker_replies import run_blocker_replies
from bot.sending.jobs.daily_brief import run_daily_brief
from bot.sending.jobs.daily_prompts import run_daily_prompts
from bot.sending.jobs.notify_failures import run_notify_failures
from bot.sending.jobs.reminders import run_reminders
from bot.sending.jobs.risk_scan import run_risk_scan
from bot.sending.jobs.weekly_digest import run_weekly_digest
from bot.sending.jobs.words_retention import run_words_retention
from models.tables import Programme, row_id

JobFunction = Callable[[JobContext, Programme, datetime], JobResult]


def _bound(job: JobFunction) -> JobFunction:
    """The job run with the context bound to its programme (its workspace's messengers)."""

    def run(ctx: JobContext, programme: Programme, now: datetime) -> JobResult:
        return job(ctx.for_programme(row_id(programme)), programme, now)

    run.__name__ = run.__qualname__ = job.__name__
    return run


JOBS: dict[str, JobFunction] = {
    name: _bound(job)
    for name, job in {
        "daily-prompts": run_daily_prompts,
        "reminders": run_reminders,
        "risk-scan": run_risk_scan,
        "daily-brief": run_daily_brief,
        "weekly-digest": run_weekly_digest,
        "blocker-reply": run_blocker_replies,
        "notify-failure": run_notify_failures,
        "words-retention": run_words_retention,
    }.items()
}

__all__ = ["JOBS", "JobContext", "JobResult"]
