"""What listeners need from the rest of the process, passed to them by closure."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.config import Settings
from models.db import session_scope

T = TypeVar("T")


@dataclass(frozen=True)
class SlackContext:
    settings: Settings
    engine: Engine

    async def in_session(self, work: Callable[[Session], T]) -> T:
        """Run `work` in one unit of work on a worker thread, off the event loop."""
        return await asyncio.to_thread(self._run, work)

    def _run(self, work: Callable[[Session], T]) -> T:
        with session_scope(self.engine) as session:
            return work(session)
