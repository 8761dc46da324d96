"""A message to winterbot: a typed command, answered with a card in the same conversation.

A client too old for Universal Actions sends a card's button back as a message with a
`value`; that is handed to the card actions and their card sent as a new message.
"""

from __future__ import annotations

import logging

from microsoft_teams.api import MessageActivity
from microsoft_teams.apps import ActivityContext, App

from bot.context import HandlerContext
from handlers.teams.activity import card_message, shown_message
from handlers.teams.commands import answer
from handlers.teams.listeners.card_action import act
from handlers.teams.turn import begin, command_text

log = logging.getLogger(__name__)


def register(app: App, context: HandlerContext) -> None:
    async def on_message(ctx: ActivityContext[MessageActivity]) -> None:
        await received(context, ctx)

    app.on_message(on_message)


async def received(context: HandlerContext, ctx: ActivityContext[MessageActivity]) -> None:
    turn = await begin(context, ctx.activity, ctx.api)
    value = turn.activity.get("value")
    if isinstance(value, dict) and value.get("verb"):
        await ctx.send(shown_message(await act(context, turn, str(value["verb"]), value)))
        return
    text = command_text(turn.activity.get("text"))
    log.info("teams message %r from %s", (text.split() or ["help"])[0][:20], turn.user_id)
    card = await context.in_session(lambda session: answer(session, turn.user_id, text, turn.now))
    await ctx.send(card_message(card))
