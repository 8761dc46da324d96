"""validate(form, answers): pure checks of a check-in, keyed by the form's field keys."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.checkin import (
    BLOCKERS,
    COMMENT,
    CORRECTION,
    CheckinForm,
    FieldError,
    LastFigures,
    MeasureOnForm,
    SchemeOnForm,
    ServiceOnForm,
    Submission,
    TodaysCheckin,
    initial_values,
    measure_key,
    parse_activity,
    scheme_key,
    service_key,
    validate,
)
from bot.checkin.prompts import CheckinScope, SchemeScope
from bot.common.measures import Measure
from bot.common.redact import REPLACEMENT

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


def test_a_good_answer_becomes_exact_figures_and_levels():
    form = make_form(scheme())
    sub = ok(form, answers_for(form))
    (answer,) = sub.schemes
    assert answer.figures.actual == Decimal("12500.00")
    assert answer.figures.committed == Decimal("2000.00")
    assert answer.figures.activity == Decimal("400.00")
    assert isinstance(answer.figures.actual, Decimal)
    assert [(s.service.service, s.level) for s in sub.services] == [("home_care", 2)]
    assert sub.blockers is None and sub.comment is None and sub.correction is None
    assert sub.redactions == 0


@pytest.mark.parametrize(
    ("typed", "pounds"),
    [
        ("£12,500", "12500"),
        ("12500.50", "12500.50"),
        ("12.5k", "12500"),
        ("£1.2m", "1200000"),
        ("0", "0"),
        (" £ 7,000 ", "7000"),
    ],
)
@pytest.mark.parametrize("figure", ["actual", "committed"])
def test_amounts_are_read_as_people_write_them(typed, pounds, figure):
    form = make_form(scheme(budget="1000000"))
    sub = ok(form, answers_for(form, **{f"scheme__{HOURS}__{figure}": typed}))
    assert sub.schemes[0].figures.get(figure) == Decimal(pounds)


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("twelve", "is not an amount"),
        ("-500", "negative"),
        ("£-5", "negative"),
        ("12.345", "fractions of a penny"),
        ("12,5OO", "is not an amount"),
        ("", "Give the amount"),
        (None, "Give the amount"),
        ("   ", "Give the amount"),
    ],
)
@pytest.mark.parametrize("figure", ["actual", "committed"])
def test_bad_amounts_are_refused_on_their_own_field(typed, says, figure):
    form = make_form(scheme())
    key = scheme_key(HOURS, figure)
    found = errors(form, answers_for(form, **{key.replace(":", "__"): typed}))
    assert list(found) == [key]
    assert says in found[key]


def test_an_amount_more_than_five_times_the_budget_is_refused_and_the_budget_named():
    form = make_form(scheme(budget="90000"))
    found = errors(form, answers_for(form, **{f"scheme__{HOURS}__actual": "£450,000.01"}))
    assert "£90,000" in found[ACTUAL] and "5 times" in found[ACTUAL]
    assert ok(form, answers_for(form, **{f"scheme__{HOURS}__actual": "450k"})).schemes[0].figures.actual == Decimal(
        450_000
    )


def test_a_committed_sum_beyond_the_margin_is_refused_too():
    form = make_form(scheme(budget="90000"))
    found = errors(form, answers_for(form, **{f"scheme__{HOURS}__committed": "1.2m"}))
    assert list(found) == [COMMITTED]


@pytest.mark.parametrize(
    ("typed", "value"), [("1,250", "1250"), ("37.5", "37.5"), ("0", "0"), (" 2,000.25 ", "2000.25")]
)
def test_activity_takes_numbers_with_commas_and_two_decimals(typed, value):
    assert parse_activity(typed) == Decimal(value)


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("-3", "negative"),
        ("lots", "not a number"),
        ("1.234", "two decimal places"),
        ("12 hours", "not a number"),
        ("1e5", "not a number"),
        ("١٢", "not a number"),
        ("9" * 13, "too large"),
    ],
)
def test_bad_activity_is_refused(typed, says):
    with pytest.raises(FieldError, match=says):
        parse_activity(typed)
    form = make_form(scheme())
    found = errors(form, answers_for(form, **{f"scheme__{HOURS}__activity": typed}))
    assert says in found[ACTIVITY]


def test_every_missing_field_is_named_at_once():
    form = make_form(scheme(), scheme(STAFF, unit="staff_wte", planned="12"))
    found = errors(form, {})
    assert set(found) == {*(k for k in form.keys if k.startswith("scheme:")), service_key("home_care")}


def test_lower_spend_to_date_needs_a_correction_reason_on_both_fields():
    form = make_form(scheme(previous=last("12000", "5000", "400")))
    found = errors(form, answers_for(form, **{f"scheme__{HOURS}__actual": "11,000"}))
    assert set(found) == {ACTUAL, CORRECTION}
    assert "£12,000" in found[ACTUAL] and "Mon 4 Jan" in found[ACTUAL]
    assert "£12,000 → £11,000" in found[CORRECTION]


def test_lower_activity_to_date_needs_a_correction_reason():
    form = make_form(scheme(unit="staff_wte", planned="12", previous=last("0", "0", "8")))
    found = errors(form, answers_for(form, **{f"scheme__{HOURS}__actual": "0", f"scheme__{HOURS}__activity": "7.5"}))
    assert set(found) == {ACTIVITY, CORRECTION}
    assert "staff recruited to date (WTE): 8 → 7.5" in found[CORRECTION]


def test_committed_may_fall_freely_and_equal_figures_need_nothing():
    form = make_form(scheme(previous=last("12500", "9000", "400")))
    sub = ok(form, answers_for(form))
    assert sub.schemes[0].figures.committed == Decimal(2000)
    assert sub.schemes[0].lowered == () and sub.schemes[0].correction_reason is None


def test_with_a_reason_the_lower_figure_stands_and_the_reason_goes_on_that_scheme_only():
    form = make_form(
        scheme(previous=last("13000", "0", "400")), scheme(STAFF, unit="staff_wte", previous=last("0", "0", "1"))
    )
    answers = answers_for(form, correction="Invoice for December was entered twice")
    sub = ok(form, answers)
    by_id = {a.scheme.id: a for a in sub.schemes}
    assert by_id[HOURS].lowered == ("actual",)
    assert by_id[HOURS].correction_reason == "Invoice for December was entered twice"
    assert by_id[STAFF].correction_reason is None


def test_a_reason_with_nothing_lower_stands_for_every_scheme():
    form = make_form(scheme(), scheme(STAFF, unit="staff_wte"))
    sub = ok(form, answers_for(form, correction="December figures now include agency staff"))
    assert {a.correction_reason for a in sub.schemes} == {"December figures now include agency staff"}


@pytest.mark.parametrize("typed", ["", None, "0", "5", "amber"])
def test_a_capacity_level_must_be_one_to_four(typed):
    form = make_form(scheme())
    found = errors(form, answers_for(form, service__home_care=typed))
    assert list(found) == [service_key("home_care")]
    assert "1 to 4" in found[service_key("home_care")]


def test_nhs_numbers_are_redacted_from_every_free_text_and_counted():
    form = make_form(scheme(previous=last("13000", "0", "400")))
    sub = ok(
        form,
        answers_for(
            form,
            comment="Mrs B (943 476 5919) waited 3 days; call 0123 456 7890",
            blockers="Still waiting on 9434765919",
            correction="Refund for 943-476-5919",
        ),
    )
    assert sub.comment == f"Mrs B ({REPLACEMENT}) waited 3 days; call 0123 456 7890"
    assert sub.blockers == f"Still waiting on {REPLACEMENT}"
    assert sub.correction == f"Refund for {REPLACEMENT}"
    assert sub.schemes[0].correction_reason == f"Refund for {REPLACEMENT}"
    assert sub.redactions == 3


def test_a_ten_digit_number_failing_the_check_is_kept():
    form = make_form(scheme())
    sub = ok(form, answers_for(form, comment="ref 123 456 7890"))
    assert sub.comment == "ref 123 456 7890" and sub.redactions == 0


def test_free_text_is_trimmed_and_blank_is_none():
    form = make_form(scheme())
    sub = ok(form, answers_for(form, blockers="  no drivers on Thursday \n", comment="   "))
    assert sub.blockers == "no drivers on Thursday" and sub.comment is None


def test_free_text_longer_than_three_thousand_characters_is_refused():
    form = make_form(scheme())
    found = errors(form, answers_for(form, comment="x" * 3001))
    assert list(found) == [COMMENT] and "3,000" in found[COMMENT]


def test_answers_for_fields_not_on_the_form_are_ignored():
    form = make_form(scheme())
    sub = ok(form, answers_for(form, scheme__999__actual="twelve", service__gp="9"))
    assert [a.scheme.id for a in sub.schemes] == [HOURS]


def test_an_organisation_with_no_schemes_or_services_answers_only_free_text():
    form = make_form(services=())
    sub = ok(form, {BLOCKERS: "none"})
    assert sub.schemes == () and sub.services == () and sub.blockers == "none"


def test_initial_values_are_the_last_answers_written_to_be_read_back():
    seen = datetime(2027, 1, 5, 9, 40, tzinfo=ZoneInfo("Europe/London"))
    form = make_form(
        scheme(previous=last("12500.5", "3000", "1250.5")),
        scheme(STAFF, unit="staff_wte"),
        services=(
            ServiceOnForm("home_care", "Home care", 3, date(2027, 1, 4)),
            ServiceOnForm("gp", "General practice", None, None),
        ),
        today=TodaysCheckin(id=1, submitted_at=seen, no_change=False, comment="earlier today"),
        blockers="no drivers",
    )
    values = initial_values(form)
    assert values == {
        ACTUAL: "£12,500.50",
        COMMITTED: "£3,000",
        ACTIVITY: "1,250.5",
        service_key("home_care"): "3",
        BLOCKERS: "no drivers",
        COMMENT: "earlier today",
    }
    assert ok(form, {**answers_for(form), **values}).schemes[0].figures.actual == Decimal("12500.50")


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from([ACTUAL, COMMITTED, ACTIVITY, service_key("home_care"), CORRECTION, COMMENT]),
        st.one_of(st.none(), st.text(max_size=30)),
    )
)
def test_any_answers_give_a_submission_or_errors_on_known_fields(answers):
    form = make_form(scheme(previous=last("100", "100", "10")))
    outcome = validate(form, answers)
    if isinstance(outcome, dict):
        assert outcome and set(outcome) <= set(form.keys)
    else:
        assert all(a.figures.actual >= 0 and a.figures.activity >= 0 for a in outcome.schemes)


# Optional measures ------------------------------------------------------------------------

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


def test_nul_and_bidi_controls_in_free_text_are_removed_before_storing():
    form = make_form(scheme())
    sub = ok(form, answers_for(form, comment="No\x00 drivers \u202eyadsruht\u202c\u200b", blockers="\ufeffBeds\x07"))
    assert sub.comment == "No drivers yadsruht" and sub.blockers == "Beds"
