"""weekly-digest: the week's digest in the programme channel (on Slack, on Teams, or both),
with the burn-up chart, and one to each member reached by email or text message.

Due on the programme's digest weekday at its digest time; when that day is a bank holiday,
on the next working day (bot.reports.digest.digest_day). The first message (spend) is followed by the
chart, then the rest; each is a key in the delivery ledger
(`{slug}:weekly-digest:{platform}:{channel}:part{n}:{date}`, the chart `...:chart:{date}`),
posted in order, so a digest run twice posts once and a failed upload is retried.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import col, select

from bot.reports.digest import compose_digest, digest_day, is_digest_day
from bot.sending.escalations import NOTIFY_PLATFORMS, programme_destinations, target
from bot.sending.jobs.base import JobContext, JobResult, begin
from bot.sending.jobs.daily_brief import deliver_each_in_order, part_key, report_due, report_outgoing
from bot.sending.jobs.fanout import Outgoing
from bot.sending.ports import Destination
from models.db import session_scope
from models.tables import Member, Programme, row_id

JOB = "weekly-digest"


def run_weekly_digest(ctx: JobContext, programme: Programme, now: datetime) -> JobResult:
    result = begin(JOB, programme, now, programme.digest_time)
    today = result.local_date
    waiting = result.note is None or result.note.startswith("nothing sent: not due")
    if waiting and not is_digest_day(programme, today):
        result.note = f"nothing sent: the digest goes on {digest_day(programme, today + timedelta(days=7)):%a %d %b}"
    destinations = [*programme_destinations(programme), *_people_by_notify(ctx, programme)]
    digest = report_due(
        ctx,
        programme,
        result,
        destinations,
        "channel and nobody reached by email or text",
        lambda session: compose_digest(session, programme, today),
    )
    if digest is None:
        return result
    result.summary = f"the digest of {digest.week_from:%a %d %b} to {today:%a %d %b}"
    batches = []
    for destination in destinations:
        items = report_outgoing(ctx, result, destination, digest)
        if items is None:
            continue
        if digest.chart_png and destination.is_channel:
            items.insert(1, _chart(result, destination, digest.chart_png, digest.chart_title))
        batches.append(items)
    deliver_each_in_order(ctx, result, row_id(programme), batches, now)
    return result


def _people_by_notify(ctx: JobContext, programme: Programme) -> list[Destination]:
    """Members reached by email or text have no channel: each is sent the digest of their own."""
    with session_scope(ctx.engine) as session:
        people = session.exec(
            select(Member)
            .where(
                Member.programme_id == row_id(programme),
                col(Member.platform).in_(sorted(NOTIFY_PLATFORMS)),
                col(Member.archived_at).is_(None),
            )
            .order_by(col(Member.id))
        ).all()
        return [Destination(m.platform, m.platform_user_id, row_id(m)) for m in people]


def _chart(result: JobResult, destination: Destination, png: bytes, title: str) -> Outgoing:
    return Outgoing(
        key=part_key(result, destination, "chart"),
        platform=destination.platform,
        send=lambda m, key: m.upload_chart(destination, png, title, key),
        find=lambda m, key: m.find_upload(destination, key),
        target=target(destination),
    )
