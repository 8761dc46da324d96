"""validate(form, answers): the optional measures of a service on the check-in form."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from checkin_validate_support import (
    HOURS_LOST,
    SAME_DAY,
    TODAY,
    WAITING,
    answers_for,
    errors,
    measured_form,
    ok,
)

from bot.checkin import (
    initial_values,
    service_key,
)

# Optional measures ------------------------------------------------------------------------


def test_measure_keys_follow_their_service_on_the_form():
    assert HOURS_LOST == "measure:home_care:hours_not_delivered"
    keys = measured_form().keys
    assert keys[3:6] == (service_key("home_care"), HOURS_LOST, WAITING)
    assert keys[6:8] == (service_key("gp"), SAME_DAY)


@pytest.mark.parametrize("blank", [None, "", "   "])
def test_measures_are_optional_and_blank_is_not_reported(blank):
    form = measured_form()
    sub = ok(form, answers_for(form, **{HOURS_LOST.replace(":", "__"): blank}))
    assert [a.measures for a in sub.services] == [{}, {}]


@pytest.mark.parametrize(("typed", "value"), [("12.5", "12.50"), ("1,250", "1250"), ("0", "0"), (" 3 ", "3")])
def test_a_measure_is_an_exact_number(typed, value):
    form = measured_form()
    sub = ok(form, answers_for(form, **{HOURS_LOST.replace(":", "__"): typed, SAME_DAY.replace(":", "__"): "85%"}))
    home_care, gp = sub.services
    assert home_care.measures == {"hours_not_delivered": Decimal(value)}
    assert isinstance(home_care.measures["hours_not_delivered"], Decimal)
    assert gp.measures == {"same_day_capacity_used": Decimal(85)}


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("-3", "negative"),
        ("12.345", "two decimal places"),
        ("lots", "not a number"),
        ("12 hours", "not a number"),
        ("9" * 13, "too large"),
    ],
)
def test_a_bad_measure_is_refused_on_its_own_field_saying_what_to_write(typed, says):
    form = measured_form()
    found = errors(form, answers_for(form, **{HOURS_LOST.replace(":", "__"): typed}))
    assert list(found) == [HOURS_LOST]
    assert says in found[HOURS_LOST] and "leave it blank" in found[HOURS_LOST]
    assert "activity" not in found[HOURS_LOST]


def test_a_percent_sign_is_only_for_a_measure_in_percent():
    form = measured_form()
    assert list(errors(form, answers_for(form, **{HOURS_LOST.replace(":", "__"): "12%"}))) == [HOURS_LOST]


def test_measures_are_not_prefilled_from_an_earlier_day():
    values = initial_values(measured_form())
    assert HOURS_LOST not in values and WAITING not in values
    assert values[service_key("home_care")] == "3"


def test_amending_today_offers_todays_measures_again():
    form = measured_form()
    (hours, waiting), gp = form.services[0].measures, form.services[1]
    today = replace(form.services[0], measures=(replace(hours, last_value=Decimal("1250.5"), last_date=TODAY), waiting))
    values = initial_values(replace(form, services=(today, gp)))
    assert values[HOURS_LOST] == "1,250.5" and WAITING not in values
