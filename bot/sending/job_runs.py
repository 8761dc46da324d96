"""What each job last finished for a programme, so a tick with nothing new to do does nothing.

A job records the local date and the programme's data version (bot.views.status_cache) it worked
from once everything it had to do is done; the next tick that finds the same date and version
skips it. Any write that could change what the job would do (a check-in, a report, a member
away, a file loaded) moves the version, so nothing has to remember to clear a record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from bot.views.status_cache import Version, data_version
from models.tables import JobRun, Programme, table_of


@dataclass(frozen=True)
class Run:
    local_date: date
    version: str
    watermark: int | None


def version_text(version: Version) -> str:
    """One string for a data version: the programme's updated_at, then the rest as read."""
    first, *rest = version
    return "|".join([first.isoformat() if isinstance(first, datetime) else str(first), *map(str, rest)])


def current_version(session: Session, programme: Programme) -> str:
    return version_text(data_version(session, programme))


def last_runs(session: Session, job: str) -> dict[int, Run]:
    """Every programme's last finished run of `job`, in one query."""
    rows = session.exec(select(JobRun).where(JobRun.job == job)).all()
    return {r.programme_id: Run(r.local_date, r.version, r.watermark) for r in rows}


def last_run(session: Session, programme_id: int, job: str) -> Run | None:
    row = session.exec(select(JobRun).where(JobRun.programme_id == programme_id, JobRun.job == job)).first()
    return Run(row.local_date, row.version, row.watermark) if row else None


def is_done(session: Session, programme_id: int, job: str, today: date, version: str) -> bool:
    run = last_run(session, programme_id, job)
    return run is not None and run.local_date == today and run.version == version


def record(
    session: Session,
    programme_id: int,
    job: str,
    today: date,
    version: str,
    now: datetime,
    watermark: int | None = None,
) -> None:
    """Insert or replace the programme's record of `job`: one statement, safe when two clocks
    finish the same job at once (the later write wins; both describe a finished run)."""
    values: dict[str, Any] = {
        "programme_id": programme_id,
        "job": job,
        "local_date": today,
        "version": version,
        "watermark": watermark,
        "finished_at": now,
    }
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table_of(JobRun)).values(**values)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[col(JobRun.programme_id), col(JobRun.job)],
            set_={k: v for k, v in values.items() if k not in ("programme_id", "job")},
        )
    )
