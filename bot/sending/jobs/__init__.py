"""Scheduled jobs. Each runs once for one programme as if at an instant, and may run
again at the same instant without sending anything twice."""

from __future__ import annotations

from collections.abc import Callable

from bot.sending.jobs.base import JobContext, JobResult
from bot.sending.jobs.blocker_replies import run_blocker_replies
from bot.sending.jobs.daily_brief import run_daily_brief
from bot.sending.jobs.daily_prompts import run_daily_prompts
from bot.sending.jobs.notify_failures import run_notify_failures
from bot.sending.jobs.reminders import run_reminders
from bot.sending.jobs.risk_scan import run_risk_scan
from bot.sending.jobs.weekly_digest import run_weekly_digest

JobFunction = Callable[..., JobResult]

JOBS: dict[str, JobFunction] = {
    "daily-prompts": run_daily_prompts,
    "reminders": run_reminders,
    "risk-scan": run_risk_scan,
    "daily-brief": run_daily_brief,
    "weekly-digest": run_weekly_digest,
    "blocker-reply": run_blocker_replies,
    "notify-failure": run_notify_failures,
}

__all__ = ["JOBS", "JobContext", "JobResult"]
