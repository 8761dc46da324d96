"""The check-in form of one member on one local date, prefilled with the last answers; each
field is named by its key (bot.checkin.field_keys)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, select

from bot.checkin.blockers import open_blockers_of
from bot.checkin.field_keys import (
    BLOCKERS,
    COMMENT,
    CORRECTION,
    FIGURES,
    STILL,
    blocker_key,
    measure_key,
    scheme_key,
    service_key,
)
from bot.checkin.prompts import CheckinScope, SchemeScope, checkin_scope
from bot.checkin.questions_on_form import QuestionOnForm, open_questions_for
from bot.common.calendar import local_now
from bot.common.labels import service_label
from bot.common.measures import Measure, measure_value, measures_for
from bot.common.money import format_money, format_quantity
from bot.common.newest import newest_first, newest_rows
from models.tables import CapacityReport, CheckIn, Member, Organisation, Programme, SpendReport, row_id
from models.vocabulary import Unit

LAST_MEASURE_DAYS = 31  # how far back the hint looks for a measure's last value

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
class MeasureOnForm:
    """An optional daily number; the last value given (if any) is shown, never prefilled."""

    measure: Measure
    last_value: Decimal | None = None
    last_date: date | None = None

    @property
    def key(self) -> str:
        return measure_key(self.measure.service, self.measure.key)


@dataclass(frozen=True)
class ServiceOnForm:
    service: str
    label: str
    last_level: int | None
    last_date: date | None
    measures: tuple[MeasureOnForm, ...] = ()

    @property
    def keys(self) -> tuple[str, ...]:
        """The level, then each measure: the order the form shows them."""
        return (service_key(self.service), *(m.key for m in self.measures))


@dataclass(frozen=True)
class TodaysCheckin:
    id: int
    submitted_at: datetime  # in the programme's timezone
    no_change: bool
    comment: str | None


ASKED_BLOCKERS = 5  # open blockers a form asks after, oldest first; `/winter blockers` lists them all


@dataclass(frozen=True)
class OpenBlocker:
    blocker_id: int
    text: str
    raised_on: date
    status: str  # open, or working (a lead has taken it on)


@dataclass(frozen=True)
class CheckinForm:
    scope: CheckinScope
    timezone: str
    local_date: date
    schemes: tuple[SchemeOnForm, ...]
    services: tuple[ServiceOnForm, ...]
    blockers: str | None  # today's blockers when amending today's check-in; a new day starts blank
    today: TodaysCheckin | None
    questions: tuple[QuestionOnForm, ...] = ()  # the leads' open questions: optional answers
    open_blockers: tuple[OpenBlocker, ...] = ()  # the organisation's blockers still open, oldest first

    @property
    def amending(self) -> bool:
        return self.today is not None

    @property
    def keys(self) -> tuple[str, ...]:
        figures = [scheme_key(s.id, f) for s in self.schemes for f in FIGURES]
        services = [key for s in self.services for key in s.keys]
        questions = [q.key for q in self.questions]
        return (*figures, *services, *questions, CORRECTION, BLOCKERS, COMMENT)


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
        values |= _todays_measures(service, form.local_date)
    for question in form.questions:
        if question.answer:
            values[question.key] = question.answer
    for blocker in form.open_blockers:
        values[blocker_key(blocker.blocker_id)] = STILL
    if form.blockers:
        values[BLOCKERS] = form.blockers
    if form.today is not None and form.today.comment:
        values[COMMENT] = form.today.comment
    return values


def _todays_measures(service: ServiceOnForm, today: date) -> dict[str, str]:
    """Yesterday's number is not today's, so measures start blank; but amending today's
    check-in shows today's numbers again, or saving would lose them."""
    return {
        m.key: quantity_text(m.last_value)
        for m in service.measures
        if m.last_value is not None and m.last_date == today
    }


def build_form(session: Session, member: Member, today: date) -> CheckinForm:
    """The member's form as it is shown: every field with what it starts from."""
    return _form(session, member, today, shown=True)


def form_to_check(session: Session, member: Member, today: date) -> CheckinForm:
    """The form as answers are checked against it and stored: without what only the form shows
    (the standing blockers, the last value of each measure), which a submission does not need.
    Answers refused are shown again on build_form's form."""
    return _form(session, member, today, shown=False)


def _form(session: Session, member: Member, today: date, shown: bool) -> CheckinForm:
    """The programme and organisation are held here while the form is built: the session keeps
    only rows something refers to, and the scope and the questions read them again by id."""
    programme = session.get(Programme, member.programme_id)
    organisation = session.get(Organisation, member.organisation_id)
    assert programme is not None and organisation is not None
    scope = checkin_scope(session, member)
    return CheckinForm(
        scope=scope,
        timezone=programme.timezone,
        local_date=today,
        schemes=_schemes(session, scope.schemes, today),
        services=_services(session, scope, today, programme.settings or {}, shown),
        blockers=_todays_blockers(session, row_id(member), today) if shown else None,
        today=todays_checkin(session, member, today, programme.timezone),
        questions=tuple(open_questions_for(session, member, today)),
        open_blockers=_open_blockers(session, member, today),
    )


def todays_checkin(session: Session, member: Member, today: date, tz: str) -> TodaysCheckin | None:
    row = session.exec(
        select(CheckIn)
        .where(CheckIn.member_id == member.id, CheckIn.local_date == today)
        .order_by(*newest_first(CheckIn))
    ).first()
    if row is None:
        return None
    return TodaysCheckin(
        id=row_id(row),
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


def latest_capacity(session: Session, organisation_id: int, today: date) -> dict[str, CapacityReport]:
    """The organisation's newest capacity report per service, on or before today."""
    return _latest(
        session, CapacityReport, CapacityReport.service, CapacityReport.organisation_id == organisation_id, today
    )


def _services(
    session: Session, scope: CheckinScope, today: date, settings: dict[str, Any], shown: bool = True
) -> tuple[ServiceOnForm, ...]:
    last = latest_capacity(session, scope.organisation_id, today)
    defined = {service: measures_for(settings, service) for service in scope.services}
    measured = [s for s, m in defined.items() if m] if shown else []
    values = _last_measures(session, scope.organisation_id, measured, today)
    return tuple(
        ServiceOnForm(
            service=service,
            label=service_label(service),
            last_level=last[service].level if service in last else None,
            last_date=last[service].local_date if service in last else None,
            measures=tuple(MeasureOnForm(m, *values.get((service, m.key), (None, None))) for m in defined[service]),
        )
        for service in scope.services
    )


def _last_measures(
    session: Session, organisation_id: int, services: list[str], today: date
) -> dict[tuple[str, str], tuple[Decimal, date]]:
    """The last value given for each (service, measure key) in the past month. Only each day's
    newest report counts: a value an amendment left blank is not brought back."""
    if not services:
        return {}
    rows = session.exec(
        select(CapacityReport)
        .where(
            CapacityReport.organisation_id == organisation_id,
            col(CapacityReport.service).in_(services),
            CapacityReport.local_date <= today,
            CapacityReport.local_date > today - timedelta(days=LAST_MEASURE_DAYS),
        )
        .order_by(*newest_first(CapacityReport))
    ).all()
    found: dict[tuple[str, str], tuple[Decimal, date]] = {}
    days: set[tuple[str, date]] = set()
    for row in rows:
        if (row.service, row.local_date) in days:
            continue
        days.add((row.service, row.local_date))
        for key in row.measures or {}:
            value = measure_value(row.measures, key)
            if value is not None:
                found.setdefault((row.service, key), (value, row.local_date))
    return found


def _todays_blockers(session: Session, member_id: int, today: date) -> str | None:
    """What this member wrote under Blockers today (amending shows it again, or saving would
    lose it); yesterday's are items of their own now (bot.checkin.blockers), not a box to refill."""
    return session.exec(
        select(CheckIn.blockers)
        .where(CheckIn.member_id == member_id, CheckIn.local_date == today)
        .order_by(*newest_first(CheckIn))
    ).first()


def _open_blockers(session: Session, member: Member, today: date) -> tuple[OpenBlocker, ...]:
    """The organisation's open blockers the form asks after: the oldest ASKED_BLOCKERS, not the
    one this member raised today (the New blockers box holds its words)."""
    found = [
        OpenBlocker(row_id(b), b.text, b.raised_on, b.status)
        for b in open_blockers_of(session, member.organisation_id)
        if not (b.raised_by_member_id == member.id and b.raised_on == today)
    ]
    return tuple(found[:ASKED_BLOCKERS])


def _latest(session: Session, model: Any, partition: Any, where: Any, today: date) -> dict[Any, Any]:
    """The newest row of `model` per value of `partition`, on or before today."""
    rows = session.execute(newest_rows(model, (partition,), where, col(model.local_date) <= today)).scalars().all()
    return {getattr(row, partition.key): row for row in rows}
