"""`/winter status`: the programme's one screen, shown only to the asker, as their role may see it.

Who is asking and the programme's data version come from the process's directory (bot.views.directory,
at most a second old, and never older than this process's last write) and the screen from its
cache (bot.views.status_cache: computed there only when the data has changed); when any of that is not
held, one worker-thread hop reads them and brings the directory up to date. The
Block Kit of a screen is built once per (screen key, variant: leads, a partner organisation,
observers) and kept in RENDERED, so a request for an unchanged programme is a look-up and the ack.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from bot.reports.leads_view import CachedStatus, Variant, ViewRefused, cached_status_for, status_in_memory
from bot.views.status_cache import ScreenKey
from handlers.slack.blocks.status import status_blocks, status_text
from models.vocabulary import Platform

if TYPE_CHECKING:
    from handlers.slack.commands.winter import Invocation

MAX_RENDERED = 64  # screens x variants (leads, observers, each partner organisation)

Rendered = tuple[str, list[dict[str, Any]]]  # the fallback text and the blocks, never changed once built


class RenderedStatus:
    """Rendered status screens by (ScreenKey, variant): bounded (LRU), thread-safe."""

    def __init__(self, size: int = MAX_RENDERED) -> None:
        self.size = size
        self._rendered: OrderedDict[tuple[ScreenKey, Variant], Rendered] = OrderedDict()
        self._lock = threading.Lock()

    def of(self, found: CachedStatus) -> Rendered:
        key = (found.key, found.variant)
        with self._lock:
            rendered = self._rendered.get(key)
            if rendered is not None:
                self._rendered.move_to_end(key)
                return rendered
        rendered = (status_text(found.view), status_blocks(found.view))  # pure: two building it at once agree
        with self._lock:
            self._rendered[key] = rendered
            while len(self._rendered) > self.size:
                self._rendered.popitem(last=False)
        return rendered


RENDERED = RenderedStatus()


async def status(call: Invocation) -> None:
    """From memory when the process holds it all (bot.views.directory), else on a database thread;
    the answer goes in the ack (ephemeral)."""
    user_id, now = call.command["user_id"], datetime.now(UTC)
    directory, screens = call.context.held()
    found: CachedStatus | ViewRefused | None = status_in_memory(directory, screens, Platform.SLACK, user_id, now)
    if found is None:
        found = await call.context.reading_as(
            Platform.SLACK, user_id, lambda session: cached_status_for(session, Platform.SLACK, user_id, now, screens)
        )
    if isinstance(found, ViewRefused):
        await call.ack(response_type="ephemeral", text=status_text(found), blocks=status_blocks(found))
        return
    text, blocks = RENDERED.of(found)
    await call.ack(response_type="ephemeral", text=text, blocks=blocks)
