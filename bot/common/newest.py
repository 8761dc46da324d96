"""The newest row per key: one ordering and one reading, wherever a figure "as it stands" is read
(a scheme's spend, a service's capacity level, an organisation's last check-in).

Newest means dated latest (`local_date`), then recorded latest (`reported_at`; a check-in's
`submitted_at`), then the highest id. So a figure entered later for an earlier day never
overrides a later day's, and of two for the same day the one said last stands, whatever order
the rows were stored in.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, func
from sqlalchemy import select as sa_select
from sqlalchemy.sql.elements import ColumnElement, UnaryExpression
from sqlmodel import col


def newest_first(model: Any) -> tuple[UnaryExpression[Any], ...]:
    """The one ordering, newest first: for ORDER BY ... LIMIT 1 down an index in that order."""
    recorded = model.reported_at if hasattr(model, "reported_at") else model.submitted_at
    return (col(model.local_date).desc(), col(recorded).desc(), col(model.id).desc())


def newest_values(model: Any, keys: Sequence[Any], columns: Sequence[Any], *where: ColumnElement[bool]) -> Select[Any]:
    """`columns` (named as the model names them) of the newest row of `model` per value of
    `keys`, among the rows that match `where`: one window query."""
    ranked = _ranked(model, keys, columns, where)
    return sa_select(*(ranked.c[column.key] for column in columns)).where(ranked.c.rank == 1)


def newest_rows(model: Any, keys: Sequence[Any], *where: ColumnElement[bool]) -> Select[Any]:
    """The whole newest row of `model` per value of `keys`, among the rows that match `where`."""
    ranked = _ranked(model, keys, (col(model.id),), where)
    return sa_select(model).join(ranked, ranked.c.id == col(model.id)).where(ranked.c.rank == 1)


def _ranked(model: Any, keys: Sequence[Any], columns: Sequence[Any], where: Sequence[ColumnElement[bool]]) -> Any:
    rank = func.row_number().over(partition_by=tuple(keys), order_by=newest_first(model)).label("rank")
    return sa_select(*columns, rank).where(*where).subquery()
