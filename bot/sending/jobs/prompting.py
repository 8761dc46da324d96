"""What the prompt and the reminder share: one run to the partners who have not answered today,
sent once per data version. Nothing is read or sent when the job already finished at the
programme's present data version; otherwise the partners chosen are fanned out to, the leads
are told what could not be sent (bot.sending.jobs.notices), and the run is recorded."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time

from sqlmodel import Session

from bot.checkin.prompts import Prompt, checkin_scopes, not_yet_answered
from bot.sending.jobs import notices
from bot.sending.jobs.base import JobContext, JobResult, begin, done_at_this_version, finish
from bot.sending.jobs.fanout import Send, fan_out
from bot.sending.ports import Recipient
from models.db import session_scope
from models.tables import Member, Programme, row_id

Chooser = Callable[[Session, JobResult, list[Member]], list[Member]]


def recipient(member: Member) -> Recipient:
    return Recipient(
        member_id=row_id(member),
        platform=member.platform,
        user_id=member.platform_user_id,
        name=member.name,
    )


def everyone(session: Session, result: JobResult, waiting: list[Member]) -> list[Member]:
    return waiting


def prompt_unanswered(
    ctx: JobContext,
    programme: Programme,
    now: datetime,
    job: str,
    at: time,
    kind: str,
    answered_skip: str,
    choose: Chooser = everyone,
) -> JobResult:
    """Send a `kind` prompt to those of the partners not yet answered today that `choose` picks
    (counting the others); the partners who have answered are skipped as `answered_skip`."""
    result = begin(job, programme, now, at)
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
            result.skipped[answered_skip] += len(answered)
        chosen = choose(session, result, waiting)
        scopes = checkin_scopes(session, chosen)
    sends = [Send(recipient(m), Prompt(kind, scopes[row_id(m)], today)) for m in chosen]
    fan_out(ctx, result, row_id(programme), sends, now)
    notices.tell(ctx, programme, result, now)
    finish(ctx, programme, result, version, now)
    return result
