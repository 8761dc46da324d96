"""Saying plainly what could not be sent, and why.

After a fan-out of prompts or reminders, the job's keys of the day are counted: how many are
still failing (and since when, and what the platform said), how many went out late. While some
are failing the job's line says so (the clock's log, `winterbot run-job`), and once a send has
been failing for NOTICE_AFTER the leads' channel is told, once a day a job, under its own key
in the delivery ledger (`{slug}:send-notice:{job}:{platform}:{channel}:{date}`). The words are
written when the notice is posted: if Slack was down, the notice goes when it is back, and
then says the prompts went out late.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlmodel import col

from bot.common.calendar import local_now
from bot.sending.deliveries import GAVE_UP, delivery_key, ledger, retry_until
from bot.sending.escalations import leads_destinations, target
from bot.sending.jobs.base import JobContext, JobResult
from bot.sending.jobs.fanout import Outgoing, deliver
from bot.sending.ports import Destination
from models.db import session_scope
from models.tables import Delivery, Programme
from models.vocabulary import DeliveryState

JOB = "send-notice"
NOTICE_AFTER = timedelta(minutes=30)
NOUNS = {"daily-prompts": "prompts", "reminders": "reminders"}

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Standing:
    """The day's keys of one job, as the notice tells them."""

    total: int
    failing: int  # not sent, and an attempt failed
    retrying: int  # of those, still to be tried again
    late: int  # sent, NOTICE_AFTER or more after first planned
    since: datetime | None  # the first planned of those failing, or else of those late
    reason: str | None  # what the platform said most often about those failing
    overdue: bool  # a key still to be retried has been failing for NOTICE_AFTER


def standing(ctx: JobContext, programme: Programme, result: JobResult, now: datetime) -> Standing:
    with session_scope(ctx.engine) as session:
        rows = session.execute(
            select(
                col(Delivery.state),
                col(Delivery.attempts),
                col(Delivery.created_at),
                col(Delivery.sent_at),
                col(Delivery.last_error),
            ).where(
                col(Delivery.programme_id) == programme.id,
                col(Delivery.job) == result.job,
                col(Delivery.local_date) == result.local_date,
                col(Delivery.key).startswith(f"{programme.slug}:{result.job}:", autoescape=True),
            )
        ).all()
    failing = [r for r in rows if r[0] != DeliveryState.SENT.value and r[4]]
    late = [r for r in rows if r[0] == DeliveryState.SENT.value and r[3] and r[3] - r[2] >= NOTICE_AFTER]
    retrying = [r for r in failing if r[1] < GAVE_UP]
    firsts = [r[2] for r in (failing or late)]
    reasons = Counter(r[4] for r in failing)
    return Standing(
        total=len(rows),
        failing=len(failing),
        retrying=len(retrying),
        late=len(late),
        since=min(firsts) if firsts else None,
        reason=reasons.most_common(1)[0][0] if reasons else None,
        overdue=any(now - r[2] >= NOTICE_AFTER for r in retrying),
    )


def wording(programme: Programme, result: JobResult, now: datetime, found: Standing) -> str | None:
    """One sentence for the leads and the on-call engineer, or None when all went on time."""
    noun = NOUNS.get(result.job, "messages")
    if found.since is None:
        return None
    since = f"{local_now(found.since, programme.timezone):%H:%M}"
    if found.failing:
        head = f"{found.failing} of {found.total} {noun} could not be sent since {since}: {found.reason}."
        if not found.retrying:
            return f"{head} winterbot has stopped trying for today."
        until = local_now(retry_until(result.local_date, programme.timezone, found.since), programme.timezone)
        return f"{head} winterbot keeps trying until {'the end of the day' if until.hour == 0 else f'{until:%H:%M}'}."
    if found.late:
        return (
            f"{found.late} of {found.total} {noun} went out late: they could not be sent from {since} "
            f"until {local_now(now, programme.timezone):%H:%M}. All have gone now."
        )
    return None


def say(ctx: JobContext, programme: Programme, result: JobResult, now: datetime) -> tuple[Standing, str | None]:
    """Put what could not be sent into the job's line and the log; returns the standing and its words."""
    found = standing(ctx, programme, result, now)
    words = wording(programme, result, now, found)
    if words is not None and found.failing:
        result.warning = words
        log.warning("%s %s: %s", result.job, programme.slug, words)
    return found, words


def tell(ctx: JobContext, programme: Programme, result: JobResult, now: datetime) -> None:
    """Say what could not be sent; tell the leads once, when a send has been failing a while."""
    assert programme.id is not None
    if not (result.sent or result.retrying or result.failed):
        return
    found, words = say(ctx, programme, result, now)
    if words is None:
        return
    outgoing = [_notice(programme, result, d, words) for d in leads_destinations(programme)]
    if found.overdue or ledger(ctx.engine, [o.key for o in outgoing]).waiting:
        sending = JobResult(job=JOB, programme=programme.slug, local_date=result.local_date)
        deliver(ctx, sending, programme.id, outgoing, now)


def _notice(programme: Programme, result: JobResult, destination: Destination, words: str) -> Outgoing:
    return Outgoing(
        key=delivery_key(programme.slug, JOB, f"{result.job}:{target(destination)}", result.local_date),
        platform=destination.platform,
        send=lambda m, key: m.post_notice(destination, words, key),
        find=lambda m, key: m.find_posted(destination, key),
        target=target(destination),
    )
