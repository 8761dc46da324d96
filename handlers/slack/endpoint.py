"""/slack/events over HTTP: the guard's checks, then replay protection, then the workspace
check, then Bolt.

A request that may write is recorded by its replay key before any listener runs; a replay
(the same signed body again, or an event Slack retries) is answered with a short 200 and
nothing is done. A request whose user is on a programme of another workspace is refused before
any listener runs (bot.people.tenancy): a command is told so, privately; an interaction or an
event gets the empty 200 and nothing is done. Whatever Bolt itself raises while reading a
request is a 400, never a 500.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.signature import SignatureVerifier
from sqlalchemy.engine import Engine
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot.app.background import Workers
from bot.app.database_ready import UNREACHABLE
from bot.common.replays import seen_once
from bot.people.tenancy import Request as TenantRequest
from bot.people.tenancy import Verdict, check, check_held, refusal_text
from bot.views.directory import directory_for
from handlers.slack.errors import database_away
from handlers.slack.guard import Accepted, Refused, inspect_request
from handlers.slack.tenancy import serves_many, slack_request
from models.db import read_scope
from models.vocabulary import Platform

log = logging.getLogger(__name__)

Endpoint = Callable[[Request], Awaitable[Response]]
ALREADY_DONE = "winterbot had already received this request and acted on it the first time; nothing more was done."


def slack_endpoint(
    slack_app: AsyncApp,
    signing_secret: str,
    engine: Engine,
    workers: Workers,
    *,
    many_workspaces: bool | None = None,
) -> Endpoint:
    """`many_workspaces`: the service runs for many Slack workspaces (Settings.slack_oauth), so
    a programme without an owner is no workspace's; when not given, read from the Bolt app
    (handlers.slack.tenancy.serves_many)."""
    handler = AsyncSlackRequestHandler(slack_app)
    verifier = SignatureVerifier(signing_secret)
    many = serves_many(slack_app) if many_workspaces is None else many_workspaces

    async def slack_events(request: Request) -> Response:
        body = await request.body()
        verdict = inspect_request(body, request.headers, verifier)
        if isinstance(verdict, Refused):
            log.warning(
                "refused a Slack request (%d): %s; %d bytes, body withheld", verdict.status, verdict.reason, len(body)
            )
            return JSONResponse({"error": verdict.reason}, status_code=verdict.status)
        try:
            first = verdict.replay_key is None or await _first_time(engine, workers, verdict.replay_key)
        except UNREACHABLE as error:
            return database_away(verdict.payload, error)
        if not first:
            log.info("ignored a replayed Slack %s", verdict.kind)
            return already_done(verdict)
        asking = slack_request(verdict, many)
        if isinstance(asking, Refused):
            log.warning("refused a Slack %s (%d): %s; body withheld", verdict.kind, asking.status, asking.reason)
            return JSONResponse({"error": asking.reason}, status_code=asking.status)
        try:
            allowed = asking is None or (await _tenancy(engine, workers, asking)).allowed
        except UNREACHABLE as error:
            return database_away(verdict.payload, error)
        if not allowed:
            return not_here(verdict)
        try:
            return await handler.handle(request)
        except Exception as error:  # noqa: BLE001 -- whatever Bolt raises reading input is the sender's fault
            log.warning("refused a Slack request Bolt could not read (400): %s", type(error).__name__)
            return JSONResponse({"error": "the request could not be read"}, status_code=400)

    return slack_events


async def _first_time(engine: Engine, workers: Workers, key: str) -> bool:
    now = datetime.now(UTC)
    return await workers.run(lambda: seen_once(engine, key, "slack", now))


async def _tenancy(engine: Engine, workers: Workers, asking: TenantRequest) -> Verdict:
    def work() -> Verdict:
        with read_scope(engine) as session:
            return check(session, asking)

    held = check_held(directory_for(engine), asking)
    verdict = held if held is not None else await workers.run(work)
    if not verdict.allowed:
        log.warning(
            "refused a Slack request from workspace %s: its user is on %d programme(s) not of this workspace (%s)",
            asking.team_id,
            verdict.elsewhere,
            verdict.reason,
        )
    return verdict


def not_here(verdict: Accepted) -> Response:
    """A command is told why, privately; an action, view or event gets the empty 200."""
    if verdict.kind == "command":
        return JSONResponse({"response_type": "ephemeral", "text": refusal_text(Platform.SLACK)})
    return Response(status_code=200)


def already_done(verdict: Accepted) -> Response:
    """A command is told it was done already; an action, view or event gets the empty 200 that
    Slack takes as 'received' (a submitted modal closes)."""
    if verdict.kind == "command":
        return JSONResponse({"response_type": "ephemeral", "text": ALREADY_DONE})
    return Response(status_code=200)
