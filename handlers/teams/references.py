"""Conversation references: where Teams lets the bot write first.

Teams opens no chat from a user id alone, so each personal chat and channel the bot hears
from (the app installed for someone or in a team, or a first message) is kept, with its
service URL, and proactive prompts, escalations and digests are sent through them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, or_, select

from models.tables import ConversationRef
from models.vocabulary import Platform

PERSONAL = "personal"


@dataclass(frozen=True)
class Where:
    """A conversation to post into, and the service URL that reaches it."""

    conversation_id: str
    service_url: str


def teams_ids(activity: dict[str, Any]) -> tuple[str, ...]:
    """The ids by which a programme file may name the sender: their Entra object id, then
    their Teams user id (29:...)."""
    sender = activity.get("from") or {}
    return tuple(i for i in (sender.get("aadObjectId"), sender.get("id")) if i)


def remember(session: Session, activity: dict[str, Any], now: datetime) -> ConversationRef | None:
    """Keep (or refresh) the reference of the conversation this activity came from."""
    conversation = activity.get("conversation") or {}
    conversation_id, service_url = conversation.get("id"), activity.get("serviceUrl")
    if not conversation_id or not service_url:
        return None
    kind = conversation.get("conversationType") or PERSONAL
    sender = activity.get("from") or {}
    channel_data = activity.get("channelData") or {}
    fields = {
        "kind": kind,
        "service_url": service_url.rstrip("/"),
        "tenant_id": conversation.get("tenantId") or (channel_data.get("tenant") or {}).get("id"),
        "team_id": (channel_data.get("team") or {}).get("id"),
        "bot_id": (activity.get("recipient") or {}).get("id"),
        "user_id": sender.get("id") if kind == PERSONAL else None,
        "aad_object_id": sender.get("aadObjectId") if kind == PERSONAL else None,
        "removed_at": None,
    }
    ref = session.exec(select(ConversationRef).where(ConversationRef.conversation_id == conversation_id)).first()
    if ref is None:
        ref = ConversationRef(platform=Platform.TEAMS.value, conversation_id=conversation_id, updated_at=now, **fields)
        session.add(ref)
        return ref
    changed = {
        name: value
        for name, value in fields.items()
        if (value is not None or name == "removed_at") and getattr(ref, name) != value
    }
    if changed:
        for name, value in changed.items():
            setattr(ref, name, value)
        ref.updated_at = now
        session.add(ref)
    return ref


def forget(session: Session, activity: dict[str, Any], now: datetime) -> None:
    """The app was removed from this chat or team: stop writing there."""
    conversation_id = (activity.get("conversation") or {}).get("id")
    ref = session.exec(select(ConversationRef).where(ConversationRef.conversation_id == conversation_id)).first()
    if ref is not None and ref.removed_at is None:
        ref.removed_at = now
        session.add(ref)


def personal_chat(session: Session, user_id: str) -> Where | None:
    """The member's personal chat with the bot, by either of their ids."""
    ref = session.exec(
        select(ConversationRef)
        .where(
            ConversationRef.kind == PERSONAL,
            col(ConversationRef.removed_at).is_(None),
            or_(ConversationRef.aad_object_id == user_id, ConversationRef.user_id == user_id),
        )
        .order_by(col(ConversationRef.updated_at).desc())
    ).first()
    return Where(ref.conversation_id, ref.service_url) if ref else None


def channel(session: Session, channel_id: str, default_service_url: str) -> Where:
    """A channel of a team the app is in. Its own reference when Teams has told us of it;
    otherwise the service URL of the newest reference in the same team, or any, since a
    tenant's conversations share one service URL."""
    live = (
        select(ConversationRef.service_url)
        .where(col(ConversationRef.removed_at).is_(None), ConversationRef.platform == Platform.TEAMS.value)
        .order_by(col(ConversationRef.updated_at).desc())
    )
    for narrowed in (
        live.where(ConversationRef.conversation_id == channel_id),
        live.where(ConversationRef.team_id == channel_id.split(";")[0]),
        live,
    ):
        service_url = session.exec(narrowed.limit(1)).first()
        if service_url:
            return Where(channel_id, service_url)
    return Where(channel_id, default_service_url)
