"""Reading the spend ledger: the live tranches and schemes, each scheme's newest figures as of a
day, every row in order, and the spend position read from them.

A fixed handful of queries, whatever the number of days or schemes. A scheme's figures on a
day are its newest row dated on or before it (bot.common.newest).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, type_coerce
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.common.newest import newest_first
from bot.programme.lookup import get_programme
from bot.spend.flags import SpendThresholds, spend_flags, spend_thresholds
from bot.spend.period import period_of, recent_window
from bot.spend.position import ZERO, SchemeSpend, SpendPosition, allocated, by_source, forecast
from bot.spend.underspend import UnderspendState, readings, underspend_state
from bot.spend.words import format_spend
from models.db import session_scope
from models.tables import Organisation, Programme, Scheme, SpendReport, Tranche, row_id
from models.types import Money

LedgerRow = tuple[int, date, Decimal, Decimal]  # (scheme, local date, actual, committed)


@dataclass(frozen=True)
class Figures:
    """A scheme's latest ledger row as of some day."""

    actual: Decimal
    committed: Decimal
    activity: Decimal
    local_date: date


def live_tranches(session: Session, programme_id: int) -> list[Tranche]:
    """The programme's live tranches, soonest available first."""
    return list(
        session.exec(
            select(Tranche)
            .where(Tranche.programme_id == programme_id, col(Tranche.archived_at).is_(None))
            .order_by(col(Tranche.available_on), col(Tranche.id))
        )
    )


def live_schemes(session: Session, programme_id: int) -> list[tuple[Scheme, str]]:
    """The programme's live schemes with their owner's name, by id."""
    rows = session.exec(
        select(Scheme, Organisation.name)
        .join(Organisation, col(Organisation.id) == col(Scheme.owner_organisation_id))
        .where(Scheme.programme_id == programme_id, col(Scheme.archived_at).is_(None))
        .order_by(col(Scheme.id))
    ).all()
    return [(scheme, owner) for scheme, owner in rows]


def latest_as_of(session: Session, programme_id: int, day: date) -> dict[int, Figures]:
    """Each scheme's newest row (bot.common.newest) among rows dated on or before `day`: one
    query, a look-up per scheme down the ledger's (scheme, local_date, reported_at, id) index from its
    newest row, so the cost follows the number of schemes, not the length of the ledger."""
    newest = (
        sa_select(col(SpendReport.id))
        .where(col(SpendReport.scheme_id) == col(Scheme.id), col(SpendReport.local_date) <= day)
        .order_by(*newest_first(SpendReport))
        .limit(1)
        .correlate(Scheme)
        .scalar_subquery()
    )
    latest = sa_select(newest.label("report_id")).where(col(Scheme.programme_id) == programme_id).subquery()
    rows = session.execute(
        sa_select(
            col(SpendReport.scheme_id),
            col(SpendReport.actual),
            col(SpendReport.committed),
            col(SpendReport.activity),
            col(SpendReport.local_date),
        ).join(latest, latest.c.report_id == col(SpendReport.id))
    ).all()
    return {row[0]: Figures(row[1], row[2], row[3], row[4]) for row in rows}


def ledger_rows(session: Session, programme_id: int, schemes: set[int]) -> list[LedgerRow]:
    """Every ledger row of the programme (scheme, local date, actual, committed), in the order
    that decides which row wins (bot.common.newest), oldest first within each scheme. One query."""
    rows = session.execute(
        sa_select(
            col(SpendReport.scheme_id), col(SpendReport.local_date), col(SpendReport.actual), col(SpendReport.committed)
        )
        .where(col(SpendReport.programme_id) == programme_id)
        .order_by(col(SpendReport.scheme_id), *(order.element.asc() for order in newest_first(SpendReport)))
    ).all()
    return [(r[0], r[1], r[2], r[3]) for r in rows if r[0] in schemes]


def daily_actual_changes(session: Session, programme_id: int) -> dict[date, Decimal]:
    """How the live schemes' total actual changed on each day, worked out by the database: each
    row's actual less the scheme's row before it (bot.common.newest's order), summed by date. The
    differences of a day add up to its newest figure less the newest before it, so the result is
    the same as reading each day's newest row, in one row a day rather than one a report."""
    ordered = [order.element.asc() for order in newest_first(SpendReport)]
    before = func.lag(col(SpendReport.actual), 1, 0).over(partition_by=col(SpendReport.scheme_id), order_by=ordered)
    rows = (
        sa_select(col(SpendReport.local_date).label("day"), (col(SpendReport.actual) - before).label("change"))
        .join(Scheme, col(Scheme.id) == col(SpendReport.scheme_id))
        .where(col(SpendReport.programme_id) == programme_id, col(Scheme.archived_at).is_(None))
        .subquery()
    )
    summed = session.execute(
        sa_select(rows.c.day, type_coerce(func.sum(rows.c.change), Money)).group_by(rows.c.day)
    ).all()
    return {row[0]: row[1] for row in summed}


def spend_position(session: Session, programme: Programme, today: date) -> SpendPosition:
    """Where the money stands on `today` (the programme's local date): the ledger's rows dated
    on or before today, the tranches, the forecast and the flags. Six queries."""
    assert programme.id is not None
    tranches = live_tranches(session, programme.id)
    schemes = live_schemes(session, programme.id)
    latest = latest_as_of(session, programme.id, today)
    lines = tuple(_scheme_spend(scheme, owner, latest.get(row_id(scheme))) for scheme, owner in schemes)
    today_in = any(s.last_reported == today for s in lines)
    period = period_of((t.available_on for t in tranches), programme.deadline, today, today_in)
    n, before, last = recent_window(period)
    if n:
        recent_spent = _total_actual(latest_as_of(session, programme.id, last), schemes) - _total_actual(
            latest_as_of(session, programme.id, before), schemes
        )
    else:
        recent_spent = ZERO
    allocated_total = allocated(tranches)
    actual = sum((s.actual for s in lines), ZERO)
    committed = sum((s.committed for s in lines), ZERO)
    position = SpendPosition(
        programme_slug=programme.slug,
        programme_name=programme.name,
        today=today,
        deadline=programme.deadline,
        allocated_so_far=allocated(tranches, today),
        allocated_total=allocated_total,
        actual=actual,
        committed=committed,
        by_source=by_source(tranches, lines, today),
        schemes=lines,
        forecast=forecast(period, allocated_total, actual, committed, recent_spent, n),
        flags=(),
    )
    thresholds = spend_thresholds(programme)
    underspend = _underspend(session, programme, today, tranches, thresholds)
    return replace(position, flags=spend_flags(position, period, thresholds, underspend))


def underspend_history(session: Session, programme: Programme, today: date) -> UnderspendState:
    """The underspend flag on `today` and every spell it was raised before (two queries)."""
    assert programme.id is not None
    return _underspend(session, programme, today, live_tranches(session, programme.id), spend_thresholds(programme))


def _underspend(
    session: Session,
    programme: Programme,
    today: date,
    tranches: list[Tranche],
    thresholds: SpendThresholds,
) -> UnderspendState:
    found = readings(
        daily_actual_changes(session, row_id(programme)),
        [(t.available_on, t.announced_on, t.amount) for t in tranches],
        programme.deadline,
        today - timedelta(days=1),
        thresholds.underspend_risk_percent,
    )
    return underspend_state(found, today, thresholds.underspend_after_working_days)


def figures_in(session: Session, programme: Programme, today: date) -> bool:
    """Whether a spend figure dated `today` has been entered for a live scheme: today is then
    done, no longer a working day left (bot.common.definitions)."""
    return bool(
        session.exec(
            select(SpendReport.id)
            .join(Scheme, col(Scheme.id) == col(SpendReport.scheme_id))
            .where(
                SpendReport.programme_id == programme.id,
                SpendReport.local_date == today,
                col(Scheme.archived_at).is_(None),
            )
            .limit(1)
        ).first()
    )


def _total_actual(latest: dict[int, Figures], schemes: list[tuple[Scheme, str]]) -> Decimal:
    return sum((latest[s.id].actual for s, _ in schemes if s.id in latest), ZERO)


def _scheme_spend(scheme: Scheme, owner: str, figures: Figures | None) -> SchemeSpend:
    return SchemeSpend(
        scheme_id=row_id(scheme),
        key=scheme.key,
        name=scheme.name,
        scheme_type=scheme.scheme_type,
        funding_source=scheme.funding_source,
        owner=owner,
        budget=scheme.budget,
        actual=figures.actual if figures else ZERO,
        committed=figures.committed if figures else ZERO,
        activity=figures.activity if figures else ZERO,
        planned=scheme.planned,
        unit=scheme.unit,
        last_reported=figures.local_date if figures else None,
    )


def status_text(engine: Engine, slug: str, today: date) -> str:
    """`winterbot status SLUG`: the spend position on `today`, as terminal text."""
    with session_scope(engine) as session:
        return format_spend(spend_position(session, get_programme(session, slug), today))
