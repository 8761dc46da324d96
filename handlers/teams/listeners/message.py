"""A message to winterbot: a typed command, answered with a card in the personal chat. In a
channel everyone would see the answer, so there it is only pointed to the personal chat.

A client too old for Universal Actions sends a card's button back as a message with a
`value`; that is handed to the card actions and their card sent as a new message.
"""

from __future__ import annotations

import logging

from microsoft_teams.api.activities.message import MessageActivity
from microsoft_teams.apps import ActivityContext, App

from bot.app.context import HandlerContext
from bot.commands.table import Unknown
from bot.common.asking import parse
from handlers.teams.activity import card_message, shown_message
from handlers.teams.cards.base import card, line
from handlers.teams.commands import SHOWN, typed
from handlers.teams.listeners.card_action import act
from handlers.teams.turn import TEAMS, begin, command_text

log = logging.getLogger(__name__)

IN_PERSONAL_CHAT = (
    "I answer commands in your personal chat with winterbot, so that only you see the answer: "
    "open winterbot from Apps (or select my name) and type the command there, `help` for the list."
)


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
    if not turn.personal:
        await ctx.send(card_message(card([line(IN_PERSONAL_CHAT)])))
        return
    text = typed(command_text(turn.activity.get("text")))
    shows, result = await context.answer(TEAMS, turn.user_id, text, turn.now)
    log.info("teams %s from %s", "(unknown command)" if shows is Unknown else parse(text)[0], turn.user_id)
    await ctx.send(card_message(SHOWN[shows](result, context.settings)))
