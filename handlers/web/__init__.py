"""The web pages beside Slack and Teams: the check-in page for members reached by email or text
message, the leads' huddle board, Notify's delivery receipts, and the NHS.UK frontend's styles
they are drawn with (shipped in handlers/web/static, never fetched from a CDN)."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from bot.common.config import Settings
from handlers.web.pages import STATIC, STATIC_PATH


def web_routes(settings: Settings, engine: Engine) -> list[BaseRoute]:
    from handlers.web.away import away_routes
    from handlers.web.board import board_routes
    from handlers.web.checkin import checkin_routes
    from handlers.web.receipts import receipt_routes

    routes: list[BaseRoute] = [Mount(STATIC_PATH, StaticFiles(directory=STATIC), name="static")]
    if settings.web_enabled:
        routes += checkin_routes(settings, engine)
        routes += away_routes(settings, engine)
        routes += board_routes(settings, engine)
    if settings.notify_enabled and settings.notify_callback_token:
        routes += receipt_routes(settings, engine)
    return routes
