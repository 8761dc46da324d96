"""words-retention: people's words removed once the programme's deadline is `keep_words_days`
calendar days behind (bot.people.retention); the figures stay.

Run by the clock once a day (a finished run is recorded in job_run for the local date, so the
ticks after it read one row and do nothing) and by `winterbot run-job words-retention`. Its line
says what kinds of words it removed and how many rows of each, never the words themselves.
"""

from __future__ import annotations

import logging
from datetime import datetime

from bot.common.calendar import local_date
from bot.common.config import Settings
from bot.people.retention import Removed, remove_programme_words, retention_line, words_due_for_removal
from bot.sending import job_runs
from bot.sending.jobs.base import JobContext, JobResult
from models.db import session_scope
from models.tables import Programme, row_id

log = logging.getLogger(__name__)

JOB = "words-retention"
VERSION = "words removed"  # the run's record: done for the day, whatever the data version


def run_words_retention(
    ctx: JobContext, programme: Programme, now: datetime, keep_days: int | None = None
) -> JobResult:
    """`keep_days` None: WINTERBOT_KEEP_WORDS_DAYS, as the clock and run-job are configured."""
    keep = Settings.from_env().keep_words_days if keep_days is None else keep_days
    today = local_date(now, programme.timezone)
    result = JobResult(job=JOB, programme=programme.slug, local_date=today)
    if not words_due_for_removal(programme, keep, today):
        result.note = retention_line(programme, keep, today, None)
        return result
    with session_scope(ctx.engine) as session:
        if job_runs.is_done(session, row_id(programme), JOB, today, VERSION):
            result.note = retention_line(programme, keep, today, Removed())
            return result
        removed = remove_programme_words(session, programme, now)
        job_runs.record(session, row_id(programme), JOB, today, VERSION, now)
    result.note = retention_line(programme, keep, today, removed)
    if removed.total:
        log.info("%s", result.line())  # kinds and counts only
    return result
