"""blocker-reply: a partner is told in their DM, within seconds, when a lead answers a blocker
they raised (a reply, taking it on, resolving it or saying it will not be fixed).

Run by the clock's watch (every few seconds) and by `winterbot run-job blocker-reply`. Each answer
is one key in the delivery ledger (`{slug}:blocker-reply:m{member}:e{event}`), so a pass that runs
twice, or two clocks, tell the partner once, and a failed send is tried again. Answers older than
LOOK_BACK are not sent late: by then the partner has seen them on their check-in.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from bot.checkin.blockers_words import TOLD_WORDS, told_sentence
from bot.common.calendar import local_date
from bot.sending.escalations import target
from bot.sending.jobs.base import JobContext, JobResult
from bot.sending.jobs.fanout import Outgoing, deliver
from bot.sending.ports import Destination
from models.db import session_scope
from models.tables import Blocker, BlockerEvent, Member, Organisation, Programme, row_id

JOB = "blocker-reply"
LOOK_BACK = timedelta(days=7)


def run_blocker_replies(ctx: JobContext, programme: Programme, now: datetime) -> JobResult:
    result = JobResult(job=JOB, programme=programme.slug, local_date=local_date(now, programme.timezone))
    with session_scope(ctx.engine) as session:
        due = replies_due(session, programme, now)
    if due:
        deliver(ctx, result, row_id(programme), due, now, same_day=False)
    return result


def replies_due(session: Session, programme: Programme, now: datetime) -> list[Outgoing]:
    """An Outgoing for each answer of the last LOOK_BACK to a blocker raised by someone else."""
    rows = session.exec(
        select(BlockerEvent, Blocker)
        .join(Blocker, col(Blocker.id) == col(BlockerEvent.blocker_id))
        .where(
            Blocker.programme_id == programme.id,
            col(BlockerEvent.action).in_(list(TOLD_WORDS)),
            col(BlockerEvent.at) >= now - LOOK_BACK,
        )
        .order_by(col(BlockerEvent.id))
    ).all()
    people = {m.id: m for m in session.exec(select(Member).where(Member.programme_id == programme.id))}
    names = {o.id: o.name for o in session.exec(select(Organisation).where(Organisation.programme_id == programme.id))}
    out = []
    for event, blocker in rows:
        raiser, by = people.get(blocker.raised_by_member_id), people.get(event.member_id or 0)
        if raiser is None or raiser.archived_at is not None or by is None or by.id == raiser.id:
            continue
        who = f"{by.name} ({names.get(by.organisation_id, '')})"
        text = told_sentence(who, event.action, event.note, row_id(blocker), blocker.text, programme.name)
        out.append(_outgoing(programme, raiser, row_id(event), text))
    return out


def _outgoing(programme: Programme, raiser: Member, event_id: int, text: str) -> Outgoing:
    destination = Destination(raiser.platform, raiser.platform_user_id, row_id(raiser))
    return Outgoing(
        key=f"{programme.slug}:{JOB}:m{row_id(raiser)}:e{event_id}",
        platform=raiser.platform,
        send=lambda messenger, key: messenger.post_notice(destination, text, key),
        find=lambda messenger, key: messenger.find_posted(destination, key),
        member_id=row_id(raiser),
        target=target(destination),
    )


def watch_replies(ctx: JobContext, now: datetime) -> list[JobResult]:
    """The watch's part: each programme with an answer in the last LOOK_BACK (one query), then
    only what the ledger says is unsent goes."""
    with session_scope(ctx.engine) as session:
        ids = session.exec(
            select(Blocker.programme_id)
            .join(BlockerEvent, col(BlockerEvent.blocker_id) == col(Blocker.id))
            .where(col(BlockerEvent.action).in_(list(TOLD_WORDS)), col(BlockerEvent.at) >= now - LOOK_BACK)
            .distinct()
        ).all()
        found = [p for p in (session.get(Programme, i) for i in ids) if p is not None]
    results = [run_blocker_replies(ctx.for_programme(row_id(programme)), programme, now) for programme in found]
    return [r for r in results if r.sent or r.failed or r.retrying]
