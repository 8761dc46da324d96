"""The check-in page for members reached by email or text message: GET /checkin/{token} shows
the same form as Slack's modal and Teams' card, POST stores it through the same use cases.

The link is the credential (bot.common.signed_links): it names the member and the local day,
and is read again on every request; who may check in and on which day is checked by bot/ from
the link's member id (bot.checkin.flow). A POST must also carry the form's CSRF field for the
browser's cookie (handlers.web.csrf). Neither the link nor anything typed reaches a log line.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TypeVar

from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.checkin import (
    Refusal,
    Rejected,
    open_checkin_for,
)
from bot.checkin.flow import SentBefore, send_form_once
from bot.checkin.form import CheckinForm
from bot.common.config import Settings
from bot.common.signed_links import LinkRefused
from bot.common.web_links import CHECKIN_PATH
from bot.people.away_by_link import away_until
from handlers.web import csrf
from handlers.web.away import AWAY_SUFFIX
from handlers.web.checkin_links import NOT_SENT, grant_of, link_refused, refused_page
from handlers.web.checkin_page import ACTION, NO_CHANGE, checkin_page, stored_page
from handlers.web.pages import render
from handlers.web.threads import on_request_threads
from models.db import session_scope

log = logging.getLogger(__name__)

T = TypeVar("T")

COOKIE_PATH = CHECKIN_PATH.rstrip("/")
SUBMISSION = "submission"  # a hidden field: one random id each time the form is shown


@dataclass(frozen=True)
class Away:
    """The page's "Away?" part: shown when the form is opened, not when answers come back."""

    until: date | None  # the day prompts start again, while away


MAX_FIELDS = 1000  # ample: Slack's modal, the same form, holds at most 100 blocks


def checkin_routes(settings: Settings, engine: Engine) -> list[BaseRoute]:
    secret, public_url = settings.web_secret, settings.public_url
    assert secret is not None, "the check-in page needs WINTERBOT_WEB_SECRET"

    def in_session(work: Callable[[Session], T]) -> T:
        with session_scope(engine) as session:
            return work(session)

    async def show(request: Request) -> Response:
        token, now = request.path_params["token"], datetime.now(UTC)
        grant = grant_of(secret, token, now)
        if isinstance(grant, LinkRefused):
            return link_refused(grant)
        form, away = await on_request_threads(
            request,
            lambda: in_session(
                lambda s: (open_checkin_for(s, grant.member_id, grant.day, now), away_until(s, grant.member_id, now))
            ),
        )
        if isinstance(form, Refusal):
            log.info("web check-in refused for member %s: not theirs to answer today", grant.member_id)
            return refused_page(form.reason)
        cookie = csrf.cookie_value(request) or csrf.new_value()
        return _form_page(form, secret, cookie, token, public_url, away=Away(away))

    async def send(request: Request) -> Response:
        token, now = request.path_params["token"], datetime.now(UTC)
        grant = grant_of(secret, token, now)
        if isinstance(grant, LinkRefused):
            return link_refused(grant)
        cookie = csrf.cookie_value(request)
        async with request.form(max_files=0, max_fields=MAX_FIELDS) as data:
            fields = {key: value for key, value in data.multi_items() if isinstance(value, str)}
        if not csrf.origin_allowed(request, public_url) or not csrf.field_matches(
            secret, cookie, token, fields.pop(csrf.FIELD, None)
        ):
            log.info(
                "web check-in for member %s refused: its form's origin or CSRF field did not match", grant.member_id
            )
            return refused_page(NOT_SENT, title="Your check-in was not sent")
        assert cookie is not None
        no_change = fields.pop(ACTION, None) == NO_CHANGE
        submission = fields.pop(SUBMISSION, None) or secrets.token_urlsafe(16)
        answers = None if no_change else fields
        outcome = await on_request_threads(
            request,
            lambda: in_session(lambda s: send_form_once(s, grant.member_id, grant.day, answers, submission, now)),
        )
        if isinstance(outcome, SentBefore):
            log.info("web check-in from member %s sent again (a reload): stored once", grant.member_id)
            return render("checkin_again.jinja", title="Check-in already received", amend=f"{CHECKIN_PATH}{token}")
        if isinstance(outcome, Refusal):
            log.info("web check-in refused for member %s: not theirs to answer today", grant.member_id)
            return refused_page(outcome.reason)
        if isinstance(outcome, Rejected):
            log.info("web check-in from member %s refused on %d field(s)", grant.member_id, len(outcome.errors))
            return _form_page(outcome.form, secret, cookie, token, public_url, typed=fields, errors=outcome.errors)
        log.info("web check-in %s stored for member %s", outcome.checkin_id, grant.member_id)
        return render(
            "checkin_done.jinja", title="Check-in received", stored=stored_page(outcome), amend=f"{CHECKIN_PATH}{token}"
        )

    return [
        Route(CHECKIN_PATH + "{token}", show, methods=["GET"]),
        Route(CHECKIN_PATH + "{token}", send, methods=["POST"]),
    ]


def _form_page(
    form: CheckinForm,
    secret: str,
    cookie: str,
    token: str,
    public_url: str | None,
    *,
    typed: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    away: Away | None = None,
) -> Response:
    page = checkin_page(form, typed, errors)
    response = render(
        "checkin.jinja",
        400 if errors else 200,
        title="Today's check-in",
        page=page,
        errors=page.errors,
        csrf_name=csrf.FIELD,
        csrf_value=csrf.field_value(secret, cookie, token),
        submission_name=SUBMISSION,
        submission_value=secrets.token_urlsafe(16),
        action_name=ACTION,
        no_change_value=NO_CHANGE,
        away=away,
        away_action=f"{CHECKIN_PATH}{token}{AWAY_SUFFIX}",
    )
    csrf.set_cookie(response, cookie, public_url, COOKIE_PATH)
    return response
