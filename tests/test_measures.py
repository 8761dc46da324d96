"""bot.common.measures: the measures a programme defines, and the values stored for them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.common.measures import DISCHARGES, Measure, measure_value, measures_for, stored_value, value_text

SETTINGS = {
    "thresholds": {},
    "measures": {
        "home_care": [
            {
                "key": "hours_not_delivered",
                "label": "Care hours that could not be delivered yesterday",
                "unit": "hours",
            },
            {"key": "people_waiting", "label": "People waiting for a package of care", "unit": None},
        ],
        "acute_discharge": [{"key": DISCHARGES, "label": "People discharged yesterday", "unit": "people"}],
    },
}


def test_measures_for_a_service_come_in_file_order():
    assert measures_for(SETTINGS, "home_care") == (
        Measure("home_care", "hours_not_delivered", "Care hours that could not be delivered yesterday", "hours"),
        Measure("home_care", "people_waiting", "People waiting for a package of care", None),
    )
    assert measures_for(SETTINGS, "acute_discharge")[0].key == DISCHARGES == "discharges"


@pytest.mark.parametrize("settings", [None, {}, {"measures": None}, {"measures": {"gp": []}}, SETTINGS])
def test_a_service_without_measures_has_none(settings):
    assert measures_for(settings, "gp") == ()


def test_a_malformed_entry_is_skipped_not_fatal():
    settings = {"measures": {"gp": [{"key": "same_day"}, "text", {"key": "ok", "label": "OK", "unit": ""}]}}
    assert measures_for(settings, "gp") == (Measure("gp", "ok", "OK", None),)


def test_the_question_carries_the_unit():
    hours, people = measures_for(SETTINGS, "home_care")
    assert hours.question == "Care hours that could not be delivered yesterday (hours)"
    assert people.question == "People waiting for a package of care"


@pytest.mark.parametrize(
    ("value", "text"),
    [(Decimal("12.50"), "12.5"), (Decimal("1200"), "1200"), (Decimal("0.00"), "0"), (Decimal("7.05"), "7.05")],
)
def test_values_are_stored_as_exact_text_without_exponents(value, text):
    assert stored_value(value) == text


@pytest.mark.parametrize(
    ("stored", "value"),
    [("12.5", Decimal("12.5")), ("0", Decimal(0)), (" 3 ", Decimal(3)), (7, Decimal(7))],
)
def test_stored_values_read_back_as_decimals(stored, value):
    read = measure_value({"hours_not_delivered": stored}, "hours_not_delivered")
    assert read == value and isinstance(read, Decimal)


@pytest.mark.parametrize("stored", [None, "", "  ", "n/a", "NaN", "Infinity", True])
def test_values_that_are_not_numbers_read_as_not_reported(stored):
    assert measure_value({"x": stored}, "x") is None


def test_a_missing_value_or_no_measures_is_not_reported():
    assert measure_value({}, "x") is None
    assert measure_value(None, "x") is None


@given(st.decimals(min_value=Decimal(0), max_value=Decimal("999999999999.99"), places=2))
def test_a_stored_value_round_trips(value):
    assert measure_value({"k": stored_value(value)}, "k") == value


def test_values_read_as_people_write_them():
    assert value_text(Decimal("1250.5"), "hours") == "1,250.5 hours"
    assert value_text(Decimal("85"), "%") == "85%"
    assert value_text(Decimal("3")) == "3"
