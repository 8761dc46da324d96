"""What a platform's listeners need from the rest of the process, passed to them by closure:
the same for Slack and Teams."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.checkin import CheckinResult
from bot.config import Settings
from models.db import session_scope

T = TypeVar("T")
CheckinHook = Callable[[CheckinResult, datetime], object]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HandlerContext:
    settings: Settings
    engine: Engine
    on_checkin: CheckinHook | None = None  # the composition root's "a check-in was stored"

    async def in_session(self, work: Callable[[Session], T]) -> T:
        """Run `work` in one unit of work on a worker thread, off the event loop."""
        return await asyncio.to_thread(self._run, work)

    def _run(self, work: Callable[[Session], T]) -> T:
        with session_scope(self.engine) as session:
            return work(session)

    async def checked_in(self, result: CheckinResult, now: datetime) -> None:
        """Tell the rest of the process (the risk scan) that a check-in was stored. Its
        failure must not reach the person who checked in: their answer is already safe."""
        if self.on_checkin is None:
            return
        try:
            await asyncio.to_thread(self.on_checkin, result, now)
        except Exception:
            log.exception("after check-in %s, the risk scan failed; the clock will run it again", result.checkin_id)
