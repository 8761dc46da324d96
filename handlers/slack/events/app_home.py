"""The App Home tab: published when someone opens it, and again after they check in.

Bolt acknowledges events itself; the work happens after. Building the Home reads the database
on a worker thread (context.in_session); a lead's status screen comes from the same cache as
`/winter status` (bot.status_cache). A failure to publish is logged, never raised: the Home
is a convenience, and a check-in that triggered the refresh is already stored.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.leads_view import home_for
from bot.status_cache import screens_for
from handlers.slack.blocks.home import home_view
from handlers.slack.context import SlackContext
from models.vocabulary import Platform

log = logging.getLogger(__name__)
HOME_TAB = "home"


def register(app: AsyncApp, context: SlackContext) -> None:
    async def app_home_opened(event: dict[str, Any], client: AsyncWebClient) -> None:
        if event.get("tab", HOME_TAB) != HOME_TAB:
            return  # the Messages tab: nothing to publish
        await refresh_home(client, context, event["user"])

    app.event("app_home_opened")(app_home_opened)


async def refresh_home(client: AsyncWebClient, context: SlackContext, user_id: str, *, after_ack: bool = False) -> bool:
    """Build and publish `user_id`'s Home as it stands now; True when Slack accepted it. Opened
    by the user, it is their request; refreshed after a check-in (`after_ack`), it is built on
    the background thread, never on the threads the acknowledgements need."""
    now = datetime.now(timezone.utc)
    run = context.in_background_session if after_ack else context.in_session
    try:
        home = await run(lambda session: home_for(session, Platform.SLACK, user_id, now, screens_for(session)))
        await client.views_publish(user_id=user_id, view=home_view(home))
    except Exception:
        log.exception("could not publish the App Home of %s", user_id)
        return False
    return True
