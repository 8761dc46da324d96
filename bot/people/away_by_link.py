"""`away` and `back` for a member named by id (the member a signed link was made for, who has no
chat to type them in): the same use cases as typed in Slack or Teams (bot.people.away), reached
through the member's own platform and address."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session

from bot.common.calendar import local_date
from bot.people.away import AwayResult, Outcome, request_away, request_back
from models.tables import Member, Programme

GONE = "This link is for someone no longer on the programme. Ask your programme's lead for help."


def away_for(session: Session, member_id: int, typed: str, now: datetime) -> AwayResult:
    member = _live(session, member_id)
    if member is None:
        return AwayResult(Outcome.NOT_A_MEMBER, GONE)
    return request_away(session, member.platform, member.platform_user_id, typed, now)


def back_for(session: Session, member_id: int, now: datetime) -> AwayResult:
    member = _live(session, member_id)
    if member is None:
        return AwayResult(Outcome.NOT_A_MEMBER, GONE)
    return request_back(session, member.platform, member.platform_user_id, now)


def away_until(session: Session, member_id: int, now: datetime) -> date | None:
    """The day their prompts start again, while they are away; else None."""
    member = _live(session, member_id)
    programme = session.get(Programme, member.programme_id) if member is not None else None
    if member is None or programme is None or member.away_until is None:
        return None
    return member.away_until if member.away_until > local_date(now, programme.timezone) else None


def _live(session: Session, member_id: int) -> Member | None:
    member = session.get(Member, member_id)
    return member if member is not None and member.archived_at is None else None
