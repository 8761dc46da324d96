"""daily-brief: the leads' brief in their channel at the programme's brief time, working days.

A long brief is several messages, each its own key in the delivery ledger
(`{slug}:daily-brief:{platform}:{channel}:part{n}:{date}`), posted in order: a part that
fails is retried on a later tick and the parts after it wait for it, so a rerun posts only
what is missing and the brief reads in order. Once every key of the day is settled the job
says so without composing the brief again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TypeVar

from sqlmodel import Session

from bot.reports.brief import compose_brief
from bot.sending.deliveries import Planned, delivery_key, ledger, plan
from bot.sending.escalations import leads_destinations, target
from bot.sending.jobs.base import JobContext, JobResult, begin, count_settled
from bot.sending.jobs.fanout import Outgoing, deliver
from bot.sending.ports import Destination, Messenger, Report
from models.db import session_scope
from models.tables import Programme, row_id

JOB = "daily-brief"
R = TypeVar("R")
WAITING = "waiting for an earlier part"


def run_daily_brief(ctx: JobContext, programme: Programme, now: datetime) -> JobResult:
    result = begin(JOB, programme, now, programme.brief_time)
    destinations = leads_destinations(programme)
    brief = report_due(
        ctx,
        programme,
        result,
        destinations,
        "leads' channel or channel",
        lambda session: compose_brief(session, programme, result.local_date),
    )
    if brief is None:
        return result
    result.summary = f"the brief on {brief.day:%a %d %b}"
    batches = [items for d in destinations if (items := report_outgoing(ctx, result, d, brief)) is not None]
    deliver_each_in_order(ctx, result, row_id(programme), batches, now)
    return result


def report_due(
    ctx: JobContext,
    programme: Programme,
    result: JobResult,
    destinations: list[Destination],
    channel: str,
    compose: Callable[[Session], R],
) -> R | None:
    """The report composed, or None when there is nothing to do: the job is not due (the result's
    note says why), the programme has no `channel` to send it to (the note says so), or every
    key of the day is settled already."""
    if result.note:
        return None
    if not destinations:
        result.note = f"nothing sent: the programme has no {channel}"
        return None
    if settled(ctx, row_id(programme), result):
        return None
    with session_scope(ctx.engine) as session:
        return compose(session)


def part_key(result: JobResult, destination: Destination, part: str) -> str:
    return delivery_key(result.programme, result.job, f"{target(destination)}:{part}", result.local_date)


def report_outgoing(
    ctx: JobContext, result: JobResult, destination: Destination, report: Report
) -> list[Outgoing] | None:
    """One Outgoing per message of the report on the destination's platform (None and a
    skip when the platform is not configured)."""
    messenger = ctx.messengers.get(destination.platform)
    if messenger is None:
        result.skipped[f"{destination.platform} is not configured"] += 1
        return None
    return [
        Outgoing(
            key=part_key(result, destination, f"part{index + 1}"),
            platform=destination.platform,
            send=_post_part(destination, report, index),
            find=lambda m, key: m.find_posted(destination, key),
            target=target(destination),
        )
        for index in range(messenger.report_parts(report))
    ]


def deliver_in_order(
    ctx: JobContext, result: JobResult, programme_id: int, items: Sequence[Outgoing], now: datetime
) -> JobResult:
    """Every key planned first (so a crash between parts leaves the rest visibly unsent), then
    each sent in turn; a part waiting to be retried holds back the parts after it."""
    if not items:
        return result
    plan(
        ctx.engine,
        programme_id,
        result.job,
        result.local_date,
        [Planned(i.key, i.member_id, i.target) for i in items],
        now,
    )
    for index, item in enumerate(items):
        deliver(ctx, result, programme_id, [item], now)
        if item.key in ledger(ctx.engine, [item.key]).waiting:
            rest = len(items) - index - 1
            if rest:
                result.skipped[WAITING] += rest
            break
    return result


def deliver_each_in_order(
    ctx: JobContext, result: JobResult, programme_id: int, batches: Sequence[Sequence[Outgoing]], now: datetime
) -> JobResult:
    """Every destination's keys planned before any is sent, then each destination's messages in
    order: a process that stops after the first destination leaves the others' keys unsent, for
    the next run to send, rather than no keys at all, which would read as settled."""
    everything = [item for batch in batches for item in batch]
    if everything:
        plan(
            ctx.engine,
            programme_id,
            result.job,
            result.local_date,
            [Planned(i.key, i.member_id, i.target) for i in everything],
            now,
        )
    for batch in batches:
        deliver_in_order(ctx, result, programme_id, batch, now)
    return result


def settled(ctx: JobContext, programme_id: int, result: JobResult) -> bool:
    """True when the job's keys for the day exist and are all sent or given up on: then the
    result counts them and nothing is composed or sent."""
    with session_scope(ctx.engine) as session:
        return count_settled(session, programme_id, result)


def _post_part(destination: Destination, report: Report, index: int) -> Callable[[Messenger, str], str]:
    return lambda messenger, key: messenger.post_report(destination, report, index, key)
