"""`/winter status`: the programme's one screen, shown only to the asker, as their role may see it.

One worker-thread hop reads who is asking and the programme's data version, and takes the screen
from the process's cache (bot.status_cache: computed there only when the data has changed). The
Block Kit of a screen is built once per (screen key, variant: leads, a partner organisation,
observers) and kept in RENDERED, so a request for an unchanged programme is a look-up and the ack.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from bot.leads_view import CachedStatus, Variant, ViewRefused, cached_status_for
from bot.status_cache import ScreenKey, screens_for
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
    """The database work runs on a worker thread; the answer goes in the ack (ephemeral)."""
    user_id, now = call.command["user_id"], datetime.now(timezone.utc)
    found = await call.context.reading(
        lambda session: cached_status_for(session, Platform.SLACK, user_id, now, screens_for(session))
    )
    if isinstance(found, ViewRefused):
        await call.ack(response_type="ephemeral", text=status_text(found), blocks=status_blocks(found))
        return
    text, blocks = RENDERED.of(found)
    await call.ack(response_type="ephemeral", text=text, blocks=blocks)
