"""Storing a check-in: one CheckIn row and its ledger rows, in the caller's transaction.

The ledger is append-only. An amendment is a new CheckIn superseding the member's earlier
one of that date, with new report rows; "nothing new today" appends the last figures again
(source "no_change"), so each day's statement is on record. Nothing is updated or deleted.
A service's optional measures are stored on its CapacityReport as text of exact Decimals.
Each non-blank answer to a leads' question is a QuestionAnswer of the check-in; amending
appends new ones (the newest counts), and "nothing new today" answers no question.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlmodel import Session, select

from bot.checkin.answers import QuestionAnswered, Submission
from bot.checkin.blockers import answer_standing, raise_from_checkin
from bot.checkin.form import (
    CheckinForm,
    Figures,
    SchemeOnForm,
    ServiceOnForm,
    TodaysCheckin,
    build_form,
    latest_capacity,
)
from bot.common.calendar import local_now
from bot.common.measures import measure_value, stored_value
from models.tables import CapacityReport, CheckIn, Member, QuestionAnswer, SpendReport, row_id

SOURCE_CHECKIN = "checkin"
SOURCE_NO_CHANGE = "no_change"


@dataclass(frozen=True)
class ReportedScheme:
    name: str
    unit: str
    unit_label: str
    planned: Decimal
    figures: Figures
    correction_reason: str | None


@dataclass(frozen=True)
class ReportedMeasure:
    key: str
    label: str
    unit: str | None
    value: Decimal


@dataclass(frozen=True)
class ReportedService:
    service: str
    label: str
    level: int
    measures: tuple[ReportedMeasure, ...] = ()


@dataclass(frozen=True)
class CheckinResult:
    """What was stored, or (`recorded` False) that today's check-in was already in."""

    programme_id: int
    programme_name: str
    organisation_name: str
    local_date: date
    submitted_at: datetime  # in the programme's timezone
    checkin_id: int
    recorded: bool
    amended: bool = False
    no_change: bool = False
    schemes: tuple[ReportedScheme, ...] = ()
    services: tuple[ReportedService, ...] = ()
    redactions: int = 0
    nothing_to_reaffirm: tuple[str, ...] = ()  # no earlier answer to say "no change" to
    questions_answered: int = 0  # the leads' questions answered in this check-in


def lock_member(session: Session, member: Member) -> None:
    """Serialise one member's check-ins (a double click, two devices) on PostgreSQL."""
    session.exec(select(Member.id).where(Member.id == member.id).with_for_update()).one()


def record(session: Session, member: Member, submission: Submission, now: datetime) -> CheckinResult:
    """Store answers checked against a form read with the member locked (submit_checkin), so
    the form's check-in of today is still the latest one."""
    form = submission.form
    if form.scope.member_id != member.id:
        raise ValueError("a check-in is stored only for the member whose form it is")
    previous = form.today
    checkin = _add_checkin(
        session,
        form,
        now,
        previous,
        blockers=submission.blockers,
        comment=submission.comment,
        redactions=submission.redactions,
    )
    answer_standing(session, checkin, submission.standing, now)
    raise_from_checkin(session, checkin, submission.blockers, now)
    schemes = tuple(
        _add_spend(session, checkin, a.scheme, a.figures, SOURCE_CHECKIN, a.correction_reason)
        for a in submission.schemes
    )
    services = tuple(
        _add_capacity(session, checkin, a.service, a.level, stored_measures(a.measures)) for a in submission.services
    )
    for answer in submission.questions:
        _add_answer(session, checkin, answer)
    return _result(
        form,
        checkin,
        amended=previous is not None,
        schemes=schemes,
        services=services,
        questions_answered=len(submission.questions),
    )


def record_no_change(session: Session, member: Member, today: date, now: datetime) -> CheckinResult:
    lock_member(session, member)
    form = build_form(session, member, today)
    if form.today is not None:
        return _already_answered(form, form.today)
    checkin = _add_checkin(session, form, now, None, no_change=True)
    schemes = tuple(
        _add_spend(session, checkin, s, s.last, SOURCE_NO_CHANGE) for s in form.schemes if s.last is not None
    )
    last = latest_capacity(session, form.scope.organisation_id, today)
    services = tuple(
        _add_capacity(session, checkin, s, s.last_level, dict(last[s.service].measures or {}))
        for s in form.services
        if s.last_level is not None
    )
    missing = (
        *(s.name for s in form.schemes if s.last is None),
        *(s.label for s in form.services if s.last_level is None),
    )
    return _result(
        form, checkin, no_change=True, schemes=schemes, services=services, nothing_to_reaffirm=tuple(missing)
    )


def _add_checkin(
    session: Session, form: CheckinForm, now: datetime, previous: TodaysCheckin | None, **fields: Any
) -> CheckIn:
    row = CheckIn(
        programme_id=form.scope.programme_id,
        member_id=form.scope.member_id,
        organisation_id=form.scope.organisation_id,
        local_date=form.local_date,
        supersedes_id=previous.id if previous else None,
        submitted_at=now,
        **fields,
    )
    session.add(row)
    session.flush()
    return row


def _of_checkin(checkin: CheckIn) -> dict[str, Any]:
    """What a report row takes from its check-in: the report is dated and timed as the check-in."""
    return {
        "programme_id": checkin.programme_id,
        "member_id": checkin.member_id,
        "checkin_id": checkin.id,
        "local_date": checkin.local_date,
        "reported_at": checkin.submitted_at,
    }


def _add_spend(
    session: Session,
    checkin: CheckIn,
    scheme: SchemeOnForm,
    figures: Figures,
    source: str,
    correction_reason: str | None = None,
) -> ReportedScheme:
    session.add(
        SpendReport(
            **_of_checkin(checkin),
            scheme_id=scheme.id,
            actual=figures.actual,
            committed=figures.committed,
            activity=figures.activity,
            correction_reason=correction_reason,
            source=source,
        )
    )
    plain = Figures(actual=figures.actual, committed=figures.committed, activity=figures.activity)
    return ReportedScheme(scheme.name, scheme.unit, scheme.unit_label, scheme.planned, plain, correction_reason)


def stored_measures(values: dict[str, Decimal]) -> dict[str, str]:
    """As CapacityReport.measures keeps them: text of exact Decimals, never floats."""
    return {key: stored_value(value) for key, value in values.items()}


def _reported_measures(service: ServiceOnForm, stored: dict[str, Any]) -> tuple[ReportedMeasure, ...]:
    """The service's measures that have a value, in the form's order."""
    out = []
    for m in service.measures:
        value = measure_value(stored, m.measure.key)
        if value is not None:
            out.append(ReportedMeasure(m.measure.key, m.measure.label, m.measure.unit, value))
    return tuple(out)


def _add_capacity(
    session: Session, checkin: CheckIn, service: ServiceOnForm, level: int, measures: dict[str, Any]
) -> ReportedService:
    session.add(
        CapacityReport(
            **_of_checkin(checkin),
            organisation_id=checkin.organisation_id,
            service=service.service,
            level=level,
            measures=measures,
        )
    )
    return ReportedService(service.service, service.label, level, _reported_measures(service, measures))


def _add_answer(session: Session, checkin: CheckIn, answer: QuestionAnswered) -> None:
    session.add(
        QuestionAnswer(
            question_id=answer.question.id,
            member_id=checkin.member_id,
            organisation_id=checkin.organisation_id,
            checkin_id=row_id(checkin),
            text=answer.text,
            answered_at=checkin.submitted_at,
        )
    )


def _result(form: CheckinForm, checkin: CheckIn, **fields: Any) -> CheckinResult:
    return CheckinResult(
        programme_id=form.scope.programme_id,
        programme_name=form.scope.programme_name,
        organisation_name=form.scope.organisation_name,
        local_date=form.local_date,
        submitted_at=local_now(checkin.submitted_at, form.timezone),
        checkin_id=row_id(checkin),
        recorded=True,
        redactions=checkin.redactions,
        **fields,
    )


def _already_answered(form: CheckinForm, today: TodaysCheckin) -> CheckinResult:
    return CheckinResult(
        programme_id=form.scope.programme_id,
        programme_name=form.scope.programme_name,
        organisation_name=form.scope.organisation_name,
        local_date=form.local_date,
        submitted_at=today.submitted_at,
        checkin_id=today.id,
        recorded=False,
        no_change=today.no_change,
    )
