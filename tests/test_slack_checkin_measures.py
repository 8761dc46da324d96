"""The check-in modal's optional measures and the leads' questions: inputs under their service or
heading, offered again when amending, counted in the modal's budget of blocks, and listed in the
confirmation."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from checkin_blocks_support import a_form, all_text, inputs, result
from test_checkin_validate import answers_for, last, make_form, scheme

from bot.checkin import (
    MeasureOnForm,
    QuestionOnForm,
    ReportedMeasure,
    ReportedService,
    ServiceOnForm,
    measure_key,
    service_key,
    validate,
)
from bot.common.measures import Measure
from handlers.slack.blocks.checkin import checkin_modal, confirmation_view
from handlers.slack.blocks.limits import SURFACE_BLOCKS, check_modal

# Optional measures ------------------------------------------------------------------------

HOURS_LOST = measure_key("home_care", "hours_not_delivered")
SAME_DAY = measure_key("gp", "same_day_capacity_used")


def measured_services() -> tuple[ServiceOnForm, ...]:
    hours = Measure("home_care", "hours_not_delivered", "Care hours that could not be delivered yesterday", "hours")
    waiting = Measure("home_care", "people_waiting", "People waiting for a package of care")
    same_day = Measure("gp", "same_day_capacity_used", "Same-day appointments used by 11:00", "%")
    return (
        ServiceOnForm(
            "home_care",
            "Home care",
            3,
            date(2027, 1, 4),
            (MeasureOnForm(hours, Decimal("12.5"), date(2027, 1, 4)), MeasureOnForm(waiting)),
        ),
        ServiceOnForm("gp", "General practice", None, None, (MeasureOnForm(same_day),)),
    )


def many_measures(service: str, count: int = 5) -> ServiceOnForm:
    measures = tuple(MeasureOnForm(Measure(service, f"m{n}", f"Measure {n}", "people")) for n in range(count))
    return ServiceOnForm(service, service.replace("_", " ").capitalize(), None, None, measures)


def test_each_measure_is_an_optional_input_under_its_services_level():
    form = make_form(scheme(previous=last("1", "1", "1")), services=measured_services())
    view = checkin_modal(form, "{}")
    check_modal(view)
    fields = inputs(view)
    assert list(fields) == list(form.keys)
    ids = list(fields)
    assert ids[ids.index(service_key("home_care")) + 1 : ids.index(service_key("gp")) + 2] == [
        HOURS_LOST,
        measure_key("home_care", "people_waiting"),
        service_key("gp"),
        SAME_DAY,
    ]
    hours = fields[HOURS_LOST]
    assert hours["optional"] is True and hours["element"]["type"] == "plain_text_input"
    assert hours["label"]["text"] == "Care hours that could not be delivered yesterday (hours)"
    assert hours["hint"]["text"] == "Last: 12.5 on Mon 4 Jan"
    assert "initial_value" not in hours["element"]
    assert fields[measure_key("home_care", "people_waiting")]["label"]["text"] == "People waiting for a package of care"
    assert "hint" not in fields[SAME_DAY] and fields[SAME_DAY]["label"]["text"].endswith("(%)")


def test_a_measure_given_today_is_offered_again_when_amending():
    (home_care, gp) = measured_services()
    hours, waiting = home_care.measures
    today = replace(
        home_care, measures=(replace(hours, last_value=Decimal("1250.5"), last_date=date(2027, 1, 5)), waiting)
    )
    fields = inputs(checkin_modal(make_form(services=(today, gp)), "{}"))
    assert fields[HOURS_LOST]["element"]["initial_value"] == "1,250.5"


def test_a_bad_measure_error_names_its_block():
    form = make_form(scheme(), services=measured_services())
    errors = validate(
        form, answers_for(form, **{HOURS_LOST.replace(":", "__"): "-2", SAME_DAY.replace(":", "__"): "1.234"})
    )
    assert set(errors) == {HOURS_LOST, SAME_DAY} <= set(inputs(checkin_modal(form, "{}")))


def test_a_measured_modal_stays_full_while_it_fits():
    services = tuple(many_measures(s) for s in ("home_care", "gp", "community_nursing"))
    view = checkin_modal(make_form(*[scheme(100 + n) for n in range(10)], services=services), "{}")
    check_modal(view)
    assert sum(b["type"] == "divider" for b in view["blocks"]) == 10  # not compact


@pytest.mark.parametrize(
    ("schemes", "services", "dropped"), [(12, 9, 0), (17, 9, 11), (20, 9, 20), (30, 2, 8), (14, 6, 0)]
)
def test_many_schemes_services_and_measures_still_fit(schemes, services, dropped):
    """Measures are optional, so they are the first to go; the levels and figures never are."""
    names = [
        "home_care",
        "gp",
        "community_nursing",
        "vcs",
        "care_home",
        "reablement",
        "housing",
        "hospice",
        "acute_discharge",
    ]
    form = make_form(
        *[scheme(100 + n, previous=last("1", "1", "1")) for n in range(schemes)],
        services=tuple(many_measures(name) for name in names[:services]),
    )
    view = checkin_modal(form, "{}")
    check_modal(view)
    assert len(view["blocks"]) <= SURFACE_BLOCKS
    fields = inputs(view)
    levels_and_figures = [key for key in form.keys if not key.startswith("measure:")]
    assert [key for key in fields if not key.startswith("measure:")] == levels_and_figures
    assert [key for key in form.keys if key in fields] == list(fields)  # in the form's order
    left_out = [key for key in form.keys if key not in fields]
    assert len(left_out) == dropped
    assert ("Some optional figures are left out" in all_text(view["blocks"][0])) == bool(dropped)


def _questions(n: int) -> tuple[QuestionOnForm, ...]:
    return tuple(
        QuestionOnForm(900 + i, f"Question {i}?", "Alice Lead", "Council", date(2027, 1, 4), date(2027, 1, 11))
        for i in range(n)
    )


def test_the_leads_questions_are_optional_inputs_under_their_heading():
    form = replace(a_form(), questions=(*_questions(1), replace(_questions(2)[1], answer="Said today")))
    view = checkin_modal(form, "{}")
    check_modal(view)
    assert list(inputs(view)) == list(form.keys)
    first, second = inputs(view)["question:900"], inputs(view)["question:901"]
    assert first["optional"] and first["element"]["multiline"] and first["label"]["text"] == "Question 0?"
    assert first["hint"]["text"] == "Asked by Alice Lead (Council) on Mon 4 Jan; open until Mon 11 Jan"
    assert "initial_value" not in first["element"] and second["element"]["initial_value"] == "Said today"
    assert "*The leads ask*" in all_text(view["blocks"])


@pytest.mark.parametrize(("schemes", "asked", "measures_dropped"), [(14, 5, 0), (28, 5, 8), (30, 1, 10)])
def test_questions_count_in_the_modals_budget(schemes, asked, measures_dropped):
    """Measures go first, then the questions that do not fit (they stay open for next time)."""
    form = replace(
        make_form(
            *[scheme(100 + n, previous=last("1", "1", "1")) for n in range(schemes)],
            services=tuple(many_measures(name) for name in ("home_care", "gp")),
        ),
        questions=_questions(5),
    )
    view = checkin_modal(form, "{}")
    check_modal(view)
    assert len(view["blocks"]) <= SURFACE_BLOCKS
    fields = inputs(view)
    assert sum(key.startswith("question:") for key in fields) == asked
    assert sum(key.startswith("measure:") for key in form.keys if key not in fields) == measures_dropped
    assert ("questions are left out" in all_text(view["blocks"][0])) == (asked < 5)


def test_the_confirmation_lists_the_measures_given():
    measures = (
        ReportedMeasure(
            "hours_not_delivered", "Care hours that could not be delivered yesterday", "hours", Decimal("1212.5")
        ),
        ReportedMeasure("same_day", "Same-day <used>", "%", Decimal("85")),
    )
    view = confirmation_view(result(services=(ReportedService("home_care", "Home care", 4, measures),)))
    check_modal(view)
    text = all_text(view["blocks"])
    assert "Care hours that could not be delivered yesterday: 1,212.5 hours" in text
    assert "Same-day &lt;used&gt;: 85%" in text
