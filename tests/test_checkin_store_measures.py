"""The check-in against a real database (SQLite, and PostgreSQL when reachable): the optional
measures of a service."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from checkin_store_support import (
    BOB,
    CAROL,
    MONDAY,
    PROGRAMME,
    TUESDAY,
    _no_change,
    answers,
    form_for,
    rows,
    stored,
    submit,
)

from bot.checkin import (
    Rejected,
    initial_values,
    measure_key,
)
from bot.programme.file import parse_programme_file
from bot.programme.loader import load_programme
from models.tables import CapacityReport, CheckIn

# Optional measures ------------------------------------------------------------------------

MEASURES = """measures:
  home_care:
    - {key: hours_not_delivered, label: Care hours that could not be delivered yesterday, unit: hours}
    - {key: people_waiting, label: People waiting for a package of care, unit: people}
"""
HOURS_LOST = measure_key("home_care", "hours_not_delivered")
WAITING = measure_key("home_care", "people_waiting")


@pytest.fixture
def measured(engine):
    text = PROGRAMME.read_text(encoding="utf-8") + MEASURES
    load_programme(engine, parse_programme_file(text, "checkin.yaml"))
    return engine


def capacity_measures(db, day: date) -> dict[str, dict]:
    return {r.service: r.measures for r in rows(db, CapacityReport, CapacityReport.local_date == day)}


def test_the_form_carries_the_services_measures_and_nothing_for_the_others(measured):
    form = form_for(measured, BOB)
    home_care, reablement = form.services
    assert [m.key for m in home_care.measures] == [HOURS_LOST, WAITING]
    assert home_care.measures[0].measure.question == "Care hours that could not be delivered yesterday (hours)"
    assert home_care.measures[0].last_value is None and reablement.measures == ()
    assert HOURS_LOST in form.keys and WAITING in form.keys


def test_measures_are_stored_as_text_of_exact_decimals_and_blank_ones_are_left_out(measured):
    form = form_for(measured, BOB)
    result = stored(measured, BOB, answers(form, **{HOURS_LOST: "1,212.5", WAITING: ""}))
    assert capacity_measures(measured, MONDAY.date()) == {
        "home_care": {"hours_not_delivered": "1212.5"},
        "reablement": {},
    }
    (home_care, reablement) = result.services
    assert [(m.key, m.label, m.unit, m.value) for m in home_care.measures] == [
        ("hours_not_delivered", "Care hours that could not be delivered yesterday", "hours", Decimal("1212.5"))
    ]
    assert reablement.measures == ()


def test_a_measure_of_zero_is_a_figure_not_a_blank(measured):
    stored(measured, BOB, answers(form_for(measured, BOB), **{HOURS_LOST: "0", WAITING: "0.50"}))
    assert capacity_measures(measured, MONDAY.date())["home_care"] == {
        "hours_not_delivered": "0",
        "people_waiting": "0.5",
    }


def test_a_bad_measure_is_rejected_on_its_field_and_nothing_is_stored(measured):
    outcome = submit(measured, BOB, answers(form_for(measured, BOB), **{HOURS_LOST: "-4", WAITING: "1.234"}))
    assert isinstance(outcome, Rejected) and set(outcome.errors) == {HOURS_LOST, WAITING}
    assert rows(measured, CheckIn) == []


def test_the_next_form_shows_the_last_values_given_without_prefilling_them(measured):
    stored(measured, BOB, answers(form_for(measured, BOB), **{HOURS_LOST: "12.5", WAITING: "4"}))
    stored(measured, BOB, answers(form_for(measured, BOB, TUESDAY.date()), **{WAITING: "6"}), now=TUESDAY)
    wednesday = TUESDAY.date() + timedelta(days=1)
    form = form_for(measured, CAROL, wednesday)
    hours, waiting = form.services[0].measures
    assert (hours.last_value, hours.last_date) == (Decimal("12.5"), MONDAY.date())
    assert (waiting.last_value, waiting.last_date) == (Decimal(6), TUESDAY.date())
    assert HOURS_LOST not in initial_values(form) and WAITING not in initial_values(form)


def test_an_amendment_that_blanks_a_measure_is_not_undone_by_the_earlier_answer(measured):
    stored(measured, BOB, answers(form_for(measured, BOB), **{HOURS_LOST: "12.5"}))
    amending = form_for(measured, BOB)
    assert initial_values(amending)[HOURS_LOST] == "12.5"  # today's figure, offered again to amend
    stored(measured, BOB, answers(amending, **{HOURS_LOST: ""}), now=MONDAY + timedelta(minutes=5))
    hours = form_for(measured, BOB, TUESDAY.date()).services[0].measures[0]
    assert hours.last_value is None


def test_nothing_new_today_copies_the_last_reports_measures(measured):
    stored(measured, BOB, answers(form_for(measured, BOB), **{HOURS_LOST: "12.5", WAITING: "4"}))
    result = _no_change(measured, BOB, TUESDAY)
    assert capacity_measures(measured, TUESDAY.date()) == {
        "home_care": {"hours_not_delivered": "12.5", "people_waiting": "4"},
        "reablement": {},
    }
    home_care = result.services[0]
    assert [(m.key, m.value) for m in home_care.measures] == [
        ("hours_not_delivered", Decimal("12.5")),
        ("people_waiting", Decimal(4)),
    ]
