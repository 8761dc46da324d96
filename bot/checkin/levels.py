"""Each service's capacity level as it stands: the newest report per (organisation, service),
read one way (bot.common.newest) by the status screen, the brief, the digest and the risk rules."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import NamedTuple

from sqlmodel import Session, col

from bot.common.newest import newest_values
from models.tables import CapacityReport

Pair = tuple[int, str]  # (organisation id, service)


class Standing(NamedTuple):
    level: int
    local_date: date


def newest_levels(
    session: Session,
    programme_id: int,
    last: date,
    first: date | None = None,
    organisations: Iterable[int] | None = None,
) -> dict[Pair, Standing]:
    """(organisation, service) -> the level and date of its newest report dated from `first`
    (None: any day) to `last`, of `organisations` only when given: one window query."""
    where = [col(CapacityReport.programme_id) == programme_id, col(CapacityReport.local_date) <= last]
    if first is not None:
        where.append(col(CapacityReport.local_date) >= first)
    if organisations is not None:
        where.append(col(CapacityReport.organisation_id).in_(list(organisations)))
    keys = (col(CapacityReport.organisation_id), col(CapacityReport.service))
    columns = (*keys, col(CapacityReport.level), col(CapacityReport.local_date))
    rows = session.execute(newest_values(CapacityReport, keys, columns, *where)).all()
    return {(row[0], row[1]): Standing(row[2], row[3]) for row in rows}
