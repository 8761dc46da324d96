"""What every job is given, and what it reports."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import case, func
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bot.common.calendar import bank_holiday, is_working_day, local_date, local_instant
from bot.sending import job_runs
from bot.sending.deliveries import GAVE_UP
from bot.sending.ports import Messenger
from models.db import session_scope
from models.tables import Delivery, Programme
from models.vocabulary import DeliveryState

SETTLED_SKIPS = frozenset({"checked in already", "answered"})  # what a rerun at the same data would skip again


Binder = Callable[[int], Mapping[str, Messenger]]


@dataclass(frozen=True)
class JobContext:
    """What a job sends with. `bind`, when set, gives the messengers that differ from one
    programme to the next (a Slack workspace's own token): a job is run with the context bound
    to its programme (`for_programme`), and a platform missing from a context never bound sends
    nothing, so no programme is ever sent with another's token."""

    engine: Engine
    messengers: Mapping[str, Messenger]
    workers: int = 8  # sender threads of one fan-out
    programmes_at_once: int = 8  # programmes a tick runs side by side (bot.sending.scheduler)
    bind: Binder | None = None
    bound_to: int | None = None
    unbound: Mapping[str, Messenger] | None = None

    def for_programme(self, programme_id: int) -> JobContext:
        if self.bind is None or self.bound_to == programme_id:
            return self
        base = self.messengers if self.unbound is None else self.unbound
        return replace(self, messengers={**base, **self.bind(programme_id)}, bound_to=programme_id, unbound=base)


@dataclass
class JobResult:
    job: str
    programme: str
    local_date: date
    sent: int = 0
    already_sent: int = 0
    retrying: int = 0
    failed: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    note: str | None = None
    summary: str | None = None  # what the job did besides sending, said first
    warning: str | None = None  # what could not be sent and why, said last (bot.sending.jobs.notices)

    def line(self) -> str:
        head = f"{self.job} {self.programme} {self.local_date:%a %d %b %Y}"
        if self.note:
            return f"{head}: {self.note}"
        parts = [self.summary] if self.summary else []
        parts += [f"sent {self.sent}", f"already sent {self.already_sent}", f"failed {self.failed}"]
        if self.retrying:
            parts.append(f"to retry {self.retrying}")
        parts += [f"skipped {count} ({reason})" for reason, count in sorted(self.skipped.items()) if count]
        line = f"{head}: " + ", ".join(parts)
        return f"{line}. {self.warning}" if self.warning else line


def begin(job: str, programme: Programme, now: datetime, at: time) -> JobResult:
    """Today's result for a job. It carries a note saying why nothing happens unless the job
    is due: a working day, on or after its local time, the same local day (no stale sends)."""
    today = local_date(now, programme.timezone)
    result = JobResult(job=job, programme=programme.slug, local_date=today)
    if not is_working_day(today):
        holiday = bank_holiday(today)
        result.note = f"nothing sent: {holiday} is a bank holiday" if holiday else "nothing sent: a weekend"
    elif today > programme.deadline:
        result.note = f"nothing sent: the programme ended on {programme.deadline:%d %b %Y}"
    elif now < local_instant(today, at, programme.timezone):
        result.note = f"nothing sent: not due until {at:%H:%M}"
    return result


def done_at_this_version(ctx: JobContext, programme: Programme, result: JobResult) -> tuple[bool, str]:
    """Whether the job already finished today at the programme's present data version (then
    `result` counts what was sent, and there is nothing to do), and that version, to record
    when this run finishes. Read before the job reads anything else, so whatever arrives during
    the run moves the version and is seen next time."""
    assert programme.id is not None
    with session_scope(ctx.engine) as session:
        version = job_runs.current_version(session, programme)
        done = job_runs.is_done(session, programme.id, result.job, result.local_date, version)
        if done:
            count_settled(session, programme.id, result)
    return done, version


def finish(ctx: JobContext, programme: Programme, result: JobResult, version: str, now: datetime) -> None:
    """Record the run as finished, if it is: nothing waiting to be retried or held back for a
    reason that time alone will change (a prompt not yet sent, one sent under an hour ago)."""
    assert programme.id is not None
    if result.retrying or any(count and reason not in SETTLED_SKIPS for reason, count in result.skipped.items()):
        return
    with session_scope(ctx.engine) as session:
        job_runs.record(session, programme.id, result.job, result.local_date, version, now)


def count_settled(session: Any, programme_id: int, result: JobResult) -> bool:
    """Count the job's keys of the day into `result` (sent, and given up on); True when there
    are some and every one is one or the other. One grouped count, whatever the number of keys."""
    sent = DeliveryState.SENT.value
    outcome = case((col(Delivery.state) == sent, "sent"), (col(Delivery.attempts) >= GAVE_UP, "gave_up"), else_="open")
    counts = dict(
        session.exec(
            select(outcome, func.count())
            .where(
                Delivery.programme_id == programme_id,
                Delivery.job == result.job,
                Delivery.local_date == result.local_date,
                col(Delivery.key).startswith(f"{result.programme}:{result.job}:", autoescape=True),
            )
            .group_by(outcome)
        ).all()
    )
    if not counts or counts.get("open"):
        return False
    result.already_sent += counts.get("sent", 0)
    result.failed += counts.get("gave_up", 0)
    return True
