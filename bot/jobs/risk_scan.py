"""risk-scan: run the risk rules for a programme, then tell the leads of what needs them.

The clock runs it on each tick from the reminder time (the end of the check-in window) on
working days; a stored check-in reporting a service at the alert level runs it at once
(`scan_after_checkin`), so a service at level 4 reaches the leads in the same request cycle
rather than waiting for the afternoon. Both are
idempotent: the rules update the open risk rather than add one, and every escalation has
its key in the delivery ledger.
"""

from __future__ import annotations

from datetime import datetime

from bot import escalations
from bot.calendar import is_working_day, local_date
from bot.jobs.base import JobContext, JobResult, begin
from bot.jobs.fanout import Outgoing, deliver
from bot.checkin import CheckinResult
from bot.risk_rules import RuleSettings, scan
from models.db import session_scope
from models.tables import Programme

JOB = "risk-scan"


def run_risk_scan(ctx: JobContext, programme: Programme, now: datetime) -> JobResult:
    result = begin(JOB, programme, now, programme.reminder_time)
    if result.note:
        return result
    return _scan_and_escalate(ctx, programme, now, result)


def scan_after_checkin(ctx: JobContext, result: CheckinResult, now: datetime) -> JobResult | None:
    """After a stored check-in: at once when it reports a service at the alert level (the
    reason not to wait), otherwise nothing until the clock's scan."""
    if not result.recorded or not result.services:
        return None
    with session_scope(ctx.engine) as session:
        programme = session.get(Programme, result.programme_id)
    if programme is None:
        return None
    alert = RuleSettings.of(programme).capacity_alert_level
    if max(s.level for s in result.services) < alert:
        return None
    return scan_now(ctx, result.programme_id, now)


def scan_now(ctx: JobContext, programme_id: int, now: datetime) -> JobResult | None:
    """After a check-in: the same scan at any time of a working day in the programme's period."""
    with session_scope(ctx.engine) as session:
        programme = session.get(Programme, programme_id)
    if programme is None:
        return None
    today = local_date(now, programme.timezone)
    if not is_working_day(today) or today > programme.deadline:
        return None
    return _scan_and_escalate(ctx, programme, now, JobResult(job=JOB, programme=programme.slug, local_date=today))


def _scan_and_escalate(ctx: JobContext, programme: Programme, now: datetime, result: JobResult) -> JobResult:
    with session_scope(ctx.engine) as session:
        scanned = scan(session, programme, now)
    with session_scope(ctx.engine) as session:
        due = escalations.escalations(session, programme, now)
    result.summary = f"risks {scanned.new} new, {scanned.updated} updated, {scanned.unchanged} unchanged"
    sending = JobResult(job=escalations.JOB, programme=result.programme, local_date=result.local_date)
    deliver(ctx, sending, programme.id, [_outgoing(e) for e in due], now)  # type: ignore[arg-type]
    result.sent, result.already_sent = sending.sent, sending.already_sent
    result.failed, result.retrying, result.skipped = sending.failed, sending.retrying, sending.skipped
    return result


def _outgoing(escalation: escalations.Escalation) -> Outgoing:
    destination, risk = escalation.destination, escalation.risk
    return Outgoing(
        key=escalation.key,
        platform=destination.platform,
        send=lambda messenger, key: messenger.post_risk(destination, risk, key),
        find=lambda messenger, key: messenger.find_posted(destination, key),
        member_id=destination.member_id,
        target=escalations.target(destination),
    )
