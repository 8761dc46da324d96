"""What a platform's listeners need from the rest of the process, passed to them by closure:
the same for Slack and Teams."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.app.background import Workers
from bot.commands.table import Call, Unknown, asker_help, command_for
from bot.common.config import Settings
from bot.views.directory import Directory, directory_for
from bot.views.status_cache import ScreenCache, screens_of
from models.db import read_scope, session_scope

T = TypeVar("T")
RiskHook = Callable[[int, str, datetime], object]  # risk id, the platform it was changed on, when

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HandlerContext:
    settings: Settings
    engine: Engine
    on_risk_change: RiskHook | None = (
        None  # the composition root's "a risk changed": update the other platform's copies
    )
    workers: Workers = field(default_factory=Workers)

    async def in_session(self, work: Callable[[Session], T]) -> T:
        """Run `work` in one unit of work on the requests' own threads, off the event loop:
        what must be done before the acknowledgement."""
        return await self.workers.run(lambda: self._run(work))

    async def reading(self, work: Callable[[Session], T]) -> T:
        """As `in_session`, for work that only reads (a status screen, a register): no
        transaction to begin or commit (models.db.read_scope)."""
        return await self.workers.run(lambda: self._read(work))

    def held(self) -> tuple[Directory, ScreenCache]:
        """What the process holds of the database: who is on which programme at which version
        (bot.views.directory), and the views computed for those versions (bot.views.status_cache)."""
        return directory_for(self.engine), screens_of(self.engine)

    async def reading_as(self, platform: str, user_id: str, work: Callable[[Session], T]) -> T:
        """As `reading`, first bringing the process's directory up to date for this chat user,
        so that their next read can be answered from memory (bot.views.directory)."""
        directory = directory_for(self.engine)

        def refreshed(session: Session) -> T:
            directory.refresh(session, platform, user_id)
            return work(session)

        return await self.reading(refreshed)

    async def answer(self, platform: str, user_id: str, text: str, now: datetime) -> tuple[Any, Any]:
        """A typed command's (result type, result), as bot.commands.table says: from memory
        when the process holds the answer, else in a unit of work when the command may write,
        else in a read that also brings the directory up to date for this user."""
        command, word, rest = command_for(text)
        if command is None:
            helped = await self.reading(lambda session: asker_help(session, platform, user_id))
            return Unknown, Unknown(word, helped)
        call = Call(platform, user_id, rest, now)
        directory, screens = self.held()
        if command.from_memory is not None:
            found = command.from_memory(directory, screens, call)
            if found is not None:
                return command.result, found

        def work(session: Session) -> Any:
            return command.run(session, call, screens)

        if command.writes(rest):
            return command.result, await self.in_session(work)
        return command.result, await self.reading_as(platform, user_id, work)

    async def in_background_session(self, work: Callable[[Session], T]) -> T:
        """The same on the background thread: for work after the acknowledgement."""
        return await self.workers.background.run_sync(lambda: self._run(work))

    def after_ack(self, key: str, work: Callable[[], Awaitable[object]]) -> None:
        """Do `work` once the acknowledgement has gone, merged with waiting work of the same key
        (see bot.app.background). Its failure is logged, never shown: what was asked is stored."""
        self.workers.background.submit(key, work)

    def _run(self, work: Callable[[Session], T]) -> T:
        with session_scope(self.engine) as session:
            return work(session)

    def _read(self, work: Callable[[Session], T]) -> T:
        with read_scope(self.engine) as session:
            return work(session)

    async def risk_changed(self, risk_id: int, platform: str, now: datetime) -> None:
        """Tell the rest of the process that a risk changed on this platform, so its copies on
        the other platforms show it too. A failure is logged: the change is already stored."""
        hook = self.on_risk_change
        if hook is None:
            return
        try:
            await self.workers.background.run_sync(lambda: hook(risk_id, platform, now))
        except Exception:
            log.exception("risk %s changed, but its copies on other platforms could not all be updated", risk_id)
