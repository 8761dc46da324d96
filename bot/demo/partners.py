"""The synthetic partners' words at check-in: a blocker of the story on its day, what they say of
their organisation's open blockers (still, resolved some days after a lead's answer, or changed),
and now and then a comment of the season (bot.demo.voices)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlmodel import Session, col, select

from bot.checkin.blockers import ANSWERS, same_words
from bot.checkin.field_keys import BLOCKERS, CHANGED, COMMENT, SOLVED, STILL, blocker_key
from bot.checkin.form import CheckinForm, OpenBlocker
from bot.common.calendar import count_working_days, local_date
from bot.demo.voices import Beat, beat_of, comment_for, due_beat
from models.tables import Blocker, BlockerEvent, Organisation

FORGOTTEN_AFTER = 10  # working days: a blocker not in the story is said resolved after this


def partner_words(session: Session, form: CheckinForm, organisation: Organisation, day: date) -> dict[str, Any]:
    """The blockers and comment fields of the day's check-in."""
    raised = {
        same_words(text)
        for text in session.exec(select(Blocker.text).where(Blocker.organisation_id == organisation.id)).all()
    }
    beat = due_beat(organisation.kind, organisation.key, day, raised)
    answers: dict[str, Any] = {}
    for blocker in form.open_blockers:
        answers[blocker_key(blocker.blocker_id)] = _standing(session, blocker, beat, day)
    if beat is not None:
        answers[BLOCKERS] = beat.text
    comment = comment_for(organisation.kind, organisation.key, day)
    if comment:
        answers[COMMENT] = comment
    return answers


def _standing(session: Session, blocker: OpenBlocker, due: Beat | None, day: date) -> str:
    """Changed when today's new words replace it; resolved once it has settled; still otherwise."""
    if due is not None and due.replaces and same_words(due.replaces) == same_words(blocker.text):
        return CHANGED
    beat = beat_of(blocker.text)
    if beat is None:
        return SOLVED if _since(blocker.raised_on, day) >= FORGOTTEN_AFTER else STILL
    if beat.answer == "none":
        return SOLVED if _since(blocker.raised_on, day) >= beat.settles else STILL
    if beat.decided_on is not None and day <= beat.decided_on:
        return STILL  # waiting for the leads' decision, whatever they said meanwhile
    answered = _answered_on(session, blocker.blocker_id, decided=beat.decided_on is not None)
    return SOLVED if answered is not None and _since(answered, day) >= beat.settles else STILL


def _answered_on(session: Session, blocker_id: int, decided: bool) -> date | None:
    """The local date of the last answer from anyone but the raiser; a decision's when one was due."""
    blocker = session.get(Blocker, blocker_id)
    assert blocker is not None
    actions = ["decided"] if decided else list(ANSWERS)
    at = session.exec(
        select(BlockerEvent.at)
        .where(
            BlockerEvent.blocker_id == blocker_id,
            col(BlockerEvent.action).in_(actions),
            col(BlockerEvent.member_id) != blocker.raised_by_member_id,
        )
        .order_by(col(BlockerEvent.at).desc())
    ).first()
    if at is None and decided:  # no decision came (raised too late for it): the lead's answer counts
        return _answered_on(session, blocker_id, decided=False)
    return local_date(at) if at is not None else None


def _since(start: date, day: date) -> int:
    """Working days after `start`, to `day`."""
    return count_working_days(start + timedelta(days=1), day)
