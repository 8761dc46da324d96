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
RiskHook = Callable[[int, str, datetime], object]  # risk id, the platform it was changed on, when

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HandlerContext:
    settings: Settings
    engine: Engine
    on_checkin: CheckinHook | None = None  # the composition root's "a check-in was stored"
    on_risk_change: RiskHook | None = None  # and its "a risk changed": update the other platform's copies

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

    async def risk_changed(self, risk_id: int, platform: str, now: datetime) -> None:
        """Tell the rest of the process that a risk changed on this platform, so its copies on
        the other platforms show it too. A failure is logged: the change is already stored."""
        if self.on_risk_change is None:
            return
        try:
            await asyncio.to_thread(self.on_risk_change, risk_id, platform, now)
        except Exception:
            log.exception("risk %s changed, but its copies on other platforms could not all be updated", risk_id)
