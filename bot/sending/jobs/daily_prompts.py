"""daily-prompts: the check-in prompt to every partner at the programme's check-in time."""

from __future__ import annotations

from datetime import datetime

from bot.checkin.prompts import Prompt, checkin_scopes, not_yet_answered
from bot.sending.jobs import notices
from bot.sending.jobs.base import JobContext, JobResult, begin, done_at_this_version, finish
from bot.sending.jobs.fanout import Send, fan_out
from bot.sending.ports import Recipient
from models.db import session_scope
from models.tables import Member, Programme, row_id

JOB = "daily-prompts"


def recipient(member: Member) -> Recipient:
    return Recipient(
        member_id=row_id(member),
        platform=member.platform,
        user_id=member.platform_user_id,
        name=member.name,
    )


def run_daily_prompts(ctx: JobContext, programme: Programme, now: datetime) -> JobResult:
    result = begin(JOB, programme, now, programme.checkin_time)
    if result.note:
        return result
    done, version = done_at_this_version(ctx, programme, result)
    if done:
        if result.failed:
            notices.say(ctx, programme, result, now)
        return result
    today = result.local_date
    with session_scope(ctx.engine) as session:
        waiting, answered = not_yet_answered(session, row_id(programme), today)
        scopes = checkin_scopes(session, waiting)
    if answered:
        result.skipped["checked in already"] += len(answered)
    sends = [Send(recipient(m), Prompt("prompt", scopes[row_id(m)], today)) for m in waiting]
    fan_out(ctx, result, row_id(programme), sends, now)
    notices.tell(ctx, programme, result, now)
    finish(ctx, programme, result, version, now)
    return result
