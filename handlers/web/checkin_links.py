"""Reading a check-in link, and the page that says why one does not open: shared by the check-in
form (handlers.web.checkin) and away and back (handlers.web.away)."""

from __future__ import annotations

import logging
from datetime import datetime

from starlette.responses import Response

from bot.common.signed_links import CHECKIN, LinkGrant, LinkRefused, read
from handlers.web.pages import render

log = logging.getLogger(__name__)

MAX_TOKEN = 400
NOT_SENT = (
    "This form could not be sent from here, so nothing was stored. Open the link in today's message "
    "from winterbot again and send the check-in from that page."
)


def grant_of(secret: str, token: str, now: datetime) -> LinkGrant | LinkRefused:
    if len(token) > MAX_TOKEN:
        return read(secret, "", CHECKIN, now)
    return read(secret, token, CHECKIN, now)


def link_refused(refused: LinkRefused) -> Response:
    log.info("web check-in link refused (%s)", "expired" if refused.expired else "not valid for this page")
    if refused.expired:
        return refused_page(refused.reason, title="This link has expired", status_code=410)
    return refused_page(refused.reason)


def refused_page(reason: str, *, title: str = "This link cannot open a check-in", status_code: int = 403) -> Response:
    return render("checkin_refused.jinja", status_code, title=title, reason=reason)
