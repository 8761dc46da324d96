"""(being built)"""

from __future__ import annotations

from sqlalchemy.engine import Engine
from starlette.routing import BaseRoute

from bot.common.config import Settings


def board_routes(settings: Settings, engine: Engine) -> list[BaseRoute]:
    return []
