"""The demo's leads: after the brief they acknowledge what was escalated, close what has passed,
and answer the partners' blockers within a day or two (a reply, taking it on, won't fix); on the
story's days they record a decision, which answers the open blockers it settles. Every answer
goes through the real use cases, and the partners are told by the clock's blocker-reply job."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.checkin.blockers import LIVE, blockers_command, same_words, unanswered_of
from bot.common.calendar import count_working_days, local_instant
from bot.common.newest import newest_first
from bot.demo.story import DECISIONS, LEAD
from bot.demo.voices import LEAD_OF, beat_of
from bot.reports.decisions import record_decision
from bot.risks.changes import change_status
from bot.risks.listing import open_risks
from bot.spend.ledger import spend_position
from models.db import session_scope
from models.tables import Blocker, CapacityReport, Member, Organisation, Programme, row_id
from models.vocabulary import RiskStatus, Severity

PLATFORM = "slack"
LATEST_ANSWER = 2  # working days: a blocker the story has no answer for is answered by then
Problem = Callable[[str], None]


def leads_morning(engine: Engine, programme: Programme, day: date, problem: Problem) -> tuple[int, int, int]:
    """After the brief: the register, then the blockers. Returns (acknowledged, closed, answered)."""
    acknowledged, closed = _register(engine, programme, day)
    with session_scope(engine) as session:
        answered = _answer_blockers(session, programme, day, local_instant(day, time(8, 55)), problem)
    return acknowledged, closed, answered


def _register(engine: Engine, programme: Programme, day: date) -> tuple[int, int]:
    """Acknowledge what was escalated; close a capacity risk whose service has come back below
    the alert level, or the underspend once it has gone."""
    now = local_instant(day, time(8, 50))
    acknowledged = closed = 0
    with session_scope(engine) as session:
        lead = session.exec(select(Member).where(Member.platform_user_id == LEAD)).one()
        flags = {f.rule for f in spend_position(session, programme, day).flags}
        for risk in open_risks(session, row_id(programme), now):
            note = _why_closed(session, programme, risk.rule, risk.subject, flags)
            if note:
                if not hasattr(change_status(session, risk.id, lead, "close", note, now), "reason"):
                    closed += 1
            elif (
                risk.status == RiskStatus.OPEN
                and risk.severity in (Severity.HIGH, Severity.CRITICAL)
                and not hasattr(change_status(session, risk.id, lead, "acknowledge", None, now), "reason")
            ):
                acknowledged += 1
    return acknowledged, closed


def _answer_blockers(session: Session, programme: Programme, day: date, now: datetime, problem: Problem) -> int:
    """Each unanswered blocker whose wait is over, answered as the story says (one answer answers
    the same words from every organisation, so those are skipped after the first)."""
    answered = 0
    done: set[str] = set()
    for blocker, _ in unanswered_of(session, row_id(programme)):
        words = same_words(blocker.text)
        waited = count_working_days(blocker.raised_on + timedelta(days=1), day)
        step = _step(blocker.text, waited)
        if step is None or words in done:
            continue
        lead, command = step
        outcome = blockers_command(session, PLATFORM, lead, command.format(id=row_id(blocker)), now)
        if hasattr(outcome, "message"):
            problem(f"answer to blocker {blocker.id} on {day}: {outcome.message}")
            continue
        done.add(words)
        answered += 1
    return answered


def _step(text: str, waited: int) -> tuple[str, str] | None:
    """(the lead's user id, the `blockers` command with {id}) when it is time to answer."""
    beat = beat_of(text)
    if beat is None or (beat.answer == "none" and waited > beat.settles):
        if waited < LATEST_ANSWER:
            return None
        return LEAD_OF["council"], "reply {id} Thank you: we are looking into it and will come back to you this week."
    if beat.answer == "none" or waited < beat.wait:
        return None
    note = f" {beat.note}" if beat.note else ""
    return LEAD_OF[beat.by], f"{beat.answer} {{id}}{note}"


def decide(engine: Engine, programme: Programme, day: date, problem: Problem) -> tuple[int, ...] | None:
    """The story's decision of the day, answering the open blockers it settles ("... answers 12, 14").
    Returns the blockers it answered, or None when it was refused."""
    now = local_instant(day, time(11, 0))
    with session_scope(engine) as session:
        settles = _settled_by(session, programme, day)
        text = DECISIONS[day] + (" answers " + ", ".join(str(i) for i in settles) if settles else "")
        outcome = record_decision(session, PLATFORM, LEAD, text, now)
    if hasattr(outcome, "decision_id"):
        return settles
    problem(f"decision on {day}: {outcome.message}")
    return None


def _settled_by(session: Session, programme: Programme, day: date) -> tuple[int, ...]:
    """The programme's live blockers whose story beat waits for the decision of `day`."""
    live = session.exec(
        select(Blocker)
        .where(Blocker.programme_id == programme.id, col(Blocker.status).in_(LIVE))
        .order_by(col(Blocker.id))
    ).all()
    return tuple(row_id(b) for b in live if (beat := beat_of(b.text)) is not None and beat.decided_on == day)


def _why_closed(session: Session, programme: Programme, rule: str, subject: str, flags: set[str]) -> str | None:
    if rule == "underspend_risk" and "underspend_risk" not in flags:
        return "Forecast back above the threshold after spend was brought forward."
    if rule != "capacity":
        return None
    organisation, _, service = subject.partition(":")
    level = session.exec(
        select(CapacityReport.level)
        .join(Organisation, col(Organisation.id) == col(CapacityReport.organisation_id))
        .where(
            Organisation.key == organisation,
            Organisation.programme_id == programme.id,
            CapacityReport.service == service,
        )
        .order_by(*newest_first(CapacityReport))
    ).first()
    if level is not None and level < 3:
        return f"Back at level {level}: extra staff in place; the leads will watch it at the huddle."
    return None
