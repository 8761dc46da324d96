"""The check-in as an Adaptive Card: pure renderers, with input ids the validator's errors
name, prefilled from the last answers, and every typed answer kept when it comes back."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from test_checkin_validate import HOURS, STAFF, answers_for
from test_slack_checkin_blocks import a_form, all_text, result

from bot.checkin import BLOCKERS, COMMENT, CORRECTION, scheme_key, service_key, validate
from bot.checkin.prompts import Prompt, prompt_summary
from handlers.teams.cards.checkin import (
    NO_CHANGE,
    OPEN,
    SUBMIT,
    checkin_card,
    confirmation_card,
)

MAX_BYTES = 28_000


def inputs(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["id"]: e for e in card["body"] if e["type"].startswith("Input.")}


def verbs(card: dict[str, Any]) -> list[str]:
    return [a["verb"] for a in card.get("actions", [])]


def test_the_card_is_adaptive_1_5_with_an_input_for_every_key_and_fits_teams():
    form = a_form()
    card = checkin_card(form)
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.5"
    assert set(inputs(card)) == set(form.keys)
    assert len(json.dumps(card).encode()) < MAX_BYTES
    assert verbs(card) == [SUBMIT]


def test_fields_start_with_the_last_answers_and_levels_are_a_choice_of_four():
    card = checkin_card(a_form())
    fields = inputs(card)
    assert fields[scheme_key(HOURS, "actual")]["value"] == "£12,500.50"
    assert fields[scheme_key(HOURS, "activity")]["value"] == "1,250"
    assert "value" not in fields[scheme_key(STAFF, "actual")]  # nothing on record yet
    home_care = fields[service_key("home_care")]
    assert home_care["type"] == "Input.ChoiceSet" and home_care["value"] == "3"
    assert [c["value"] for c in home_care["choices"]] == ["1", "2", "3", "4"]
    assert "value" not in fields[service_key("gp")]


def test_a_prompt_offers_nothing_new_today_and_greets_by_first_name():
    form = a_form()
    prompt = Prompt(kind="prompt", scope=form.scope, local_date=form.local_date)
    card = checkin_card(form, prompt=prompt)
    assert verbs(card) == [SUBMIT, NO_CHANGE]
    first = form.scope.member_name.split()[0]
    assert f"Good morning {first}" in all_text(card["body"])
    reminder = checkin_card(form, prompt=Prompt(kind="reminder", scope=form.scope, local_date=form.local_date))
    assert "gentle reminder" in all_text(reminder["body"])
    assert prompt_summary(prompt).startswith("Your winter check-in for")


def test_errors_sit_under_their_fields_and_every_typed_answer_is_kept():
    form = a_form()
    typed = answers_for(form) | {scheme_key(HOURS, "actual"): "lots", COMMENT: "Short of drivers", BLOCKERS: ""}
    errors = validate(form, typed)
    assert isinstance(errors, dict) and scheme_key(HOURS, "actual") in errors
    card = checkin_card(form, typed=typed, errors=errors)
    body = card["body"]
    for key, message in errors.items():
        at = next(i for i, e in enumerate(body) if e.get("id") == key)
        after = [e for e in body[at + 1 : at + 4] if e.get("color") == "Attention"]
        assert after and message in after[0]["text"]
    fields = inputs(card)
    assert fields[scheme_key(HOURS, "actual")]["value"] == "lots"
    assert fields[COMMENT]["value"] == "Short of drivers"
    assert "Nothing you typed is lost" in all_text(body)


def test_amending_says_so_and_saves_changes():
    from datetime import datetime

    from test_slack_checkin_blocks import LONDON, TodaysCheckin

    today = TodaysCheckin(
        id=3, submitted_at=datetime(2027, 1, 5, 9, 40, tzinfo=LONDON), no_change=False, comment="Fine"
    )
    card = checkin_card(a_form(today=today))
    assert card["actions"][0]["title"] == "Save changes"
    assert "You checked in at 09:40" in all_text(card["body"])
    assert inputs(card)[COMMENT]["value"] == "Fine"


def test_names_people_wrote_are_shown_as_written_not_as_markdown():
    form = a_form()
    card = checkin_card(form, typed={CORRECTION: "**bold** [link](http://x)"})
    assert inputs(card)[CORRECTION]["value"] == "**bold** [link](http://x)"  # an input shows it verbatim


def test_the_confirmation_shows_what_was_stored_and_offers_to_amend():
    card = confirmation_card(result())
    text = all_text(card["body"])
    assert "today's check-in for **Brightside Home Care** is in (Tue 5 Jan at 10:02)" in text
    assert "£12,500.50" in text and "4 of 12 staff (WTE) recruited" in text and "double counted" in text
    assert "Home care: 4" in text
    assert verbs(card) == [OPEN] and card["actions"][0]["data"] == {"verb": OPEN, "programme": 4, "date": "2027-01-05"}


def test_a_no_change_and_an_already_answered_confirmation_read_differently():
    assert "nothing new today" in all_text(confirmation_card(result(no_change=True))["body"])
    assert "already checked in" in all_text(confirmation_card(result(recorded=False))["body"])


def test_the_date_in_the_buttons_is_the_forms():
    form = a_form()
    data = checkin_card(form)["actions"][0]["data"]
    assert data["date"] == form.local_date.isoformat() and isinstance(date.fromisoformat(data["date"]), date)


def test_an_organisation_with_forty_schemes_gets_the_compact_form_within_a_message():
    from test_checkin_validate import last, make_form, scheme
    from test_slack_checkin_blocks import SERVICES

    schemes = [scheme(100 + i, previous=last("12500.5", "3000", "1250")) for i in range(40)]
    form = make_form(*schemes, services=SERVICES)
    card = checkin_card(form)
    assert len(json.dumps(card).encode()) < MAX_BYTES
    fields = inputs(card)
    assert set(fields) == set(form.keys)
    assert fields[scheme_key(100, "actual")]["label"].startswith(form.schemes[0].name + ": ")
    assert fields[scheme_key(100, "actual")]["value"] == "£12,500.50"
    small = checkin_card(make_form(*schemes[:2], services=SERVICES))
    assert not inputs(small)[scheme_key(100, "actual")]["label"].startswith(form.schemes[0].name)
