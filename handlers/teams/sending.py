"""Posting and updating cards through the Bot Connector API, with its failures sorted into
those worth retrying and those that are not."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import httpx
from microsoft_teams.api import ApiClient
from microsoft_teams.api.activities.message import MessageActivityInput

from bot.app.context import HandlerContext
from bot.people.conversations import Where, channel
from bot.sending.ports import SendError
from handlers.teams.activity import card_message
from handlers.teams.cards.base import Card
from handlers.teams.sdk import DEFAULT_SERVICE_URL

log = logging.getLogger(__name__)

PERMANENT = frozenset({400, 401, 403, 404, 410, 413})  # bad card, app blocked or removed, no such chat


def reference(where: Where, activity_id: str) -> str:
    """How a sent message is named in the delivery ledger: the conversation, then the activity."""
    return f"{where.conversation_id} {activity_id}"


def parse_reference(text: str) -> tuple[str, str]:
    conversation_id, _, activity_id = text.rpartition(" ")
    return conversation_id, activity_id


async def post(api: ApiClient, where: Where, message: MessageActivityInput) -> str:
    try:
        sent = await api.conversations.create_activity(where.conversation_id, message, service_url=where.service_url)
    except httpx.HTTPStatusError as error:
        raise _send_error(error) from None
    except httpx.HTTPError as error:
        raise SendError(f"Teams could not be reached: {type(error).__name__}") from None
    return reference(where, sent.id or "")


async def update(api: ApiClient, where: Where, activity_id: str, message: MessageActivityInput) -> None:
    try:
        await api.conversations.update_activity(
            where.conversation_id, activity_id, message, service_url=where.service_url
        )
    except httpx.HTTPStatusError as error:
        raise _send_error(error) from None
    except httpx.HTTPError as error:
        raise SendError(f"Teams could not be reached: {type(error).__name__}") from None


def _send_error(error: httpx.HTTPStatusError) -> SendError:
    status = error.response.status_code
    return SendError(f"Teams answered {status}", permanent=status in PERMANENT)


async def update_cards(context: HandlerContext, api: ApiClient, references: Sequence[str], content: Card) -> None:
    """From the web process, after a risk button: every other Teams card of the risk. A card
    that cannot be updated is logged and left: the change itself is stored."""
    default = context.settings.teams_service_url or DEFAULT_SERVICE_URL
    parsed = [parse_reference(text) for text in references]
    wheres = await context.in_session(lambda s: [channel(s, conversation, default) for conversation, _ in parsed])
    for where, (_, activity_id) in zip(wheres, parsed, strict=False):
        try:
            await update(api, where, activity_id, card_message(content, activity_id=activity_id))
        except SendError as error:
            log.warning("could not update the risk card %s: %s", activity_id, error)
