"""The App Home tab: published when someone opens it, and again after they check in if they
have been looking at it lately.

Slack sends app_home_opened every time someone opens the tab, so opening it always shows it as
it stands. A check-in is answered from the DM or a channel, not from the Home, so refreshing the
Home after every check-in was mostly work nobody would see (two fifths of a check-in's cost at
the 09:30 peak); it is refreshed after a check-in only for someone who opened it in the last
LOOKING_SECONDS, who may well go back to it while it is still open.

Bolt acknowledges events itself; the work happens after. Building the Home reads the database
on a worker thread (context.in_session); a lead's status screen comes from the same cache as
`/winter status` (bot.views.status_cache). A failure to publish is logged, never raised: the Home
is a convenience, and a check-in that triggered the refresh is already stored.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.reports.leads_view import home_for
from bot.views.status_cache import screens_for
from handlers.slack.blocks.home import home_view
from handlers.slack.context import SlackContext
from models.vocabulary import Platform

log = logging.getLogger(__name__)
HOME_TAB = "home"
LOOKING_SECONDS = 600.0
MAX_LOOKING = 10_000


class Looking:
    """Who opened their Home lately, in this process: bounded, oldest forgotten first."""

    def __init__(
        self, seconds: float = LOOKING_SECONDS, size: int = MAX_LOOKING, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.seconds, self.size, self._clock = seconds, size, clock
        self._opened: OrderedDict[str, float] = OrderedDict()

    def opened(self, user_id: str) -> None:
        self._opened[user_id] = self._clock()
        self._opened.move_to_end(user_id)
        while len(self._opened) > self.size:
            self._opened.popitem(last=False)

    def lately(self, user_id: str) -> bool:
        at = self._opened.get(user_id)
        return at is not None and self._clock() - at <= self.seconds

    def clear(self) -> None:
        self._opened.clear()


LOOKING = Looking()


def register(app: AsyncApp, context: SlackContext) -> None:
    async def app_home_opened(event: dict[str, Any], client: AsyncWebClient) -> None:
        if event.get("tab", HOME_TAB) != HOME_TAB:
            return  # the Messages tab: nothing to publish
        LOOKING.opened(event["user"])
        await refresh_home(client, context, event["user"])

    app.event("app_home_opened")(app_home_opened)


async def refresh_home(client: AsyncWebClient, context: SlackContext, user_id: str, *, after_ack: bool = False) -> bool:
    """Build and publish `user_id`'s Home as it stands now; True when Slack accepted it. Opened
    by the user, it is their request; refreshed after a check-in (`after_ack`), it is built on
    the background thread, never on the threads the acknowledgements need."""
    now = datetime.now(UTC)
    run = context.in_background_session if after_ack else context.reading
    try:
        home = await run(lambda session: home_for(session, Platform.SLACK, user_id, now, screens_for(session)))
        await client.views_publish(user_id=user_id, view=home_view(home))
    except Exception:
        log.exception("could not publish the App Home of %s", user_id)
        return False
    return True
