"""What someone on Teams is told when their activity meets a database that is away: the same
promise as on Slack (handlers.slack.errors). Registered as the first middleware, so it also
covers the replay check that runs before the listeners. A unit of work that raises is rolled
back, so nothing of the activity was saved:

- a card's button is answered with a notice, and the card keeps everything typed into it;
- a typed message is answered with the words in the chat.

The log gets one line: the activity's type and the driver's reason; never what was typed.
"""

from __future__ import annotations

import logging
from typing import Any

from microsoft_teams.api import ActivityBase
from microsoft_teams.apps import ActivityContext, App

from bot.app.database_ready import NOTHING_SAVED, UNREACHABLE, reason
from handlers.teams.activity import Notice, card_answer

log = logging.getLogger(__name__)


def register(app: App) -> None:
    async def database_away(ctx: ActivityContext[ActivityBase]) -> Any:
        try:
            await ctx.next()
        except UNREACHABLE as error:
            kind = ctx.activity.type
            log.warning("a Teams %s met the database away (%s): told them nothing was saved", kind, reason(error))
            if kind == "invoke":
                return card_answer(Notice(NOTHING_SAVED))
            if kind == "message":
                await _tell(ctx)
        return None

    app.use(database_away)


async def _tell(ctx: ActivityContext[ActivityBase]) -> None:
    try:
        await ctx.send(NOTHING_SAVED)
    except Exception as failure:  # noqa: BLE001 - telling them is a courtesy; the log line stands
        log.warning("could not tell them nothing was saved (%s)", type(failure).__name__)
