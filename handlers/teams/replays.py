"""Replay protection for Teams: an activity that may write (a typed message, a card's button)
is acted on once however often it is delivered, by its id within its conversation."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from microsoft_teams.api import ActivityBase
from microsoft_teams.apps import ActivityContext, App

from bot.app.context import HandlerContext
from bot.common.replays import request_key, seen_once

log = logging.getLogger(__name__)

WRITING_TYPES = frozenset({"message", "invoke"})


def register(app: App, context: HandlerContext) -> None:
    """Registered before the listeners: the SDK runs its middleware in order, and a replay stops here."""

    async def once(ctx: ActivityContext[ActivityBase]) -> None:
        activity = ctx.activity
        if activity.type in WRITING_TYPES and activity.id:
            key = request_key("teams", activity.conversation.id, activity.id)
            now = datetime.now(UTC)
            if not await context.workers.run(lambda: seen_once(context.engine, key, "teams", now)):
                log.info("ignored a replayed Teams %s", activity.type)
                return
        await ctx.next()

    app.use(once)
