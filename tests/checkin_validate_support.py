"""What the tests of validate(form, answers) share: a check-in form built in code with its schemes
and services (and one with measures), good answers to it, and the submission or errors it gives."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from bot.checkin import (
    CheckinForm,
    LastFigures,
    MeasureOnForm,
    SchemeOnForm,
    ServiceOnForm,
    Submission,
    TodaysCheckin,
    measure_key,
    scheme_key,
    service_key,
    validate,
)
from bot.checkin.prompts import CheckinScope, SchemeScope
from bot.common.measures import Measure

TODAY = date(2027, 1, 5)
HOURS, STAFF = 11, 12


def last(actual: str, committed: str, activity: str, on: date = date(2027, 1, 4)) -> LastFigures:
    return LastFigures(Decimal(actual), Decimal(committed), Decimal(activity), on)


def scheme(
    id: int = HOURS,
    *,
    unit: str = "hours",
    budget: str = "90000",
    planned: str = "3000",
    previous: LastFigures | None = None,
) -> SchemeOnForm:
    labels = {"hours": "hours", "staff_wte": "staff (WTE)"}
    return SchemeOnForm(
        id=id,
        name=f"Scheme {id}",
        unit=unit,
        unit_label=labels[unit],
        budget=Decimal(budget),
        planned=Decimal(planned),
        last=previous,
    )


def make_form(
    *schemes: SchemeOnForm,
    services: tuple[ServiceOnForm, ...] = (ServiceOnForm("home_care", "Home care", None, None),),
    today: TodaysCheckin | None = None,
    blockers: str | None = None,
) -> CheckinForm:
    scope = CheckinScope(
        programme_id=1,
        programme_name="Vale",
        member_id=7,
        member_name="Kerry Walsh",
        organisation_id=3,
        organisation_name="Brightside Home Care",
        schemes=tuple(
            SchemeScope(s.id, f"s{s.id}", s.name, s.unit, s.unit_label, s.budget, s.planned) for s in schemes
        ),
        services=tuple(s.service for s in services),
    )
    return CheckinForm(
        scope=scope,
        timezone="Europe/London",
        local_date=TODAY,
        schemes=tuple(schemes),
        services=services,
        blockers=blockers,
        today=today,
    )


def answers_for(form: CheckinForm, **overrides: str | None) -> dict[str, str | None]:
    """Every required field answered sensibly; keyword names use __ for ':'."""
    answers: dict[str, str | None] = {}
    for s in form.schemes:
        answers |= {
            scheme_key(s.id, "actual"): "£12,500",
            scheme_key(s.id, "committed"): "2k",
            scheme_key(s.id, "activity"): "400",
        }
    for s in form.services:
        answers[service_key(s.service)] = "2"
    answers |= {key.replace("__", ":"): value for key, value in overrides.items()}
    return answers


def ok(form: CheckinForm, answers: dict[str, str | None]) -> Submission:
    outcome = validate(form, answers)
    assert isinstance(outcome, Submission), outcome
    return outcome


def errors(form: CheckinForm, answers: dict[str, str | None]) -> dict[str, str]:
    outcome = validate(form, answers)
    assert isinstance(outcome, dict), outcome
    assert set(outcome) <= set(form.keys)
    return outcome


ACTUAL = scheme_key(HOURS, "actual")
COMMITTED = scheme_key(HOURS, "committed")
ACTIVITY = scheme_key(HOURS, "activity")


HOURS_LOST = measure_key("home_care", "hours_not_delivered")
WAITING = measure_key("home_care", "people_waiting")
SAME_DAY = measure_key("gp", "same_day_capacity_used")


def measured_form(today: TodaysCheckin | None = None) -> CheckinForm:
    home_care = ServiceOnForm(
        "home_care",
        "Home care",
        3,
        date(2027, 1, 4),
        (
            MeasureOnForm(
                Measure("home_care", "hours_not_delivered", "Care hours not delivered yesterday", "hours"),
                Decimal("12.5"),
                date(2027, 1, 4),
            ),
            MeasureOnForm(Measure("home_care", "people_waiting", "People waiting for a package of care", "people")),
        ),
    )
    gp = ServiceOnForm(
        "gp",
        "General practice",
        None,
        None,
        (MeasureOnForm(Measure("gp", "same_day_capacity_used", "Same-day used", "%")),),
    )
    return make_form(scheme(), services=(home_care, gp), today=today)
