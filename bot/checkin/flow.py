"""The check-in's steps as a platform calls them: open the form, submit it, or say
"nothing new today". Each runs in the caller's unit of work and checks who is asking."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from bot.checkin.access import Refusal, checkin_membership, checkin_membership_by_id
from bot.checkin.answers import Answers, Errors, validate
from bot.checkin.form import CheckinForm, build_form, form_to_check
from bot.checkin.ledger import CheckinResult, lock_member, record, record_no_change
from bot.common.calendar import local_date
from bot.common.replays import first_time, request_key
from models.tables import Member, Programme


@dataclass(frozen=True)
class Rejected:
    """Answers that cannot be stored as they are: the errors, and the form they were checked on."""

    form: CheckinForm
    errors: Errors


def programme_today(session: Session, member: Member, now: datetime) -> date:
    programme = session.get(Programme, member.programme_id)
    assert programme is not None
    return local_date(now, programme.timezone)


def open_checkin(
    session: Session,
    platform: str,
    user_id: str,
    now: datetime,
    *,
    programme_id: int | None = None,
    slug: str | None = None,
) -> CheckinForm | Refusal:
    found = checkin_membership(session, platform, user_id, programme_id=programme_id, slug=slug)
    if isinstance(found, Refusal):
        return found
    member, programme = found
    return build_form(session, member, local_date(now, programme.timezone))


def submit_checkin(
    session: Session, platform: str, user_id: str, programme_id: int | None, answers: Answers, now: datetime
) -> CheckinResult | Rejected | Refusal:
    """Checked against the figures on record now, not those shown when the form opened, with
    the member locked from the reading of their form to the storing of their answers. The
    programme is held meanwhile: the session keeps only rows something refers to, and the form
    reads it again by id."""
    found = checkin_membership(session, platform, user_id, programme_id=programme_id)
    if isinstance(found, Refusal):
        return found
    return _submit(session, *found, answers, now)


def _submit(
    session: Session, member: Member, programme: Programme, answers: Answers, now: datetime
) -> CheckinResult | Rejected:
    lock_member(session, member)
    today = local_date(now, programme.timezone)
    outcome = validate(form_to_check(session, member, today), answers)
    if isinstance(outcome, dict):
        return Rejected(build_form(session, member, today), outcome)
    return record(session, member, outcome, now)


def checkin_no_change(
    session: Session, platform: str, user_id: str, programme_id: int | None, now: datetime
) -> CheckinResult | Refusal:
    found = checkin_membership(session, platform, user_id, programme_id=programme_id)
    if isinstance(found, Refusal):
        return found
    member, programme = found
    return record_no_change(session, member, local_date(now, programme.timezone), now)


# By member id, for a page reached by a signed link (handlers/web): the link names the member
# and the local day it is for, and works only on that day in the programme's timezone.


def member_on_day(session: Session, member_id: int, day: date, now: datetime) -> tuple[Member, Programme] | Refusal:
    """The member a link is for, when they still check in and `day` is today in their programme's timezone."""
    found = checkin_membership_by_id(session, member_id)
    if isinstance(found, Refusal):
        return found
    if local_date(now, found[1].timezone) != day:
        return Refusal(f"This link was for {day:%a %d %b}. Use the link in today's message.")
    return found


def open_checkin_for(session: Session, member_id: int, day: date, now: datetime) -> CheckinForm | Refusal:
    found = member_on_day(session, member_id, day, now)
    return found if isinstance(found, Refusal) else build_form(session, found[0], day)


def submit_checkin_for(
    session: Session, member_id: int, day: date, answers: Answers, now: datetime
) -> CheckinResult | Rejected | Refusal:
    """As submit_checkin, for the member and day of a signed link."""
    found = member_on_day(session, member_id, day, now)
    return found if isinstance(found, Refusal) else _submit(session, *found, answers, now)


def checkin_no_change_for(session: Session, member_id: int, day: date, now: datetime) -> CheckinResult | Refusal:
    found = member_on_day(session, member_id, day, now)
    return found if isinstance(found, Refusal) else record_no_change(session, found[0], day, now)


class SentBefore:
    """The same form sent again (a reload, a double tap): stored once, the first time."""


def send_form_once(
    session: Session,
    member_id: int,
    day: date,
    answers: Answers | None,
    submission: str,
    now: datetime,
) -> CheckinResult | Rejected | Refusal | SentBefore:
    """A form from a signed link, stored once per form shown: its submission id is kept in the
    same unit of work as the answers (`answers` None: "nothing new today"). A form refused for a
    mistake keeps nothing, so it may be sent again once put right."""
    if not first_time(session, request_key("web-checkin", str(member_id), submission), now):
        return SentBefore()
    outcome: CheckinResult | Rejected | Refusal
    if answers is None:
        outcome = checkin_no_change_for(session, member_id, day, now)
    else:
        outcome = submit_checkin_for(session, member_id, day, answers, now)
    if isinstance(outcome, Rejected | Refusal):
        session.rollback()
    return outcome
