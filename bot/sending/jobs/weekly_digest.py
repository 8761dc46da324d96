"""weekly-digest: the week's digest in the programme channel (on Slack, on Teams, or both),
with the burn-up chart.

Due on the programme's digest weekday at its digest time; when that day is a bank holiday,
on the next working day (bot.reports.digest.digest_day). The first message (spend) is followed by the
chart, then the rest; each is a key in the delivery ledger
(`{slug}:weekly-digest:{platform}:{channel}:part{n}:{date}`, the chart `...:chart:{date}`),
posted in order, so a digest run twice posts once and a failed upload is retried.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.reports.digest import compose_digest, digest_day, is_digest_day
from bot.sending.escalations import programme_destinations, target
from bot.sending.jobs.base import JobContext, JobResult, begin
from bot.sending.jobs.daily_brief import deliver_in_order, part_key, report_due, report_outgoing
from bot.sending.jobs.fanout import Outgoing
from bot.sending.ports import Destination
from models.tables import Programme, row_id

JOB = "weekly-digest"


def run_weekly_digest(ctx: JobContext, programme: Programme, now: datetime) -> JobResult:
    result = begin(JOB, programme, now, programme.digest_time)
    today = result.local_date
    waiting = result.note is None or result.note.startswith("nothing sent: not due")
    if waiting and not is_digest_day(programme, today):
        result.note = f"nothing sent: the digest goes on {digest_day(programme, today + timedelta(days=7)):%a %d %b}"
    destinations = programme_destinations(programme)
    digest = report_due(
        ctx, programme, result, destinations, "channel", lambda session: compose_digest(session, programme, today)
    )
    if digest is None:
        return result
    result.summary = f"the digest of {digest.week_from:%a %d %b} to {today:%a %d %b}"
    for destination in destinations:
        items = report_outgoing(ctx, result, destination, digest)
        if items is None:
            continue
        if digest.chart_png:
            items.insert(1, _chart(result, destination, digest.chart_png, digest.chart_title))
        deliver_in_order(ctx, result, row_id(programme), items, now)
    return result


def _chart(result: JobResult, destination: Destination, png: bytes, title: str) -> Outgoing:
    return Outgoing(
        key=part_key(result, destination, "chart"),
        platform=destination.platform,
        send=lambda m, key: m.upload_chart(destination, png, title, key),
        find=lambda m, key: m.find_upload(destination, key),
        target=target(destination),
    )
