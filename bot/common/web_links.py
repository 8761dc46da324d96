"""The addresses of the web pages, signed for the member they are sent to (bot.common.signed_links).

A check-in link is for one member and one local day: it works until the end of that day in the
programme's timezone, as often as they like, so they can come back to amend that day's answers.
A board link is for one lead and is short-lived: long enough for a huddle on the shared screen.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from bot.common.calendar import local_date, local_instant
from bot.common.signed_links import BOARD, CHECKIN, LinkGrant, sign

CHECKIN_PATH = "/checkin/"
BOARD_PATH = "/board/"
BOARD_HOURS = 12


def checkin_grant(member_id: int, day: date, timezone: str | None) -> LinkGrant:
    end = local_instant(day + timedelta(days=1), time(0, 0), timezone)
    return LinkGrant(CHECKIN, member_id, day, end)


def checkin_url(base: str, secret: str, member_id: int, day: date, timezone: str | None) -> str:
    return f"{base.rstrip('/')}{CHECKIN_PATH}{sign(secret, checkin_grant(member_id, day, timezone))}"


def board_grant(member_id: int, now: datetime, timezone: str | None) -> LinkGrant:
    return LinkGrant(BOARD, member_id, local_date(now, timezone), now + timedelta(hours=BOARD_HOURS))


def board_url(base: str, secret: str, member_id: int, now: datetime, timezone: str | None) -> str:
    return f"{base.rstrip('/')}{BOARD_PATH}{sign(secret, board_grant(member_id, now, timezone))}"


_TOKEN_IN_PATH = re.compile(rf"({re.escape(CHECKIN_PATH)}|{re.escape(BOARD_PATH)})[^/?#\s]+")


def without_tokens(path: str) -> str:
    """A request path fit for a log: a link's token is its holder's credential, so it is cut out."""
    return _TOKEN_IN_PATH.sub(r"\1…", path)
