"""The Teams app of the web process: our Starlette route in front of the SDK's handler (and
its check of Teams' signed tokens), and our listeners."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from microsoft_teams.apps import App
from sqlalchemy.engine import Engine
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot.app.background import Workers
from bot.app.context import HandlerContext, RiskHook
from bot.common.config import Settings
from handlers.teams import errors, listeners, replays, tenancy
from handlers.teams.sdk import MESSAGING_ENDPOINT, sdk_app
from handlers.teams.tokens import CHECK_THREADS, check_tokens_off_the_loop
from handlers.teams.web import StarletteAdapter, call


@dataclass
class TeamsBot:
    app: App
    adapter: StarletteAdapter
    context: HandlerContext
    _ready: asyncio.Lock = field(default_factory=asyncio.Lock)
    token_threads: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=CHECK_THREADS, thread_name_prefix="teams-token")
    )
    _initialized: bool = False

    async def endpoint(self, request: Request) -> Response:
        await self._initialize()
        handler = self.adapter.handlers.get(MESSAGING_ENDPOINT)
        if handler is None:
            return JSONResponse({"error": "Teams is not ready"}, status_code=503)
        return await call(handler, request)

    async def _initialize(self) -> None:
        async with self._ready:
            if not self._initialized:
                await self.app.initialize()
                check_tokens_off_the_loop(self.app, self.token_threads)
                self._initialized = True


def build_teams_app(
    settings: Settings, engine: Engine, on_risk_change: RiskHook | None = None, workers: Workers | None = None
) -> TeamsBot:
    adapter = StarletteAdapter()
    app = sdk_app(settings, adapter)
    context = HandlerContext(
        settings=settings, engine=engine, on_risk_change=on_risk_change, workers=workers or Workers()
    )
    errors.register(app)
    replays.register(app, context)
    tenancy.register(app, context)
    listeners.register(app, context)
    return TeamsBot(app=app, adapter=adapter, context=context)
