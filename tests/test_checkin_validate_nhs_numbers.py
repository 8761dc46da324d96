"""validate(form, answers): an NHS number typed into a numeric field is refused, saying why."""

from __future__ import annotations

from decimal import Decimal

import pytest
from checkin_validate_support import (
    ACTIVITY,
    HOURS,
    HOURS_LOST,
    SAME_DAY,
    STAFF,
    answers_for,
    errors,
    make_form,
    measured_form,
    scheme,
)

from bot.checkin import (
    FieldError,
    parse_activity,
    scheme_key,
)

# -- an NHS number typed into a numeric field is refused, saying why --------------------------


@pytest.mark.parametrize(
    "typed", ["943 476 5919", "9434765919", "943.476.5919", "943\u00a0476\u00a05919", "(943) 476-5919", "9,434,765,919"]
)
def test_an_nhs_number_as_activity_is_refused_saying_why_and_the_rest_stands(typed):
    form = make_form(scheme(), scheme(STAFF, unit="staff_wte"))
    found = errors(form, answers_for(form, **{ACTIVITY.replace(":", "__"): typed, "comment": "fine"}))
    assert list(found) == [ACTIVITY]
    assert found[ACTIVITY] == "That looks like an NHS number. Enter the number of hours, not a patient's details"
    assert typed not in found[ACTIVITY] and "5919" not in found[ACTIVITY]


@pytest.mark.parametrize("figure", ["actual", "committed"])
@pytest.mark.parametrize("typed", ["943 476 5919", "£9434765919", "£943-476-5919"])
def test_an_nhs_number_as_an_amount_is_refused_saying_why(figure, typed):
    form = make_form(scheme(budget="10000000000"))  # a budget so large the amount alone would pass
    key = scheme_key(HOURS, figure)
    found = errors(form, answers_for(form, **{key.replace(":", "__"): typed}))
    assert list(found) == [key]
    assert found[key] == "That looks like an NHS number. Enter an amount in pounds, not a patient's details"


def test_an_nhs_number_as_a_measure_is_refused_naming_its_unit():
    form = measured_form()
    found = errors(
        form,
        answers_for(
            form, **{HOURS_LOST.replace(":", "__"): "943 476 5919", SAME_DAY.replace(":", "__"): "9434765919%"}
        ),
    )
    assert set(found) == {HOURS_LOST, SAME_DAY}
    assert found[HOURS_LOST].startswith(
        "That looks like an NHS number. Enter the number of hours, not a patient's details"
    )
    assert "Enter a percentage" in found[SAME_DAY]


def test_a_ten_digit_activity_failing_the_check_is_still_just_a_large_number():
    assert parse_activity("123 456 7890") == Decimal("1234567890.00")
    with pytest.raises(FieldError, match="NHS number"):
        parse_activity("943 476 5919", asked="the number of visits")
