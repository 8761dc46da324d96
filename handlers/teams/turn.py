"""One incoming activity, as the listeners need it: who sent it (by the id the programme
file uses), the raw activity, and the conversation reference kept on the way in."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session

from bot.app.context import HandlerContext
from bot.people.membership import known_user_id
from handlers.teams.references import remember, teams_ids
from models.vocabulary import Platform

TEAMS = Platform.TEAMS.value
_MENTION = re.compile(r"<at>.*?</at>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Turn:
    activity: dict[str, Any]
    user_id: str
    now: datetime
    api: Any = None  # the SDK's client for this activity's service URL, to update other cards

    @property
    def personal(self) -> bool:
        return (self.activity.get("conversation") or {}).get("conversationType", "personal") == "personal"


def as_dict(activity: Any) -> dict[str, Any]:
    return activity.model_dump(by_alias=True, exclude_none=True, mode="json")


async def begin(context: HandlerContext, activity: Any, api: Any = None) -> Turn:
    """Keep the conversation's reference and find the sender's id, in one unit of work."""
    raw, now = as_dict(activity), datetime.now(UTC)

    def work(session: Session) -> str:
        remember(session, raw, now)
        return known_user_id(session, TEAMS, teams_ids(raw))

    return Turn(activity=raw, user_id=await context.in_session(work), now=now, api=api)


def command_text(text: str | None) -> str:
    """What someone typed, without the @mention of the bot (in a channel) or HTML."""
    return " ".join(_TAG.sub(" ", _MENTION.sub(" ", text or "")).replace("&nbsp;", " ").split())
