"""Conversation references: where a platform lets the bot write first.

Teams opens no chat from a user id alone, so each personal chat and channel the bot hears from
(the app installed for someone or in a team, or a first message) is kept, with its service URL,
and proactive prompts, escalations and digests are sent through them. The platform's handler
says what it heard (a Conversation); the rows are kept and read here.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from sqlmodel import Session, col, or_, select

from models.tables import ConversationRef
from models.vocabulary import Platform

PERSONAL = "personal"


@dataclass(frozen=True)
class Conversation:
    """What a platform told us of a conversation it let us into: `user_id` and `aad_object_id`
    (the person's two ids) only for a personal chat."""

    conversation_id: str
    service_url: str
    kind: str
    tenant_id: str | None
    team_id: str | None
    bot_id: str | None
    user_id: str | None
    aad_object_id: str | None


@dataclass(frozen=True)
class Where:
    """A conversation to post into, and the service URL that reaches it."""

    conversation_id: str
    service_url: str


def remember(session: Session, heard: Conversation, now: datetime) -> ConversationRef:
    """Keep (or refresh) the reference of a conversation the bot heard from."""
    conversation_id = heard.conversation_id
    fields = {**asdict(heard), "service_url": heard.service_url.rstrip("/"), "removed_at": None}
    del fields["conversation_id"]
    ref = session.exec(select(ConversationRef).where(ConversationRef.conversation_id == conversation_id)).first()
    if ref is not None and not _same_tenant(ref, heard.tenant_id):
        return ref
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


def forget(session: Session, conversation_id: str | None, now: datetime, tenant_id: str | None = None) -> None:
    """The app was removed from this chat or team: stop writing there."""
    ref = session.exec(select(ConversationRef).where(ConversationRef.conversation_id == conversation_id)).first()
    if ref is not None and ref.removed_at is None and _same_tenant(ref, tenant_id):
        ref.removed_at = now
        session.add(ref)


def _same_tenant(ref: ConversationRef, tenant_id: str | None) -> bool:
    """A conversation is its tenant's: an activity of another tenant naming it changes nothing."""
    return ref.tenant_id is None or (tenant_id or "").lower() == ref.tenant_id.lower()


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
