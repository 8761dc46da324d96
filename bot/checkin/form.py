"""The check-in form of one member on one local date, prefilled with the last answers.

Field keys are platform-neutral ("scheme:12:actual", "service:home_care", "blockers"): the
validator's errors and every platform's renderer use them, so an error names its field.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.calendar import local_now
from bot.money import format_money, format_quantity
from bot.prompts import CheckinScope, SchemeScope, checkin_scope
from models.tables import CapacityReport, CheckIn, Member, Programme, SpendReport
from models.vocabulary import SERVICE_LABELS, Service, Unit

CORRECTION = "correction"
BLOCKERS = "blockers"
COMMENT = "comment"
FIGURES = ("actual", "committed", "activity")

ACTIVITY_LABELS: dict[str, str] = {
    Unit.HOURS: "Hours delivered to date",
    Unit.BEDS: "Beds provided to date",
    Unit.BED_WEEKS: "Bed-weeks used to date",
    Unit.PACKAGES: "Packages of care started to date",
    Unit.STAFF_WTE: "Staff recruited to date (WTE)",
    Unit.EQUIPMENT_ITEMS: "Equipment items provided to date",
    Unit.PEOPLE: "People supported to date",
    Unit.VISITS: "Visits made to date",
    Unit.SESSIONS: "Sessions delivered to date",
    Unit.ASSESSMENTS: "Assessments completed to date",
}


def scheme_key(scheme_id: int, figure: str) -> str:
    return f"scheme:{scheme_id}:{figure}"


def service_key(service: str) -> str:
    return f"service:{service}"


@dataclass(frozen=True)
class Figures:
    actual: Decimal
    committed: Decimal
    activity: Decimal

    def get(self, figure: str) -> Decimal:
        return getattr(self, figure)


@dataclass(frozen=True)
class LastFigures(Figures):
    local_date: date


@dataclass(frozen=True)
class SchemeOnForm:
    id: int
    name: str
    unit: str
    unit_label: str
    budget: Decimal
    planned: Decimal
    last: LastFigures | None

    @property
    def activity_label(self) -> str:
        return ACTIVITY_LABELS.get(self.unit, f"Activity to date ({self.unit_label})")

    @property
    def counts_staff(self) -> bool:
        return self.unit == Unit.STAFF_WTE


@dataclass(frozen=True)
class ServiceOnForm:
    service: str
    label: str
    last_level: int | None
    last_date: date | None


@dataclass(frozen=True)
class TodaysCheckin:
    id: int
    submitted_at: datetime  # in the programme's timezone
    no_change: bool
    comment: str | None


@dataclass(frozen=True)
class CheckinForm:
    scope: CheckinScope
    timezone: str
    local_date: date
    schemes: tuple[SchemeOnForm, ...]
    services: tuple[ServiceOnForm, ...]
    blockers: str | None  # the organisation's standing blockers, offered again
    today: TodaysCheckin | None

    @property
    def amending(self) -> bool:
        return self.today is not None

    @property
    def keys(self) -> tuple[str, ...]:
        figures = [scheme_key(s.id, f) for s in self.schemes for f in FIGURES]
        services = [service_key(s.service) for s in self.services]
        return (*figures, *services, CORRECTION, BLOCKERS, COMMENT)


def amount_text(value: Decimal) -> str:
    """£12,500, or £12,500.50 when there are pence: as a person would type it."""
    return format_money(value, pence=value != value.to_integral_value())


quantity_text = format_quantity


def initial_values(form: CheckinForm) -> dict[str, str]:
    """What each field shows before the member types anything."""
    values: dict[str, str] = {}
    for scheme in form.schemes:
        if scheme.last is not None:
            values[scheme_key(scheme.id, "actual")] = amount_text(scheme.last.actual)
            values[scheme_key(scheme.id, "committed")] = amount_text(scheme.last.committed)
            values[scheme_key(scheme.id, "activity")] = quantity_text(scheme.last.activity)
    for service in form.services:
        if service.last_level is not None:
            values[service_key(service.service)] = str(service.last_level)
    if form.blockers:
        values[BLOCKERS] = form.blockers
    if form.today is not None and form.today.comment:
        values[COMMENT] = form.today.comment
    return values


def build_form(session: Session, member: Member, today: date) -> CheckinForm:
    scope = checkin_scope(session, member)
    programme = session.get(Programme, member.programme_id)
    assert programme is not None
    return CheckinForm(
        scope=scope,
        timezone=programme.timezone,
        local_date=today,
        schemes=_schemes(session, scope.schemes, today),
        services=_services(session, scope, today),
        blockers=_standing_blockers(session, scope.organisation_id, today),
        today=todays_checkin(session, member, today, programme.timezone),
    )


def todays_checkin(session: Session, member: Member, today: date, tz: str) -> TodaysCheckin | None:
    row = session.exec(
        select(CheckIn)
        .where(CheckIn.member_id == member.id, CheckIn.local_date == today)
        .order_by(col(CheckIn.id).desc())
    ).first()
    if row is None:
        return None
    return TodaysCheckin(
        id=row.id,  # type: ignore[arg-type]
        submitted_at=local_now(row.submitted_at, tz),
        no_change=row.no_change,
        comment=row.comment,
    )


def _schemes(session: Session, scopes: tuple[SchemeScope, ...], today: date) -> tuple[SchemeOnForm, ...]:
    ids = [s.id for s in scopes]
    last = _latest(session, SpendReport, SpendReport.scheme_id, col(SpendReport.scheme_id).in_(ids), today)
    return tuple(_scheme(scope, last.get(scope.id)) for scope in scopes)


def _scheme(scope: SchemeScope, last: SpendReport | None) -> SchemeOnForm:
    figures = None
    if last is not None:
        figures = LastFigures(
            actual=last.actual, committed=last.committed, activity=last.activity, local_date=last.local_date
        )
    return SchemeOnForm(
        id=scope.id,
        name=scope.name,
        unit=scope.unit,
        unit_label=scope.unit_label,
        budget=scope.budget,
        planned=scope.planned,
        last=figures,
    )


def _services(session: Session, scope: CheckinScope, today: date) -> tuple[ServiceOnForm, ...]:
    last = _latest(
        session,
        CapacityReport,
        CapacityReport.service,
        CapacityReport.organisation_id == scope.organisation_id,
        today,
    )
    return tuple(
        ServiceOnForm(
            service=service,
            label=service_label(service),
            last_level=last[service].level if service in last else None,
            last_date=last[service].local_date if service in last else None,
        )
        for service in scope.services
    )


def service_label(service: str) -> str:
    try:
        return SERVICE_LABELS[Service(service)]
    except ValueError:
        return service.replace("_", " ").capitalize()


def _standing_blockers(session: Session, organisation_id: int, today: date) -> str | None:
    return session.exec(
        select(CheckIn.blockers)
        .where(CheckIn.organisation_id == organisation_id, CheckIn.local_date <= today)
        .order_by(col(CheckIn.local_date).desc(), col(CheckIn.id).desc())
    ).first()


def _latest(session: Session, model: Any, partition: Any, where: Any, today: date) -> dict[Any, Any]:
    """The newest row of `model` per value of `partition`, on or before today."""
    rank = (
        func.row_number()
        .over(partition_by=partition, order_by=(col(model.local_date).desc(), col(model.id).desc()))
        .label("rank")
    )
    ranked = select(model.id, rank).where(where, model.local_date <= today).subquery()
    rows = session.exec(select(model).join(ranked, ranked.c.id == model.id).where(ranked.c.rank == 1)).all()
    return {getattr(row, partition.key): row for row in rows}
