"""reminders: a nudge at the reminder time to partners who were prompted and have not answered."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from bot.sending.deliveries import delivery_key
from bot.sending.jobs.base import JobContext, JobResult
from bot.sending.jobs.daily_prompts import JOB as PROMPTS
from bot.sending.jobs.prompting import prompt_unanswered
from models.tables import Delivery, Member, Programme
from models.vocabulary import DeliveryState

JOB = "reminders"
GAP = timedelta(hours=1)  # a prompt sent late (after downtime) is not chased at once


def run_reminders(ctx: JobContext, programme: Programme, now: datetime) -> JobResult:
    def chase(session: Session, result: JobResult, waiting: list[Member]) -> list[Member]:
        return _to_chase(session, programme, result, waiting, now)

    return prompt_unanswered(ctx, programme, now, JOB, programme.reminder_time, "reminder", "answered", chase)


def _to_chase(
    session: Session, programme: Programme, result: JobResult, waiting: list[Member], now: datetime
) -> list[Member]:
    """Those prompted today at least GAP ago; the others are counted as skipped."""
    today = result.local_date
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
    return chase
