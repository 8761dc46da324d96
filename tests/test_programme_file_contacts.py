"""Members reached by email or text message in the programme file: an address beside a chat
account or instead of it, UK mobiles however they are written, and clear words for a mistake."""

from __future__ import annotations

import pytest
from programme_file_support import edited, only_problem

from bot.programme.fields import uk_mobile
from bot.programme.file import parse_programme_file
from models.vocabulary import Platform

BOB = "{slack: U0TEST0002,"


def test_an_email_only_member_is_reached_by_email():
    spec = parse_programme_file(edited(BOB, "{email: bob@carers.example,"))
    bob = spec.members[1]
    assert (bob.platform, bob.user_id, bob.email) == (Platform.EMAIL, "bob@carers.example", "bob@carers.example")


def test_a_text_only_member_is_reached_by_text_at_the_number_as_notify_takes_it():
    bob = parse_programme_file(edited(BOB, "{mobile: '07700 900 123',")).members[1]
    assert (bob.platform, bob.user_id) == (Platform.SMS, "+447700900123")


def test_an_address_beside_a_chat_account_is_kept_and_chat_is_where_they_are_reached():
    bob = parse_programme_file(
        edited(BOB, "{slack: U0TEST0002, email: bob@carers.example, mobile: 07700900123,")
    ).members[1]
    assert (bob.platform, bob.user_id) == (Platform.SLACK, "U0TEST0002")
    assert (bob.email, bob.mobile) == ("bob@carers.example", "+447700900123")


@pytest.mark.parametrize("written", ["07700 900123", "+44 7700 900123", "0044 7700-900-123", "(07700) 900123"])
def test_uk_mobiles_are_read_however_they_are_written(written):
    assert uk_mobile(written) == "+447700900123"


@pytest.mark.parametrize("written", ["020 7946 0018", "07700 90012", "+1 415 555 0100", "call me"])
def test_a_number_that_is_not_a_uk_mobile_says_how_to_write_one(written):
    with pytest.raises(ValueError, match="11 digits starting 07"):
        uk_mobile(written)


def test_a_bad_email_address_is_refused_where_it_is():
    problem = only_problem(edited(BOB, "{email: bob-at-carers,"))
    assert problem.location == "members[1].email" and "name@example.org" in problem.message


def test_a_member_with_no_way_to_reach_them_is_told_every_way():
    problem = only_problem(edited(BOB, "{"))
    assert "email: <address>" in problem.message and "mobile: <UK mobile number>" in problem.message


def test_the_same_email_address_twice_is_refused():
    text = edited(BOB, "{email: Bob@Carers.example,")
    text = edited("{slack: U0TEST0001,", "{email: bob@carers.example,", text)
    assert "is given twice" in only_problem(text).message
