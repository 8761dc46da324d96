"""/slack/events over HTTP: the guard's checks, then replay protection, then Bolt.

A request that may write is recorded by its replay key before any listener runs; a replay
(the same signed body again, or an event Slack retries) is answered with a short 200 and
nothing is done. Whatever Bolt itself raises while reading a request is a 400, never a 500.
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
from handlers.slack.errors import database_away
from handlers.slack.guard import Accepted, Refused, inspect_request

log = logging.getLogger(__name__)

Endpoint = Callable[[Request], Awaitable[Response]]
ALREADY_DONE = "winterbot had already received this request and acted on it the first time; nothing more was done."


def slack_endpoint(slack_app: AsyncApp, signing_secret: str, engine: Engine, workers: Workers) -> Endpoint:
    handler = AsyncSlackRequestHandler(slack_app)
    verifier = SignatureVerifier(signing_secret)

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
        try:
            return await handler.handle(request)
        except Exception as error:  # noqa: BLE001 -- whatever Bolt raises reading input is the sender's fault
            log.warning("refused a Slack request Bolt could not read (400): %s", type(error).__name__)
            return JSONResponse({"error": "the request could not be read"}, status_code=400)

    return slack_events


async def _first_time(engine: Engine, workers: Workers, key: str) -> bool:
    now = datetime.now(UTC)
    return await workers.run(lambda: seen_once(engine, key, "slack", now))


def already_done(verdict: Accepted) -> Response:
    """A command is told it was done already; an action, view or event gets the empty 200 that
    Slack takes as 'received' (a submitted modal closes)."""
    if verdict.kind == "command":
        return JSONResponse({"response_type": "ephemeral", "text": ALREADY_DONE})
    return Response(status_code=200)
