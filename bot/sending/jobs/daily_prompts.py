"""daily-prompts: the check-in prompt to every partner at the programme's check-in time."""

from __future__ import annotations

from datetime import datetime

from bot.common.definitions import PROMPT_JOB
from bot.sending.jobs.base import JobContext, JobResult
from bot.sending.jobs.prompting import prompt_unanswered
from models.tables import Programme

JOB = PROMPT_JOB


def run_daily_prompts(ctx: JobContext, programme: Programme, now: datetime) -> JobResult:
    return prompt_unanswered(ctx, programme, now, JOB, programme.checkin_time, "prompt", "checked in already")
