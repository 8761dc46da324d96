"""How Slack shows `/winter status`: the programme's one screen, only to the asker, as their
role may see it.

The answer comes from the process's directory and cache when held (bot.commands.table, row
"status"). The Block Kit of a screen is built once per (screen key, variant: leads, a partner
organisation, observers) and kept in RENDERED, so a request for an unchanged programme is a
look-up and the ack.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from bot.reports.leads_view import CachedStatus, Variant, ViewRefused
from bot.views.status_cache import ScreenKey
from handlers.slack.blocks.status import status_blocks, status_text

if TYPE_CHECKING:
    from handlers.slack.commands.invocation import Invocation

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


async def show_status(call: Invocation, found: CachedStatus | ViewRefused) -> None:
    if isinstance(found, ViewRefused):
        await call.ack(response_type="ephemeral", text=status_text(found), blocks=status_blocks(found))
        return
    text, blocks = RENDERED.of(found)
    await call.ack(response_type="ephemeral", text=text, blocks=blocks)
