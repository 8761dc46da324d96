"""/winter: one slash command, dispatched on its first word."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.common.commands import Help, parse
from bot.people.membership import asker_help
from handlers.slack.blocks.help import help_blocks, help_text, unknown_command_blocks
from handlers.slack.commands import ask, away, back, checkin, decide, partners, risks, spend, status
from handlers.slack.context import SlackContext
from models.vocabulary import Platform

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Invocation:
    context: SlackContext
    ack: AsyncAck
    command: dict[str, Any]
    rest: str
    client: AsyncWebClient


SubCommand = Callable[[Invocation], Awaitable[None]]


async def _help(call: Invocation) -> None:
    asker = await _asker(call.context, call.command["user_id"])
    await call.ack(response_type="ephemeral", text=help_text(asker), blocks=help_blocks(asker))


async def _asker(context: SlackContext, user_id: str) -> Help:
    """What this user may do: looked up only for help and unknown words, so the other
    sub-commands pay for no second database hop (measured by benchmarks/status_load.py)."""
    return await context.in_session(lambda session: asker_help(session, Platform.SLACK, user_id))


SUBCOMMANDS: dict[str, SubCommand] = {
    "help": _help,
    "checkin": checkin.checkin,
    "away": away.away,
    "back": back.back,
    "spend": spend.spend,
    "risks": risks.risks,
    "status": status.status,
    "partners": partners.partners,
    "decide": decide.decide,
    "ask": ask.ask,
}


def register(app: AsyncApp, context: SlackContext) -> None:
    async def winter(ack: AsyncAck, command: dict[str, Any], client: AsyncWebClient) -> None:
        await dispatch(context, ack, command, client)

    app.command("/winter")(winter)


async def dispatch(context: SlackContext, ack: AsyncAck, command: dict[str, Any], client: AsyncWebClient) -> None:
    name, rest = parse(command.get("text", ""))
    user_id = command["user_id"]
    known = SUBCOMMANDS.get(name)
    log.info("/winter %s from %s", name if known else "(unknown)", user_id)
    if known is None:
        asker = await _asker(context, user_id)
        await ack(
            response_type="ephemeral",
            text=f"I don't know that command. {help_text(asker)}",
            blocks=unknown_command_blocks(name, asker),
        )
        return
    await known(Invocation(context=context, ack=ack, command=command, rest=rest, client=client))
