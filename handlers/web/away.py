"""Away and back on the web: `POST /checkin/{token}/away` pauses the link's member's prompts until
the day they give, or (`action=back`) sends them again, through the same use cases as `away` and
`back` typed in chat (bot.people.away_by_link). The same link, CSRF field and cookie as the
check-in form it sits under (handlers.web.checkin)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from sqlalchemy.engine import Engine
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.common.config import Settings
from bot.common.signed_links import LinkRefused
from bot.common.web_links import CHECKIN_PATH
from bot.people.away import AwayResult, Outcome
from bot.people.away_by_link import away_for, back_for
from handlers.web import csrf
from handlers.web.checkin_links import NOT_SENT, grant_of, link_refused, refused_page
from handlers.web.pages import render
from handlers.web.threads import on_request_threads
from models.db import session_scope

log = logging.getLogger(__name__)

AWAY_SUFFIX = "/away"
BACK = "back"
UNTIL = "until"
MAX_UNTIL = 100
TITLES = {
    Outcome.AWAY: "Your prompts are paused",
    Outcome.BACK: "Your prompts start again",
    Outcome.NOT_AWAY: "You are not away",
    Outcome.BAD_DATE: "That date did not work",
}


def away_routes(settings: Settings, engine: Engine) -> list[BaseRoute]:
    secret, public_url = settings.web_secret, settings.public_url
    assert secret is not None

    def pause(member_id: int, action: str, typed: str, now: datetime) -> AwayResult:
        with session_scope(engine) as session:
            if action == BACK:
                return back_for(session, member_id, now)
            return away_for(session, member_id, typed, now)

    async def away(request: Request) -> Response:
        token, now = request.path_params["token"], datetime.now(UTC)
        grant = grant_of(secret, token, now)
        if isinstance(grant, LinkRefused):
            return link_refused(grant)
        async with request.form(max_files=0, max_fields=10) as data:
            fields = {key: value for key, value in data.items() if isinstance(value, str)}
        if not csrf.origin_allowed(request, public_url) or not csrf.field_matches(
            secret, csrf.cookie_value(request), token, fields.get(csrf.FIELD)
        ):
            return refused_page(NOT_SENT, title="Nothing was changed")
        typed = fields.get(UNTIL, "")[:MAX_UNTIL]
        action = fields.get("action", "")
        result = await on_request_threads(request, lambda: pause(grant.member_id, action, typed, now))
        log.info("web away for member %s: %s", grant.member_id, result.outcome.value)
        if result.outcome in (Outcome.NOT_A_MEMBER, Outcome.NEVER_PROMPTED):
            return refused_page(result.text)
        return render(
            "checkin_away.jinja",
            400 if result.outcome is Outcome.BAD_DATE else 200,
            title=TITLES[result.outcome],
            result=result,
            examples=", ".join(result.examples),
            back=f"{CHECKIN_PATH}{token}",
        )

    return [Route(CHECKIN_PATH + "{token}" + AWAY_SUFFIX, away, methods=["POST"])]
