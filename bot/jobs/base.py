"""What every job is given, and what it reports."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time

from sqlalchemy.engine import Engine

from bot.calendar import bank_holiday, is_working_day, local_date, local_instant
from bot.ports import Messenger
from models.tables import Programme


@dataclass(frozen=True)
class JobContext:
    engine: Engine
    messengers: Mapping[str, Messenger]
    workers: int = 8


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

    def line(self) -> str:
        head = f"{self.job} {self.programme} {self.local_date:%a %d %b %Y}"
        if self.note:
            return f"{head}: {self.note}"
        parts = [self.summary] if self.summary else []
        parts += [f"sent {self.sent}", f"already sent {self.already_sent}", f"failed {self.failed}"]
        if self.retrying:
            parts.append(f"to retry {self.retrying}")
        parts += [f"skipped {count} ({reason})" for reason, count in sorted(self.skipped.items()) if count]
        return f"{head}: " + ", ".join(parts)


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
