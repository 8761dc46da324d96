"""Signed links, pure: what a link grants, what breaks it, and that its token never reaches a log."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.app.server import HideLinkTokens
from bot.common.signed_links import BOARD, CHECKIN, LinkGrant, LinkRefused, read, sign
from bot.common.web_links import board_grant, checkin_grant, checkin_url, without_tokens

SECRET = "s3cret"
NOON = datetime(2027, 1, 5, 12, 0, tzinfo=UTC)


def test_a_checkin_link_is_good_until_midnight_of_its_day_in_the_programmes_timezone():
    grant = checkin_grant(7, date(2027, 7, 5), "Europe/London")
    assert grant.expires == datetime(2027, 7, 5, 23, 0, tzinfo=UTC)  # midnight BST
    token = sign(SECRET, grant)
    assert read(SECRET, token, CHECKIN, grant.expires - timedelta(seconds=1)) == grant
    late = read(SECRET, token, CHECKIN, grant.expires)
    assert isinstance(late, LinkRefused) and late.expired


def test_a_board_link_lasts_a_working_day_and_opens_only_the_board():
    grant = board_grant(3, NOON, "Europe/London")
    token = sign(SECRET, grant)
    assert read(SECRET, token, BOARD, NOON + timedelta(hours=11)) == grant
    assert isinstance(read(SECRET, token, BOARD, NOON + timedelta(hours=12)), LinkRefused)
    assert isinstance(read(SECRET, token, CHECKIN, NOON), LinkRefused)


@given(st.integers(min_value=0, max_value=200), st.characters(codec="ascii", exclude_characters="."))
def test_any_change_to_a_token_is_refused(position, character):
    token = sign(SECRET, LinkGrant(CHECKIN, 12, date(2027, 1, 5), NOON + timedelta(hours=8)))
    index = position % len(token)
    changed = token[:index] + character + token[index + 1 :]
    if changed != token:
        assert isinstance(read(SECRET, changed, CHECKIN, NOON), LinkRefused)


def test_anything_added_to_a_token_is_refused():
    token = sign(SECRET, LinkGrant(CHECKIN, 12, date(2027, 1, 5), NOON + timedelta(hours=8)))
    body, _, signature = token.partition(".")
    for changed in (token + "!!!!", token + "====", f"{body}==.{signature}", f"{body}.{signature}%20", " " + token):
        assert isinstance(read(SECRET, changed, CHECKIN, NOON), LinkRefused), changed


@pytest.mark.parametrize("token", ["", ".", "abc", "abc.", ".abc", "a.b.c", "é.é", "%%%.%%%"])
def test_nonsense_is_refused_not_an_error(token):
    assert isinstance(read(SECRET, token, CHECKIN, NOON), LinkRefused)


def test_another_key_signs_nothing_of_ours():
    token = sign("another-key", LinkGrant(CHECKIN, 12, date(2027, 1, 5), NOON + timedelta(hours=8)))
    assert isinstance(read(SECRET, token, CHECKIN, NOON), LinkRefused)


def test_the_access_log_line_carries_no_token():
    url = checkin_url("https://winterbot.example.org", SECRET, 12, date(2027, 1, 5), "Europe/London")
    path = url.removeprefix("https://winterbot.example.org")
    token = path.removeprefix("/checkin/")
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("1.2.3.4", "GET", path, "1.1", 200),
        None,
    )
    assert HideLinkTokens().filter(record)
    assert token not in record.getMessage() and "/checkin/…" in record.getMessage()
    assert without_tokens(f"/board/{token}/print") == "/board/…/print"
