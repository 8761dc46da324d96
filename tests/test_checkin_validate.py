"""validate(form, answers): pure checks of a check-in, keyed by the form's field keys: amounts,
activity, corrections, capacity levels, free text and the values a form starts with."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from checkin_validate_support import (
    ACTIVITY,
    ACTUAL,
    COMMITTED,
    HOURS,
    STAFF,
    answers_for,
    errors,
    last,
    make_form,
    ok,
    scheme,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.checkin import (
    BLOCKERS,
    COMMENT,
    CORRECTION,
    FieldError,
    ServiceOnForm,
    TodaysCheckin,
    initial_values,
    parse_activity,
    scheme_key,
    service_key,
    validate,
)
from bot.common.redact import REPLACEMENT


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


def test_nul_and_bidi_controls_in_free_text_are_removed_before_storing():
    form = make_form(scheme())
    sub = ok(form, answers_for(form, comment="No\x00 drivers \u202eyadsruht\u202c\u200b", blockers="\ufeffBeds\x07"))
    assert sub.comment == "No drivers yadsruht" and sub.blockers == "Beds"
