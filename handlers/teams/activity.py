"""Cards wrapped as what Teams carries: a message activity, or the answer to a card's button."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from microsoft_teams.api.activities.message import MessageActivityInput
from microsoft_teams.api.models.attachment import Attachment

from handlers.teams.cards.base import CONTENT_TYPE, Card

MESSAGE_TYPE = "application/vnd.microsoft.activity.message"


@dataclass(frozen=True)
class Notice:
    """A sentence for the person who pressed a button alone, leaving the card as it was."""

    text: str


Shown = Card | Notice


def card_message(content: Card, summary: str | None = None, *, activity_id: str | None = None) -> MessageActivityInput:
    """`summary` is what notifications and screen readers get; `activity_id` updates a message."""
    message = MessageActivityInput(summary=summary, id=activity_id)
    return message.add_attachments(Attachment(content_type=CONTENT_TYPE, content=content))


def image_message(data_uri: str, title: str, name: str) -> MessageActivityInput:
    """A picture shown inline in the conversation, captioned."""
    message = MessageActivityInput(text=title, summary=title)
    return message.add_attachments(Attachment(content_type="image/png", content_url=data_uri, name=name))


def card_answer(shown: Shown) -> dict[str, Any]:
    """The answer to an `adaptiveCard/action` invoke: a card Teams shows in place of the old
    one, or a notice it shows the presser without changing the card."""
    if isinstance(shown, Notice):
        return {"statusCode": 200, "type": MESSAGE_TYPE, "value": shown.text}
    return {"statusCode": 200, "type": CONTENT_TYPE, "value": shown}


def shown_message(shown: Shown) -> MessageActivityInput:
    if isinstance(shown, Notice):
        return MessageActivityInput(text=shown.text)
    return card_message(shown)
