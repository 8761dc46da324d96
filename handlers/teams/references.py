"""What Teams tells us of a conversation, in the words of bot.people.conversations, which keeps
the references that let the bot write first."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from bot.people import conversations
from bot.people.conversations import PERSONAL, Conversation


def teams_ids(activity: dict[str, Any]) -> tuple[str, ...]:
    """The ids by which a programme file may name the sender: their Entra object id, then
    their Teams user id (29:...)."""
    sender = activity.get("from") or {}
    return tuple(i for i in (sender.get("aadObjectId"), sender.get("id")) if i)


def conversation_of(activity: dict[str, Any]) -> Conversation | None:
    """The conversation an activity came from; None when Teams left out where to answer."""
    conversation = activity.get("conversation") or {}
    conversation_id, service_url = conversation.get("id"), activity.get("serviceUrl")
    if not conversation_id or not service_url:
        return None
    kind = conversation.get("conversationType") or PERSONAL
    sender = activity.get("from") or {}
    channel_data = activity.get("channelData") or {}
    return Conversation(
        conversation_id=conversation_id,
        service_url=service_url,
        kind=kind,
        tenant_id=conversation.get("tenantId") or (channel_data.get("tenant") or {}).get("id"),
        team_id=(channel_data.get("team") or {}).get("id"),
        bot_id=(activity.get("recipient") or {}).get("id"),
        user_id=sender.get("id") if kind == PERSONAL else None,
        aad_object_id=sender.get("aadObjectId") if kind == PERSONAL else None,
    )


def remember(session: Session, activity: dict[str, Any], now: datetime) -> None:
    """Keep (or refresh) the reference of the conversation this activity came from."""
    heard = conversation_of(activity)
    if heard is not None:
        conversations.remember(session, heard, now)


def forget(session: Session, activity: dict[str, Any], now: datetime) -> None:
    """The app was removed from this chat or team: stop writing there."""
    conversation = activity.get("conversation") or {}
    tenant = conversation.get("tenantId") or ((activity.get("channelData") or {}).get("tenant") or {}).get("id")
    conversations.forget(session, conversation.get("id"), now, tenant)
