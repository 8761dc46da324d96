"""The web process: Slack's endpoint, Teams' /api/messages, /healthz, and Socket Mode when
an app token is set.

The composition root: the one module in bot/ that may import handlers/ and the platform SDKs.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from typing import Any

import uvicorn
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp
from sqlalchemy import text
from sqlalchemy.engine import Engine
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.app.background import Workers
from bot.app.database_ready import ready_engine
from bot.app.wiring import WebHooks
from bot.common.config import Settings
from bot.common.web_links import without_tokens
from handlers.asgi.body_limit import BodyLimit
from handlers.slack import build_slack_app
from handlers.slack.endpoint import slack_endpoint
from handlers.slack.oauth import INSTALL_PATH, REDIRECT_PATH
from handlers.web import web_routes
from models.db import (
    WEB_CONNECT_TIMEOUT_SECONDS,
    WEB_STATEMENT_TIMEOUT_SECONDS,
    make_engine,
)

log = logging.getLogger(__name__)

HEALTH_TIMEOUT_SECONDS = 5.0
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
Endpoint = Callable[[Request], Awaitable[Response]]
Lifespan = Callable[[Starlette], Any]


def build_asgi_app(settings: Settings, engine: Engine) -> Starlette:
    routes: list[BaseRoute] = [Route("/healthz", _healthz(engine, settings), methods=["GET"])]
    lifespan = None
    hooks = WebHooks(settings, engine)
    workers = Workers()
    slack_app = (
        build_slack_app(settings, engine, on_risk_change=hooks.after_risk_change, workers=workers)
        if settings.slack_enabled
        else None
    )
    if settings.teams_enabled:
        routes.append(_teams_route(settings, engine, hooks, workers))
    if slack_app is not None and settings.slack_signing_secret:
        endpoint = _slack_events(slack_app, settings.slack_signing_secret, engine, workers)
        routes.append(Route("/slack/events", endpoint, methods=["POST"]))
    if slack_app is not None and settings.slack_oauth:
        routes += _slack_install(slack_app)
    if slack_app is not None and settings.slack_app_token:
        lifespan = _socket_mode(slack_app, settings.slack_app_token)
    routes += web_routes(settings, engine)
    limit = Middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app = Starlette(routes=routes, lifespan=lifespan, middleware=[limit])
    app.state.slack_app = slack_app
    app.state.workers = workers
    app.state.socket_mode = None
    return app


def _teams_route(settings: Settings, engine: Engine, hooks: WebHooks, workers: Workers) -> Route:
    """Imported here: a Slack-only deployment does not load the Teams SDK."""
    from handlers.teams.app import build_teams_app
    from handlers.teams.sdk import MESSAGING_ENDPOINT

    teams = build_teams_app(settings, engine, on_risk_change=hooks.after_risk_change, workers=workers)
    return Route(MESSAGING_ENDPOINT, teams.endpoint, methods=["POST"])


class HideLinkTokens(logging.Filter):
    """uvicorn's access log writes each request's path: a web page's link carries its holder's
    credential (bot.common.web_links), which never reaches a log."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(without_tokens(a) if isinstance(a, str) else a for a in record.args)
        return True


def serve(settings: Settings, port: int, host: str = "0.0.0.0") -> None:
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    logging.getLogger("uvicorn.access").addFilter(HideLinkTokens())
    ready_engine(settings.database_url, wait=True).dispose()
    engine = make_engine(
        settings.database_url,
        statement_timeout=WEB_STATEMENT_TIMEOUT_SECONDS,
        connect_timeout=WEB_CONNECT_TIMEOUT_SECONDS,
    )
    app = build_asgi_app(settings, engine)
    tune_collector()
    log.info(
        "serving on %s:%d (slack: %s, teams: %s, notify: %s, web pages: %s)",
        host,
        port,
        _describe(settings),
        _teams(settings),
        _notify(settings),
        "on" if settings.web_enabled else "off",
    )
    try:
        uvicorn.run(app, host=host, port=port, lifespan="on", log_config=None)
    finally:
        engine.dispose()


GC_THRESHOLDS = (50_000, 20, 100)


def tune_collector() -> None:
    """Collect garbage less often, and never look again at what start-up made. Python's default
    (a collection every 700 new objects) walks the process's kept screens, views and modules
    dozens of times a second under load: on the large programme at 20 connections, /winter status
    went from 51% of the bare app's throughput to 66-72% with these thresholds, /winter risks from
    35% to 43% and its p99 from 130 ms to 47 ms (benchmarks/status_load.py, SQLite)."""
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def _describe(settings: Settings) -> str:
    """How Slack reaches us, and `+oauth` when each workspace installs with a token of its own
    (otherwise every call carries SLACK_BOT_TOKEN)."""
    if not settings.slack_enabled:
        return "off"
    modes = (
        ("http", bool(settings.slack_signing_secret)),
        ("socket_mode", settings.socket_mode),
        ("oauth", settings.slack_oauth),
    )
    return "+".join(name for name, on in modes if on)


def _slack_events(slack_app: AsyncApp, signing_secret: str, engine: Engine, workers: Workers) -> Endpoint:
    """Bolt behind the request guard (shape, signature, replays): handlers.slack.endpoint."""
    return slack_endpoint(slack_app, signing_secret, engine, workers)


def _slack_install(slack_app: AsyncApp) -> list[BaseRoute]:
    """Slack's OAuth flow, answered by Bolt: /slack/install sends the admin to Slack's consent
    screen, /slack/oauth_redirect stores the workspace's token (handlers.slack.oauth). Plain
    GETs from a browser, so not behind the signed request guard: the state is their check."""
    handler = AsyncSlackRequestHandler(slack_app)

    async def install(request: Request) -> Response:
        return await handler.handle(request)

    return [Route(INSTALL_PATH, install, methods=["GET"]), Route(REDIRECT_PATH, install, methods=["GET"])]


def _teams(settings: Settings) -> str:
    return "http" if settings.teams_enabled else "off"


def _notify(settings: Settings) -> str:
    if not settings.notify_enabled:
        return "off"
    return "on+receipts" if settings.notify_callback_token else "on"


def _healthz(engine: Engine, settings: Settings) -> Endpoint:
    reports = {
        "slack": _describe(settings),
        "teams": _teams(settings),
        "notify": _notify(settings),
        "web": "on" if settings.web_enabled else "off",
    }

    async def healthz(request: Request) -> Response:
        body: dict[str, Any] = {"ok": True, "database": "ok", **reports}
        socket: AsyncSocketModeHandler | None = request.app.state.socket_mode
        if socket is not None:
            connected = await socket.client.is_connected()
            body["socket_mode"] = "connected" if connected else "connecting"
        try:
            await asyncio.wait_for(asyncio.to_thread(_ping, engine), HEALTH_TIMEOUT_SECONDS)
        except Exception as error:  # noqa: BLE001 -- whatever the driver raises, the health check says unreachable
            log.warning("healthz: the database did not answer: %s", _first_line(error))
            return JSONResponse({**body, "ok": False, "database": "unreachable"}, status_code=503)
        return JSONResponse(body)

    return healthz


def _ping(engine: Engine) -> None:
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return f"{type(error).__name__}: {lines[0] if lines else ''}"


def _socket_mode(slack_app: AsyncApp, app_token: str) -> Lifespan:
    """Connect in the background, so /healthz serves while Slack is still being reached."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        handler = AsyncSocketModeHandler(slack_app, app_token)
        app.state.socket_mode = handler
        connecting = asyncio.create_task(handler.connect_async())
        try:
            yield
        finally:
            await handler.close_async()
            connecting.cancel()
            with suppress(asyncio.CancelledError, Exception):
                await connecting
            app.state.socket_mode = None

    return lifespan
