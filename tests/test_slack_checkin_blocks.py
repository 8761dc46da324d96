"""The check-in modal, its confirmation and the answered prompt: pure renderers, within
Slack's limits, with block_ids the validator's errors can name."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from test_checkin_validate import HOURS, STAFF, answers_for, last, make_form, scheme

from bot.checkin import (
    BLOCKERS,
    COMMENT,
    CORRECTION,
    CheckinResult,
    Figures,
    MeasureOnForm,
    QuestionOnForm,
    ReportedMeasure,
    ReportedScheme,
    ReportedService,
    ServiceOnForm,
    TodaysCheckin,
    measure_key,
    scheme_key,
    service_key,
    validate,
)
from bot.common.capacity import level_label
from bot.common.measures import Measure
from handlers.slack.blocks.checkin import (
    CALLBACK_ID,
    answered_prompt_blocks,
    checkin_modal,
    confirmation_view,
    notice_view,
)
from handlers.slack.blocks.limits import SURFACE_BLOCKS, check_message, check_modal
from handlers.slack.blocks.prompt import OPEN_CHECKIN
from handlers.slack.views.metadata import FormRef, decode_ref, programme_from
from handlers.slack.views.state import view_answers

LONDON = ZoneInfo("Europe/London")
SERVICES = (
    ServiceOnForm("home_care", "Home care", 3, date(2027, 1, 4)),
    ServiceOnForm("gp", "General practice", None, None),
)


def inputs(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}


def all_text(node: Any) -> str:
    if isinstance(node, dict):
        return "\n".join(all_text(v) for v in node.values())
    if isinstance(node, list):
        return "\n".join(all_text(v) for v in node)
    return node if isinstance(node, str) else ""


def a_form(**kw):
    return make_form(
        scheme(previous=last("12500.5", "3000", "1250")),
        scheme(STAFF, unit="staff_wte", planned="12"),
        services=SERVICES,
        **kw,
    )


def test_the_modal_fits_slack_and_has_a_field_for_every_key():
    form = a_form()
    view = checkin_modal(form, FormRef(1, "D1", "1.2").encode())
    check_modal(view)
    assert view["callback_id"] == CALLBACK_ID == "checkin_submit"
    assert view["title"]["text"] == "Today's check-in" and view["submit"]["text"] == "Send check-in"
    assert list(inputs(view)) == list(form.keys)
    assert decode_ref(view["private_metadata"]) == FormRef(1, "D1", "1.2")


def test_fields_start_with_the_last_answers():
    fields = inputs(checkin_modal(a_form(blockers="no drivers"), "{}"))
    assert fields[scheme_key(HOURS, "actual")]["element"]["initial_value"] == "£12,500.50"
    assert fields[scheme_key(HOURS, "committed")]["element"]["initial_value"] == "£3,000"
    assert fields[scheme_key(HOURS, "activity")]["element"]["initial_value"] == "1,250"
    assert "initial_value" not in fields[scheme_key(STAFF, "actual")]["element"]
    assert fields[BLOCKERS]["element"]["initial_value"] == "no drivers"
    assert "Last: £12,500.50 on Mon 4 Jan" in fields[scheme_key(HOURS, "actual")]["hint"]["text"]


def test_staff_are_counted_against_the_plan():
    field = inputs(checkin_modal(a_form(), "{}"))[scheme_key(STAFF, "activity")]
    assert field["label"]["text"] == "Staff recruited to date (WTE)"
    assert "Plan: 12 staff (WTE)" in field["hint"]["text"]


def test_levels_are_a_select_of_four_with_the_last_level_chosen():
    fields = inputs(checkin_modal(a_form(), "{}"))
    home_care = fields[service_key("home_care")]["element"]
    assert home_care["type"] == "static_select"
    assert [o["value"] for o in home_care["options"]] == ["1", "2", "3", "4"]
    assert [o["text"]["text"] for o in home_care["options"]] == [level_label(n) for n in (1, 2, 3, 4)]
    assert home_care["initial_option"] == home_care["options"][2]
    assert "initial_option" not in fields[service_key("gp")]["element"]


def test_only_correction_blockers_and_comment_are_optional():
    fields = inputs(checkin_modal(a_form(), "{}"))
    assert {key for key, block in fields.items() if block.get("optional")} == {CORRECTION, BLOCKERS, COMMENT}
    assert fields[COMMENT]["label"]["text"] == "Anything the leads should hear"
    assert fields[COMMENT]["element"]["multiline"] is True


def test_amending_says_so_and_offers_this_mornings_comment():
    seen = datetime(2027, 1, 5, 9, 42, tzinfo=LONDON)
    view = checkin_modal(a_form(today=TodaysCheckin(3, seen, False, "earlier words")), "{}")
    check_modal(view)
    assert view["title"]["text"] == "Amend today's check-in" and view["submit"]["text"] == "Save changes"
    assert "You checked in at 09:42" in all_text(view["blocks"])
    assert inputs(view)[COMMENT]["element"]["initial_value"] == "earlier words"


def test_every_error_the_validator_gives_names_a_block_in_the_modal():
    form = a_form()
    view = checkin_modal(form, "{}")
    bad = dict.fromkeys(form.keys, "twelve")
    errors = validate(form, bad)
    assert isinstance(errors, dict)
    assert set(errors) <= set(inputs(view))
    lower = validate(form, answers_for(form, **{f"scheme__{HOURS}__actual": "1", f"scheme__{HOURS}__activity": "1250"}))
    assert set(lower) == {scheme_key(HOURS, "actual"), CORRECTION} and set(lower) <= set(inputs(view))


@pytest.mark.parametrize("count", [14, 30])
def test_an_organisation_with_many_schemes_still_fits(count):
    schemes = [scheme(100 + n, previous=last("1", "1", "1")) for n in range(count)]
    form = make_form(*schemes, services=SERVICES)
    view = checkin_modal(form, "{}")
    check_modal(view)
    assert list(inputs(view)) == list(form.keys)
    assert all(f"Scheme {100 + n}" in all_text(view["blocks"]) for n in range(count))


def test_names_people_wrote_cannot_mention_the_channel():
    form = a_form()
    form = replace(form, scope=replace(form.scope, organisation_name="<!channel> Carers"))
    view = checkin_modal(form, "{}")
    assert "<!channel>" not in all_text(view["blocks"]) and "&lt;!channel&gt; Carers" in all_text(view["blocks"])


def result(**kw) -> CheckinResult:
    base = {
        "programme_id": 4,
        "programme_name": "Vale",
        "organisation_name": "Brightside Home Care",
        "local_date": date(2027, 1, 5),
        "submitted_at": datetime(2027, 1, 5, 10, 2, tzinfo=LONDON),
        "checkin_id": 9,
        "recorded": True,
        "schemes": (
            ReportedScheme(
                "Home care hours",
                "hours",
                "hours",
                Decimal(3000),
                Figures(Decimal("12500.5"), Decimal(0), Decimal(400)),
                None,
            ),
            ReportedScheme(
                "Care workers",
                "staff_wte",
                "staff (WTE)",
                Decimal(12),
                Figures(Decimal(0), Decimal(0), Decimal(4)),
                "double counted",
            ),
        ),
        "services": (ReportedService("home_care", "Home care", 4),),
    }
    return CheckinResult(**(base | kw))


def test_the_confirmation_shows_what_was_stored():
    view = confirmation_view(result())
    check_modal(view)
    text = all_text(view["blocks"])
    assert view["title"]["text"] == "Check-in saved" and "submit" not in view
    assert "today's check-in for *Brightside Home Care* is in (Tue 5 Jan at 10:02)" in text
    assert "Spent £12,500.50 · committed £0 · 400 hours to date" in text
    assert "4 of 12 staff (WTE) recruited" in text
    assert "_Correction: double counted_" in text
    assert f"Home care: {level_label(4)}" in text
    assert "NHS number" not in text


@pytest.mark.parametrize(("count", "says"), [(1, "I removed an NHS number"), (3, "I removed 3 NHS numbers")])
def test_the_confirmation_says_why_text_was_removed(count, says):
    text = all_text(confirmation_view(result(redactions=count))["blocks"])
    assert says in text and "patient-identifiable" in text


def test_amended_and_no_change_and_already_answered_read_differently():
    assert "is amended" in all_text(confirmation_view(result(amended=True))["blocks"])
    nothing = all_text(answered_prompt_blocks(result(no_change=True, nothing_to_reaffirm=("Reablement",))))
    assert "nothing new today" in nothing
    already = all_text(answered_prompt_blocks(result(recorded=False)))
    assert "already checked in" in already and "nothing more was recorded" in already


def test_the_answered_prompt_offers_to_amend_with_the_prompts_own_value():
    blocks = answered_prompt_blocks(result())
    check_message(blocks)
    (button,) = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert button["action_id"] == OPEN_CHECKIN
    assert json.loads(button["value"]) == {"programme": 4, "date": "2027-01-05"}
    assert programme_from(button["value"]) == 4


def test_a_notice_view_is_a_modal_that_only_speaks():
    view = notice_view("You are a lead <here>")
    check_modal(view)
    assert "You are a lead &lt;here&gt;" in all_text(view["blocks"])


def test_the_view_state_becomes_answers_by_block_id():
    state = {
        "values": {
            "scheme:1:actual": {"value": {"type": "plain_text_input", "value": "£12"}},
            "service:gp": {"level": {"type": "static_select", "selected_option": {"value": "3", "text": {}}}},
            "service:home_care": {"level": {"type": "static_select", "selected_option": None}},
            "comment": {"value": {"type": "plain_text_input", "value": None}},
        }
    }
    assert view_answers({"state": state}) == {
        "scheme:1:actual": "£12",
        "service:gp": "3",
        "service:home_care": None,
        "comment": None,
    }


@pytest.mark.parametrize("text", [None, "", "not json", "[1]", '{"programme": "1"}', '{"programme": true}'])
def test_metadata_that_is_not_ours_names_no_programme(text):
    assert programme_from(text) is None
    assert decode_ref(text).programme_id is None


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
