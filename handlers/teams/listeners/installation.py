"""The app added to (or removed from) someone's personal chat or a team. Its conversation
reference is kept so prompts, escalations and digests can be sent there first; a person is
welcomed with what they can do, and a team is told the channel id to put in the programme
file."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from microsoft_teams.api import ConversationUpdateActivity, InstallUpdateActivity
from microsoft_teams.apps import ActivityContext, App

from bot.app.context import HandlerContext
from bot.commands.table import asker_help
from handlers.teams.activity import card_message
from handlers.teams.cards.base import card, line
from handlers.teams.cards.help import help_card
from handlers.teams.references import forget
from handlers.teams.turn import TEAMS, Turn, as_dict, begin

log = logging.getLogger(__name__)


def register(app: App, context: HandlerContext) -> None:
    async def on_installation_update(ctx: ActivityContext[InstallUpdateActivity]) -> None:
        await installation_update(context, ctx)

    async def on_conversation_update(ctx: ActivityContext[ConversationUpdateActivity]) -> None:
        await begin(context, ctx.activity)  # a team or chat the bot joined: keep where it is

    app.on_installation_update(on_installation_update)
    app.on_conversation_update(on_conversation_update)


async def installation_update(context: HandlerContext, ctx: ActivityContext[InstallUpdateActivity]) -> None:
    raw = as_dict(ctx.activity)
    action = str(raw.get("action") or "")
    if action.startswith("remove"):
        await context.in_session(lambda session: forget(session, raw, datetime.now(UTC)))
        log.info("teams app removed from a %s conversation", _kind(raw))
        return
    turn = await begin(context, ctx.activity)
    log.info("teams app installed in a %s conversation", _kind(raw))
    if action == "add-upgrade":
        return
    if turn.personal:
        asker = await context.in_session(lambda session: asker_help(session, TEAMS, turn.user_id))
        await ctx.send(card_message(help_card(asker), "winterbot is ready"))
    else:
        await ctx.send(card_message(card([line(_team_welcome(turn))]), "winterbot is ready"))


def _team_welcome(turn: Turn) -> str:
    channel = (turn.activity.get("conversation") or {}).get("id", "")
    return (
        "winterbot is in this team. To have the weekly digest or the leads' escalations posted in this "
        f"channel, put `teams_channel: {channel}` (or `teams_leads_channel:`) in the programme file's "
        "programme section and load it again."
    )


def _kind(raw: dict[str, Any]) -> str:
    return str((raw.get("conversation") or {}).get("conversationType") or "personal")
