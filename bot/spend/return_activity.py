"""The return's activity lines (discharges by pathway, packages of care booked) for each period,
added up from the check-in measures the programme file maps to them.

A day's figure for a service is the organisation's newest report of that day (bot.common.newest):
an amended check-in counts once, and of two colleagues answering for one organisation the one
who answered last stands, as for the capacity level and the "discharges rising" rule. A
"nothing new today" check-in repeats the last figures on record; the measures the return adds
up count what happened since the last check-in, so such a day adds nothing. Reports of
organisations archived since still count: the return says what happened in the period.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from bot.common.measures import measure_value
from bot.common.newest import newest_values
from bot.spend.return_calendar import ReturnCalendar
from models.tables import CapacityReport, CheckIn, table_of

ZERO = Decimal(0)
Activity = dict[str, Decimal | None]  # line -> the period's total; None: no measure feeds the line


def activity_by_period(
    session: Session, programme_id: int, calendar: ReturnCalendar, ends: Iterable[date]
) -> dict[date, Activity]:
    """Each period's activity lines, for the periods ending on `ends`: one query in all."""
    ordered = sorted(ends)
    found: dict[date, Activity] = {
        end: {line: (ZERO if pairs else None) for line, pairs in calendar.lines.items()} for end in ordered
    }
    feeds = calendar.feeds()
    if not ordered or not feeds:
        return found
    days = _daily_figures(session, programme_id, {s for s, _ in feeds}, calendar.start_of(ordered[0]), ordered[-1])
    for end in ordered:
        start = calendar.start_of(end)
        for (service, day), reports in days.items():
            if start <= day <= end:
                _add(found[end], calendar, service, reports)
    return found


def _add(activity: Activity, calendar: ReturnCalendar, service: str, reports: list[Mapping[str, Any]]) -> None:
    for line, pairs in calendar.lines.items():
        for fed_service, key in pairs:
            if fed_service != service:
                continue
            for measures in reports:
                value = measure_value(measures, key)
                if value is not None:
                    activity[line] = (activity[line] or ZERO) + value


def _daily_figures(
    session: Session, programme_id: int, services: set[str], first: date, last: date
) -> dict[tuple[str, date], list[Mapping[str, Any]]]:
    """(service, day) -> the measures of each organisation's newest report of that day, leaving
    out the days answered "nothing new today". One query."""
    keys = (col(CapacityReport.organisation_id), col(CapacityReport.service), col(CapacityReport.local_date))
    newest = newest_values(
        CapacityReport,
        keys,
        (*keys, col(CapacityReport.measures), col(CapacityReport.checkin_id)),
        col(CapacityReport.programme_id) == programme_id,
        col(CapacityReport.service).in_(sorted(services)),
        col(CapacityReport.local_date) >= first,
        col(CapacityReport.local_date) <= last,
    ).subquery()
    rows = session.execute(
        sa_select(newest.c.service, newest.c.local_date, newest.c.measures)
        .outerjoin(table_of(CheckIn), col(CheckIn.id) == newest.c.checkin_id)
        .where(or_(col(CheckIn.no_change).is_(None), col(CheckIn.no_change).is_(False)))
    ).all()
    days: dict[tuple[str, date], list[Mapping[str, Any]]] = {}
    for service, day, measures in rows:
        days.setdefault((service, day), []).append(measures or {})
    return days
