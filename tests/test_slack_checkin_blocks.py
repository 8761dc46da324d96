"""The check-in modal, its confirmation and the answered prompt: pure renderers, within
Slack's limits, with block_ids the validator's errors can name. The optional measures and the
leads' questions on the modal are in test_slack_checkin_measures.py; the shared form and result in
checkin_blocks_support.py (test_teams_checkin_card and test_redact_checkin import them from here)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime

import pytest
from checkin_blocks_support import LONDON, SERVICES, a_form, all_text, inputs, result
from test_checkin_validate import HOURS, STAFF, answers_for, last, make_form, scheme

from bot.checkin import BLOCKERS, COMMENT, CORRECTION, TodaysCheckin, scheme_key, service_key, validate
from bot.common.capacity import level_label
from handlers.slack.blocks.checkin import (
    CALLBACK_ID,
    answered_prompt_blocks,
    checkin_modal,
    confirmation_view,
    notice_view,
)
from handlers.slack.blocks.limits import check_message, check_modal
from handlers.slack.blocks.prompt import OPEN_CHECKIN
from handlers.slack.views.metadata import FormRef, decode_ref, programme_from
from handlers.slack.views.state import view_answers


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
