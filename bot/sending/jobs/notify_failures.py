"""notify-failure: the programme's admins are told when Notify could not deliver an email or a
text for good (a permanent failure in its receipt), naming the member and what to put right.

Run by the clock's watch and by `winterbot run-job notify-failure`. Each failed message is one key
in the delivery ledger (`{slug}:notify-failure:n{receipt}:{destination}`), so the admins are told
once, however often the watch runs; a receipt is marked reported once every notice of it is sent.
Admins in Slack or Teams are told in their DMs; with none there, the leads' channel is.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlmodel import Session, col, select

from bot.common.calendar import local_date
from bot.sending.deliveries import ledger
from bot.sending.escalations import NOTIFY_PLATFORMS, leads_destinations, target
from bot.sending.jobs.base import JobContext, JobResult
from bot.sending.jobs.fanout import Outgoing, deliver
from bot.sending.ports import Destination
from bot.sending.receipts import FAILURE_WORDS, PERMANENT_FAILURE
from models.db import session_scope
from models.tables import Delivery, Member, NotifyReceipt, Programme, row_id
from models.vocabulary import Role

log = logging.getLogger(__name__)

JOB = "notify-failure"
WHAT = {"daily-prompts": "check-in prompt", "reminders": "reminder", "weekly-digest": "weekly digest"}


def run_notify_failures(ctx: JobContext, programme: Programme, now: datetime) -> JobResult:
    result = JobResult(job=JOB, programme=programme.slug, local_date=local_date(now, programme.timezone))
    with session_scope(ctx.engine) as session:
        due = failures_due(session, programme, frozenset(ctx.messengers))
    outgoing = [item for _, items in due for item in items]
    if outgoing:
        deliver(ctx, result, row_id(programme), outgoing, now, same_day=False)
    _mark_reported(ctx, due, now)
    return result


def failures_due(session: Session, programme: Programme, reachable: frozenset[str]) -> list[tuple[int, list[Outgoing]]]:
    """For each permanent failure not yet reported, the notices telling the admins of it, on the
    platforms this process can send to (none at all: the receipt is marked reported, and logged)."""
    rows = session.exec(
        select(NotifyReceipt, Delivery)
        .join(Delivery, col(Delivery.key) == col(NotifyReceipt.reference))
        .where(
            NotifyReceipt.status == PERMANENT_FAILURE,
            col(NotifyReceipt.reported_at).is_(None),
            Delivery.programme_id == row_id(programme),
        )
        .order_by(col(NotifyReceipt.id))
    ).all()
    if not rows:
        return []
    admins = [d for d in _admins(session, programme, reachable) if d.platform in reachable]
    if not admins:
        log.warning("%s: %d undelivered emails or texts, and no admin or channel to tell", programme.slug, len(rows))
    ids = {d.member_id for _, d in rows if d.member_id is not None}
    people = {m.id: m for m in session.exec(select(Member).where(col(Member.id).in_(ids)))} if ids else {}
    out = []
    for receipt, delivery in rows:
        text = failure_sentence(receipt, delivery, people.get(delivery.member_id))
        out.append((row_id(receipt), [_notice(programme, row_id(receipt), d, text) for d in admins]))
    return out


def failure_sentence(receipt: NotifyReceipt, delivery: Delivery, member: Member | None) -> str:
    what = WHAT.get(delivery.job, "message")
    way = "email" if receipt.notification_type == "email" else "text message"
    field = "email" if receipt.notification_type == "email" else "mobile"
    who = member.name if member is not None else "a member"
    return (
        f"The {what} of {delivery.local_date:%a %d %b} to {who} by {way} could not be delivered: "
        f"{FAILURE_WORDS.get(receipt.notification_type, 'Notify gave up on it')}. "
        f"Check `{field}:` for {who} in the programme file and load it again; until then they are not reached."
    )


def _admins(session: Session, programme: Programme, reachable: frozenset[str]) -> list[Destination]:
    """The admins in a chat this process sends to; else the leads' channels."""
    people = session.exec(
        select(Member)
        .where(
            Member.programme_id == row_id(programme),
            Member.role == Role.ADMIN.value,
            col(Member.archived_at).is_(None),
            col(Member.platform).not_in(sorted(NOTIFY_PLATFORMS)),
            col(Member.platform).in_(sorted(reachable)),
        )
        .order_by(col(Member.id))
    ).all()
    return [Destination(m.platform, m.platform_user_id, row_id(m)) for m in people] or leads_destinations(programme)


def _notice(programme: Programme, receipt_id: int, destination: Destination, text: str) -> Outgoing:
    return Outgoing(
        key=f"{programme.slug}:{JOB}:n{receipt_id}:{target(destination)}",
        platform=destination.platform,
        send=lambda messenger, key: messenger.post_notice(destination, text, key),
        find=lambda messenger, key: messenger.find_posted(destination, key),
        member_id=destination.member_id,
        target=target(destination),
    )


def _mark_reported(ctx: JobContext, due: list[tuple[int, list[Outgoing]]], now: datetime) -> None:
    """A receipt is reported once each of its notices is sent or given up on (or it had none to send)."""
    standing = ledger(ctx.engine, [i.key for _, items in due for i in items])
    finished = standing.sent | standing.failed_for_good
    done = [receipt_id for receipt_id, items in due if {i.key for i in items} <= finished]
    if done:
        with session_scope(ctx.engine) as session:
            for row in session.exec(select(NotifyReceipt).where(col(NotifyReceipt.id).in_(done))):
                row.reported_at = now
                session.add(row)


def watch_failures(ctx: JobContext, now: datetime) -> list[JobResult]:
    """The watch's part: only programmes with an unreported permanent failure (one query)."""
    with session_scope(ctx.engine) as session:
        ids = session.exec(
            select(Delivery.programme_id)
            .join(NotifyReceipt, col(NotifyReceipt.reference) == col(Delivery.key))
            .where(NotifyReceipt.status == PERMANENT_FAILURE, col(NotifyReceipt.reported_at).is_(None))
            .distinct()
        ).all()
        found = session.exec(select(Programme).where(col(Programme.id).in_(ids))).all() if ids else []
    return [run_notify_failures(ctx.for_programme(row_id(programme)), programme, now) for programme in found]
