"""risk-scan: run the risk rules for a programme, then tell the leads of what needs them.

Two ways in, both in the clock process, never in a request:
- the tick's `risk-scan` job, on working days from the reminder time (the end of the
  check-in window), every tick;
- `watch`, the clock's quick pass every few seconds: a programme with a capacity report at or
  above its alert level newer than its last scan is scanned at once, so a service at level 4
  reaches the leads within seconds of the check-in, whatever the web process is doing.

Costs follow what changed: a scan records the local date, the programme's data version and
the newest capacity report it read (bot.sending.job_runs); a scan asked for when neither date nor
version has moved does nothing but retry escalations that are due again. At most one scan of
a programme runs at a time: a second asked for meanwhile is skipped (in this process by a
lock; across clocks on PostgreSQL by an advisory lock), and the next pass picks up whatever
arrived after the first one read. Both ways are idempotent: the rules update the open risk
rather than add one, and every escalation has its key in the delivery ledger.
"""

from __future__ import annotations

import logging
import threading
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import func, text
from sqlmodel import Session, col, select

from bot.common.calendar import is_working_day, local_date
from bot.risks.scan import scan
from bot.risks.terms import RuleSettings
from bot.sending import escalations, job_runs
from bot.sending.deliveries import claimable
from bot.sending.jobs.base import JobContext, JobResult, begin
from bot.sending.jobs.fanout import Outgoing, deliver
from bot.sending.ports import Messenger
from models.db import session_scope
from models.tables import CapacityReport, Delivery, Programme, row_id

JOB = "risk-scan"
WATCH_SECONDS = 5
BUSY = "nothing done: a scan of this programme is already running"
UNCHANGED = "nothing changed since the last scan"

log = logging.getLogger(__name__)
_running: dict[int, threading.Lock] = {}
_running_lock = threading.Lock()


def run_risk_scan(ctx: JobContext, programme: Programme, now: datetime) -> JobResult:
    result = begin(JOB, programme, now, programme.reminder_time)
    if result.note:
        return result
    return scan_if_changed(ctx, programme, now, result)


def scan_now(ctx: JobContext, programme_id: int, now: datetime) -> JobResult | None:
    """The same scan at any time of a working day in the programme's period (None outside it)."""
    with session_scope(ctx.engine) as session:
        programme = session.get(Programme, programme_id)
    if programme is None or not _in_period(programme, now):
        return None
    today = local_date(now, programme.timezone)
    return scan_if_changed(ctx, programme, now, JobResult(job=JOB, programme=programme.slug, local_date=today))


def watch(ctx: JobContext, now: datetime) -> list[JobResult]:
    """Scan each programme where a service has reported at or above the alert level since its
    last scan, and send the escalations due again after a failure (Slack away at ten o'clock is
    not left until the afternoon's scan): two small queries a programme, work only where due."""
    with session_scope(ctx.engine) as session:
        programmes = [p for p in session.exec(select(Programme).order_by(col(Programme.id))) if _in_period(p, now)]
        runs = job_runs.last_runs(session, JOB)
        due = [
            p for p in programmes if _new_alert(session, p, runs.get(row_id(p))) or _retry_due(session, row_id(p), now)
        ]
    results = []
    for programme in due:
        today = local_date(now, programme.timezone)
        try:
            results.append(
                scan_if_changed(
                    ctx.for_programme(row_id(programme)),
                    programme,
                    now,
                    JobResult(job=JOB, programme=programme.slug, local_date=today),
                )
            )
        except Exception:
            log.exception("the scan of %s after a capacity alert failed; the next pass tries again", programme.slug)
    return results


def _in_period(programme: Programme, now: datetime) -> bool:
    today = local_date(now, programme.timezone)
    return is_working_day(today) and today <= programme.deadline


def _new_alert(session: Session, programme: Programme, run: job_runs.Run | None) -> bool:
    alert = RuleSettings.of(programme).capacity_alert_level
    query = select(func.max(CapacityReport.id)).where(
        CapacityReport.programme_id == programme.id, col(CapacityReport.level) >= alert
    )
    if run is not None and run.watermark is not None:
        query = query.where(col(CapacityReport.id) > run.watermark)
    return session.exec(query).one() is not None


def scan_if_changed(ctx: JobContext, programme: Programme, now: datetime, result: JobResult) -> JobResult:
    """Scan unless the date and data are as the last scan found them, then send what is due."""
    assert programme.id is not None
    with _only_one(programme.id) as mine:
        if not mine:
            result.note = BUSY
            return result
        scanned = _scan(ctx, programme, now, result)
        if scanned or _escalations_due(ctx, programme.id, now):
            _escalate(ctx, programme, now, result)
        elif result.summary is None:
            result.summary = UNCHANGED
    return result


def _scan(ctx: JobContext, programme: Programme, now: datetime, result: JobResult) -> bool:
    """True when the rules ran. The version recorded is the one read before the rules read
    anything, so whatever arrives during the scan moves it and is scanned next time."""
    assert programme.id is not None
    with session_scope(ctx.engine) as session:
        if not _advisory_lock(session, programme.id):
            result.note = BUSY
            return False
        version = job_runs.current_version(session, programme)
        watermark = session.exec(
            select(func.max(CapacityReport.id)).where(CapacityReport.programme_id == programme.id)
        ).one()
        run = job_runs.last_run(session, programme.id, JOB)
        if run is not None and run.local_date == result.local_date and run.version == version:
            return False
        scanned = scan(session, programme, now)
        job_runs.record(session, programme.id, JOB, result.local_date, version, now, watermark)
    result.summary = f"risks {scanned.new} new, {scanned.updated} updated, {scanned.unchanged} unchanged"
    return True


def _escalate(ctx: JobContext, programme: Programme, now: datetime, result: JobResult) -> None:
    with session_scope(ctx.engine) as session:
        due = escalations.escalations(session, programme, now)
    sending = JobResult(job=escalations.JOB, programme=result.programme, local_date=result.local_date)
    deliver(ctx, sending, row_id(programme), [_outgoing(e) for e in due], now, same_day=False)
    result.sent, result.already_sent = sending.sent, sending.already_sent
    result.failed, result.retrying, result.skipped = sending.failed, sending.retrying, sending.skipped


def _escalations_due(ctx: JobContext, programme_id: int, now: datetime) -> bool:
    with session_scope(ctx.engine) as session:
        return _retry_due(session, programme_id, now)


def _retry_due(session: Session, programme_id: int, now: datetime) -> bool:
    """An escalation that failed or was left mid-send and may be tried again now."""
    found = session.exec(
        select(Delivery.id)
        .where(Delivery.programme_id == programme_id, Delivery.job == escalations.JOB, claimable(now))
        .limit(1)
    ).first()
    return found is not None


@contextmanager
def _only_one(programme_id: int) -> Iterator[bool]:
    with _running_lock:
        lock = _running.setdefault(programme_id, threading.Lock())
    mine = lock.acquire(blocking=False)
    try:
        yield mine
    finally:
        if mine:
            lock.release()


def _advisory_lock(session: Session, programme_id: int) -> bool:
    """On PostgreSQL, this transaction's hold on the programme's scan, or False when another
    clock has it; elsewhere (SQLite serialises writers) always True."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    key = zlib.crc32(f"{JOB}:{programme_id}".encode())
    return bool(session.execute(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": key}).scalar())


def _outgoing(escalation: escalations.Escalation) -> Outgoing:
    destination = escalation.destination
    return Outgoing(
        key=escalation.key,
        platform=destination.platform,
        send=_sender(escalation),
        find=lambda messenger, key: messenger.find_posted(destination, key),
        member_id=destination.member_id,
        target=escalations.target(destination),
    )


def _sender(escalation: escalations.Escalation) -> Callable[[Messenger, str], str]:
    """The leads' copy is the risk with its buttons; a partner's is plain words from winterbot
    (escalations.partner_copy), sent as a notice. Both carry the same key, so a copy found in
    the channel or DM after a crash is not sent again."""
    destination, risk = escalation.destination, escalation.risk
    if escalation.for_leads:
        return lambda messenger, key: messenger.post_risk(destination, risk, key)
    words = escalations.partner_copy(risk, destination.platform)
    return lambda messenger, key: messenger.post_notice(destination, words, key)
