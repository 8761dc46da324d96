"""reminders: a nudge at the reminder time to partners who were prompted and have not answered."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import col, select

from bot.checkin.prompts import Prompt, checkin_scopes, not_yet_answered
from bot.sending.deliveries import delivery_key
from bot.sending.jobs import notices
from bot.sending.jobs.base import JobContext, JobResult, begin, done_at_this_version, finish
from bot.sending.jobs.daily_prompts import JOB as PROMPTS
from bot.sending.jobs.daily_prompts import recipient
from bot.sending.jobs.fanout import Send, fan_out
from models.db import session_scope
from models.tables import Delivery, Programme, row_id
from models.vocabulary import DeliveryState

JOB = "reminders"
GAP = timedelta(hours=1)  # a prompt sent late (after downtime) is not chased at once


def run_reminders(ctx: JobContext, programme: Programme, now: datetime) -> JobResult:
    result = begin(JOB, programme, now, programme.reminder_time)
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
        if answered:
            result.skipped["answered"] += len(answered)
        prompted_at = dict(
            session.exec(
                select(Delivery.key, Delivery.sent_at).where(
                    Delivery.programme_id == programme.id,
                    Delivery.job == PROMPTS,
                    Delivery.local_date == today,
                    Delivery.state == DeliveryState.SENT.value,
                    col(Delivery.sent_at).is_not(None),
                )
            ).all()
        )
        chase = []
        for member in waiting:
            sent_at = prompted_at.get(delivery_key(programme.slug, PROMPTS, f"m{member.id}", today))
            if sent_at is None:
                result.skipped["no prompt sent today"] += 1
            elif now - sent_at < GAP:
                result.skipped["prompted under an hour ago"] += 1
            else:
                chase.append(member)
        scopes = checkin_scopes(session, chase)
    sends = [Send(recipient(m), Prompt("reminder", scopes[row_id(m)], today)) for m in chase]
    fan_out(ctx, result, row_id(programme), sends, now)
    notices.tell(ctx, programme, result, now)
    finish(ctx, programme, result, version, now)
    return result
