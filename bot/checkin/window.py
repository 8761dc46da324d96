"""When partners were first asked to check in: the engagement window's start
(bot.common.definitions), read from the first prompt sent."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.common.calendar import local_date
from bot.common.definitions import PROMPT_JOB, engagement_start
from models.tables import Delivery, Programme, Tranche
from models.vocabulary import DeliveryState


def asked_from(session: Session, programme: Programme) -> date:
    """The day of the first check-in prompt sent (none yet: the first tranche's available day,
    or the day the programme was created). Two aggregates."""
    first_prompt = session.exec(
        select(func.min(Delivery.local_date)).where(
            Delivery.programme_id == programme.id,
            Delivery.job == PROMPT_JOB,
            Delivery.state == DeliveryState.SENT.value,
        )
    ).one()
    first_tranche = session.exec(
        select(func.min(Tranche.available_on)).where(
            Tranche.programme_id == programme.id, col(Tranche.archived_at).is_(None)
        )
    ).one()
    return engagement_start(first_prompt, first_tranche, local_date(programme.created_at, programme.timezone))
