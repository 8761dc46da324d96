"""daily-prompts: the check-in prompt to every partner at the programme's check-in time."""

from __future__ import annotations

from datetime import datetime

from bot.calendar import local_date
from bot.jobs.base import JobContext, JobResult, not_due
from bot.jobs.fanout import Send, fan_out
from bot.ports import Recipient
from bot.prompts import Prompt, answered_today, checkin_scopes, prompted_members
from models.db import session_scope
from models.tables import Member, Programme

JOB = "daily-prompts"


def recipient(member: Member) -> Recipient:
    return Recipient(
        member_id=member.id,  # type: ignore[arg-type]
        platform=member.platform,
        user_id=member.platform_user_id,
        name=member.name,
    )


def run_daily_prompts(ctx: JobContext, programme: Programme, now: datetime) -> JobResult:
    stop = not_due(JOB, programme, now, programme.checkin_time)
    if stop is not None:
        return stop
    today = local_date(now, programme.timezone)
    result = JobResult(job=JOB, programme=programme.slug, local_date=today)
    with session_scope(ctx.engine) as session:
        members = prompted_members(session, programme.id, today)  # type: ignore[arg-type]
        answered = answered_today(session, programme.id, today)  # type: ignore[arg-type]
        waiting = [m for m in members if m.id not in answered]
        scopes = checkin_scopes(session, waiting)
    if len(waiting) < len(members):
        result.skipped["checked in already"] += len(members) - len(waiting)
    sends = [Send(recipient(m), Prompt("prompt", scopes[m.id], today)) for m in waiting]  # type: ignore[index]
    return fan_out(ctx, result, programme.id, sends, now)  # type: ignore[arg-type]
