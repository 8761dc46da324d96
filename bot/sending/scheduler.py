"""The clock: one process, a short tick, and every decision taken from the database.

Each tick runs every job of every programme as of now; a job that is not due says so and
sends nothing, and one that is due sends only what the delivery ledger says is unsent. So a
tick can run twice, two clocks can run at once, and a clock that was down catches up on its
first tick (the same working day only: a job never sends for a day that has passed).

Programmes are ticked side by side (JobContext.programmes_at_once at a time, each its jobs in order), so
one programme's fan-out does not make the next one's partners wait for it, and a tick's length
follows the busiest programme rather than the sum of them all. Beside the tick, the watch
(bot.sending.jobs.risk_scan.watch, every WATCH_SECONDS) scans a programme as soon as a service reports
at the alert level, so a level 4 reaches the leads within seconds even while a tick is sending; and
it tells a partner when a lead has answered their blocker (bot.sending.jobs.blocker_replies).
"""

from __future__ import annotations

import logging
import signal
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from types import FrameType

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.programme.lookup import all_programmes, get_programme
from bot.sending.jobs import JOBS, JobContext, JobResult
from bot.sending.jobs.blocker_replies import watch_replies
from bot.sending.jobs.notify_failures import watch_failures
from bot.sending.jobs.risk_scan import WATCH_SECONDS, watch
from models.db import session_scope
from models.tables import Programme

log = logging.getLogger(__name__)

SCHEDULED = ("daily-prompts", "reminders", "risk-scan", "daily-brief", "weekly-digest")
# Beside the ticks, once an hour: it does its work once a day (its run is recorded for the local
# date), and an hour late is soon enough for words kept for months.
DAILY = ("words-retention",)
DAILY_SECONDS = 3600
TICK_SECONDS = 30


def utcnow() -> datetime:
    return datetime.now(UTC)


def programmes(ctx: JobContext, slug: str | None = None) -> list[Programme]:
    with session_scope(ctx.engine) as session:
        return [get_programme(session, slug)] if slug else all_programmes(session)


def run_job(ctx: JobContext, job: str, now: datetime, slug: str | None = None) -> list[JobResult]:
    return [JOBS[job](ctx, programme, now) for programme in programmes(ctx, slug)]


def tick(ctx: JobContext, now: datetime, jobs: Sequence[str] = SCHEDULED) -> list[JobResult]:
    """Run every scheduled job of every programme as of `now`, programmes side by side; one
    failing job does not stop the rest."""
    found = programmes(ctx)
    with ThreadPoolExecutor(
        max_workers=max(1, min(ctx.programmes_at_once, len(found))), thread_name_prefix="tick"
    ) as pool:
        per_programme = list(pool.map(lambda programme: _tick_programme(ctx, programme, now, jobs), found))
    return [result for results in per_programme for result in results]


def _tick_programme(ctx: JobContext, programme: Programme, now: datetime, jobs: Sequence[str]) -> list[JobResult]:
    results: list[JobResult] = []
    for job in jobs:
        try:
            result = JOBS[job](ctx, programme, now)
        except Exception:
            log.exception("%s for %s failed; the next tick tries again", job, programme.slug)
            continue
        _said(result)
        results.append(result)
    return results


def watch_pass(ctx: JobContext, now: datetime) -> list[JobResult]:
    """The watch between ticks; logs what it sent, never raises (the next pass tries again)."""
    try:
        results = watch(ctx, now)
    except Exception:
        log.exception("the watch for capacity alerts failed; the next pass tries again")
        results = []
    try:
        results += watch_replies(ctx, now)
    except Exception:
        log.exception("the watch for answers to blockers failed; the next pass tries again")
    try:
        results += watch_failures(ctx, now)
    except Exception:
        log.exception("the watch for undelivered emails and texts failed; the next pass tries again")
    for result in results:
        _said(result)
    return results


def _said(result: JobResult) -> None:
    """Into the log, what a job sent or failed to send (nothing when it had nothing to do)."""
    if result.sent or result.failed or result.retrying:
        log.info("%s", result.line())


def build_clock(
    ctx: JobContext, tick_seconds: float = TICK_SECONDS, now: Callable[[], datetime] = utcnow
) -> BlockingScheduler:
    """A late tick always runs (misfire_grace_time=None: the default of one second would
    silently drop it), and ticks that piled up while the process was busy run once (coalesce)."""
    scheduler = BlockingScheduler(
        timezone=UTC,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
    )
    scheduler.add_job(
        lambda: tick(ctx, now()), IntervalTrigger(seconds=tick_seconds), id="tick", next_run_time=utcnow()
    )
    scheduler.add_job(
        lambda: watch_pass(ctx, now()),
        IntervalTrigger(seconds=min(WATCH_SECONDS, tick_seconds)),
        id="watch",
        next_run_time=utcnow(),
    )
    scheduler.add_job(
        lambda: tick(ctx, now(), DAILY), IntervalTrigger(seconds=DAILY_SECONDS), id="daily", next_run_time=utcnow()
    )
    return scheduler


def run_clock(ctx: JobContext, tick_seconds: float = TICK_SECONDS) -> None:
    """Tick until SIGTERM or SIGINT."""
    scheduler = build_clock(ctx, tick_seconds)

    def stop(signum: int, _frame: FrameType | None) -> None:
        log.info("clock stopping (signal %d)", signum)
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("clock started: a tick every %ss", tick_seconds)
    scheduler.start()
