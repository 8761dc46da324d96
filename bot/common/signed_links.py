"""Links that carry their own authority: signed for one member, one purpose and one day, and
refused once they expire or when any part of them is changed.

A link is `payload.signature`, both base64url; the payload is the purpose, the member's id, the
local day the link is for and when it expires (epoch seconds), and the signature an HMAC-SHA256
of the payload under the service's web secret. Nothing is stored: a link can be made again, and
checking one needs no database. Pure: no framework, no clock of its own.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

CHECKIN = "checkin"
BOARD = "board"
PURPOSES = (CHECKIN, BOARD)


@dataclass(frozen=True)
class LinkGrant:
    """What a valid link lets its holder do: `purpose` for `member_id` on `day`, until `expires`."""

    purpose: str
    member_id: int
    day: date
    expires: datetime


@dataclass(frozen=True)
class LinkRefused:
    """Why a link does not open, in words for the person holding it."""

    reason: str
    expired: bool = False


BROKEN = "This link is not complete or has been changed. Open the latest message from winterbot and use its link."
EXPIRED = "This link has expired. Use the link in today's message from winterbot, or ask for a new one."
WRONG_PURPOSE = "This link is for a different page."


def sign(secret: str, grant: LinkGrant) -> str:
    payload = f"{grant.purpose}|{grant.member_id}|{grant.day.isoformat()}|{int(grant.expires.timestamp())}"
    body = _b64(payload.encode())
    return f"{body}.{_b64(_mac(secret, body))}"


def read(secret: str, token: str, purpose: str, now: datetime) -> LinkGrant | LinkRefused:
    """The grant in `token` when it is signed with `secret`, is for `purpose` and has not expired."""
    body, dot, signature = token.partition(".")
    if not dot or not body or not signature:
        return LinkRefused(BROKEN)
    try:
        given = _unb64(signature)
        if not hmac.compare_digest(given, _mac(secret, body)):
            return LinkRefused(BROKEN)
        kind, member, day, expires = _unb64(body).decode().split("|")
        grant = LinkGrant(kind, int(member), date.fromisoformat(day), datetime.fromtimestamp(int(expires), UTC))
    except (ValueError, UnicodeDecodeError):
        return LinkRefused(BROKEN)
    if grant.purpose != purpose:
        return LinkRefused(WRONG_PURPOSE)
    if now >= grant.expires:
        return LinkRefused(EXPIRED, expired=True)
    return grant


def _mac(secret: str, body: str) -> bytes:
    return hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


_BASE64URL = re.compile(r"[A-Za-z0-9_-]+")


def _unb64(text: str) -> bytes:
    """Strictly: base64's decoder would skip characters outside its alphabet, and a token with
    anything added would still open."""
    if not _BASE64URL.fullmatch(text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
