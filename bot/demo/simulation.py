"""A whole winter on a simulated clock, for `winterbot demo`.

The bundled sample programme runs from 1 December to its deadline. On each working day the
real clock (`bot.sending.scheduler.tick`) is called at the day's instants, so the real jobs send the
brief, the prompts, the reminders, the risk scan's escalations and the Friday digest through
whatever messenger they are given. Synthetic partners answer through the real check-in
(`bot.checkin.submit_checkin`, the same validation a Slack modal meets), and the web process's
after-check-in scan runs as it would there. The partners' blockers and comments fit their
organisation and the season (bot.demo.partners, bot.demo.voices); the leads acknowledge and close
risks, answer blockers and record decisions through the register, blocker and decision use cases
(bot.demo.leads), and the clock's blocker-reply job tells the partners seconds later.

The story (who answers how often, what the leads decide and ask, the shape of the season) is
bot.demo.story's; this module plays it day by day. Deterministic: the same run writes the same files.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_DOWN, Decimal
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.checkin import CheckinResult, Refusal, Rejected, amount_text, checkin_no_change, open_checkin, submit_checkin
from bot.checkin.field_keys import question_key, scheme_key, service_key
from bot.checkin.form import CheckinForm
from bot.checkin.questions import ask_question
from bot.common.calendar import is_working_day, local_instant
from bot.demo.leads import decide, leads_morning
from bot.demo.partner_side import PartnerSide
from bot.demo.partners import partner_words
from bot.demo.story import (
    ANSWERS,
    DECISIONS,
    HABITS,
    LEAD,
    QUESTION,
    QUESTION_DAY,
    REDACTION_DAY,
    START,
    TOP_UP_ANNOUNCED,
    Habit,
    level_for,
    measures_for,
    spent_share,
    whole_pounds,
)
from bot.programme.loader import load_path
from bot.sending.jobs.base import JobContext, JobResult
from bot.sending.jobs.blocker_replies import run_blocker_replies
from bot.sending.jobs.risk_scan import watch
from bot.sending.scheduler import tick
from bot.spend.words import COUNTED_WHOLE
from models.db import session_scope
from models.tables import Organisation, Programme

PLATFORM = "slack"
TICKS = (time(8, 30), time(9, 30), time(14, 0), time(15, 0))
SEED = 2026


@dataclass
class WinterLog:
    checkins: int = 0
    nothing_new: int = 0
    refused_then_fixed: int = 0
    late: int = 0
    decisions: int = 0
    questions: int = 0
    acknowledged: int = 0
    closed: int = 0
    blockers_answered: int = 0
    decisions_answering: int = 0  # blockers answered by a decision
    peak_levels: dict[str, int] = field(default_factory=dict)
    days: int = 0
    problems: list[str] = field(default_factory=list)
    jobs: Counter[str] = field(default_factory=Counter)


def simulate_winter(
    ctx: JobContext,
    sample: Path,
    slug: str,
    until: date,
    progress: Callable[[date, int, int], None] = lambda day, done, total: None,
    witness: PartnerSide | None = None,
) -> WinterLog:
    """Play the winter to `until`; `witness` is shown the watched partners' side of each day."""
    engine = ctx.engine
    rng = random.Random(SEED)
    log = WinterLog()
    with session_scope(engine) as session:
        deadline = session.exec(select(col(Programme.deadline)).where(Programme.slug == slug)).one()
    last = min(until, deadline)
    days = [START + timedelta(days=n) for n in range((last - START).days + 1)]
    for done, day in enumerate(days, start=1):
        if is_working_day(day):
            _working_day(ctx, sample, slug, day, rng, log, witness)
            log.days += 1
            if witness is not None:
                witness.day_over(engine, day)
        progress(day, done, len(days))
    return log


def _working_day(
    ctx: JobContext, sample: Path, slug: str, day: date, rng: random.Random, log: WinterLog, witness: PartnerSide | None
) -> None:
    programme = _programme(ctx.engine, slug)
    if day == TOP_UP_ANNOUNCED:
        load_path(ctx.engine, sample)
    _tick(ctx, day, TICKS[0], log)  # the brief
    _leads_morning(ctx, programme, day, log)
    _tick(ctx, day, TICKS[1], log)  # the prompts
    answering = [(user, habit) for user, habit in HABITS.items() if rng.random() < habit.answers]
    early = [(u, h) for u, h in answering if rng.random() >= h.late]
    for minute, (user, habit) in enumerate(early):
        _check_in(ctx, programme, user, habit, day, local_instant(day, time(9, 45 + minute)), rng, log, witness)
    if day in DECISIONS:
        _decide(ctx, programme, day, log)
    if day == QUESTION_DAY:
        _ask(ctx.engine, day, log)
    _tick(ctx, day, TICKS[2], log)  # reminders, risk scan
    for minute, (user, habit) in enumerate(u for u in answering if u not in early):
        log.late += 1
        _check_in(ctx, programme, user, habit, day, local_instant(day, time(14, 20 + minute)), rng, log, witness)
    _tick(ctx, day, TICKS[3], log)  # the digest on its day, the scan again


def _programme(engine: Engine, slug: str) -> Programme:
    with session_scope(engine) as session:
        return session.exec(select(Programme).where(Programme.slug == slug)).one()


def _tick(ctx: JobContext, day: date, at: time, log: WinterLog) -> None:
    for result in tick(ctx, local_instant(day, at)):
        _count(result, log)


def _count(result: JobResult, log: WinterLog) -> None:
    if result.sent:
        log.jobs[result.job] += result.sent
    if result.failed:
        log.problems.append(result.line())


def _leads_morning(ctx: JobContext, programme: Programme, day: date, log: WinterLog) -> None:
    acknowledged, closed, answered = leads_morning(ctx.engine, programme, day, log.problems.append)
    log.acknowledged += acknowledged
    log.closed += closed
    log.blockers_answered += answered
    _tell_partners(ctx, programme, local_instant(day, time(8, 56)), log)


def _decide(ctx: JobContext, programme: Programme, day: date, log: WinterLog) -> None:
    answered = decide(ctx.engine, programme, day, log.problems.append)
    if answered is not None:
        log.decisions += 1
        log.decisions_answering += len(answered)
    _tell_partners(ctx, programme, local_instant(day, time(11, 1)), log)


def _tell_partners(ctx: JobContext, programme: Programme, now: datetime, log: WinterLog) -> None:
    """The clock's watch, seconds after a lead answered: each partner told of the answer once."""
    _count(run_blocker_replies(ctx, programme, now), log)


def _check_in(
    ctx: JobContext,
    programme: Programme,
    user: str,
    habit: Habit,
    day: date,
    now: datetime,
    rng: random.Random,
    log: WinterLog,
    witness: PartnerSide | None = None,
) -> None:
    with session_scope(ctx.engine) as session:
        outcome: CheckinResult | Rejected | Refusal
        if rng.random() < habit.nothing_new:
            outcome = checkin_no_change(session, PLATFORM, user, programme.id, now)
            if not isinstance(outcome, Refusal) and outcome.recorded:
                log.nothing_new += 1
            return
        form = open_checkin(session, PLATFORM, user, now, programme_id=programme.id)
        if isinstance(form, Refusal):
            log.problems.append(f"{user} on {day}: {form.reason}")
            return
        answers = _answers(session, form, day, rng, log)
        if witness is not None:
            witness.opened(user, form, answers)
        if rng.random() < 0.02 and form.schemes:  # a slip of the thumb, refused on its field
            slipped = {**answers, scheme_key(form.schemes[0].id, "actual"): "twelve thousand"}
            if isinstance(submit_checkin(session, PLATFORM, user, programme.id, slipped, now), Rejected):
                log.refused_then_fixed += 1
        outcome = submit_checkin(session, PLATFORM, user, programme.id, answers, now)
    if isinstance(outcome, (Rejected, Refusal)):
        reason = outcome.reason if isinstance(outcome, Refusal) else "; ".join(outcome.errors.values())
        log.problems.append(f"{user} on {day}: {reason}")
        return
    log.checkins += 1
    for service in outcome.services:
        log.peak_levels[f"{outcome.organisation_name}: {service.label}"] = max(
            service.level, log.peak_levels.get(f"{outcome.organisation_name}: {service.label}", 0)
        )
    # The clock's watch, seconds after a check-in at the alert level. Its other half, telling
    # partners of answers to their blockers, runs after the leads answer (_tell_partners).
    for result in watch(ctx, now):
        _count(result, log)


def _answers(session: Session, form: CheckinForm, day: date, rng: random.Random, log: WinterLog) -> dict[str, Any]:
    programme = session.get(Programme, form.scope.programme_id)
    assert programme is not None
    share = spent_share(day, programme.deadline)
    answers: dict[str, Any] = {}
    for scheme in form.schemes:
        behind = Decimal("0.55") if scheme.counts_staff and day < date(2027, 2, 8) else Decimal(1)
        target = whole_pounds(scheme.budget * share * Decimal(rng.uniform(0.92, 1.04)))
        actual = max(target, scheme.last.actual if scheme.last else Decimal(0))
        actual = min(actual, scheme.budget)
        committed = whole_pounds(min(scheme.budget - actual, scheme.budget * Decimal("0.12")))
        step = Decimal(1) if scheme.unit in COUNTED_WHOLE else Decimal("0.1")
        done = (scheme.planned * share * behind).quantize(step, rounding=ROUND_DOWN)
        activity = max(done, scheme.last.activity if scheme.last else Decimal(0))
        answers[scheme_key(scheme.id, "actual")] = amount_text(actual)
        answers[scheme_key(scheme.id, "committed")] = amount_text(committed)
        answers[scheme_key(scheme.id, "activity")] = str(activity)
    organisation = session.get(Organisation, form.scope.organisation_id)
    assert organisation is not None
    for service in form.services:
        level = level_for(organisation.key, service.service, day, rng)
        answers[service_key(service.service)] = str(level)
        values = _measure_values(service.service, level, day, rng)
        for measure in service.measures:
            if measure.measure.key in values:
                answers[measure.key] = str(values[measure.measure.key])
    answers |= partner_words(session, form, organisation, day)
    if day == REDACTION_DAY and organisation.key == "vale-home-from-hospital":
        answers["comment"] = "Mrs B (NHS 943 476 5919) went home without her key safe code; sorted by 4pm."
    for question in form.questions:
        answers[question_key(question.id)] = rng.choice(ANSWERS)
    return answers


def _measure_values(service: str, level: int, day: date, rng: random.Random) -> dict[str, Decimal]:
    """The story's measures, and the ones the fortnightly return adds up: the day's discharges
    split by pathway (about 50%, 45%, 4% and 1%, as nationally) and the packages of care a home
    care provider booked. Worked out from the day, without drawing from `rng`, so the rest of
    the winter plays out as before."""
    values = measures_for(service, level, day, rng)
    turn = day.toordinal()
    if service == "acute_discharge" and "discharges" in values:
        total = values["discharges"]
        p3 = Decimal(1 if turn % 3 == 0 else 0)
        p2 = Decimal(1 + turn % 3)
        p1 = (total * Decimal("0.45")).quantize(Decimal(1), rounding=ROUND_DOWN)
        values |= {"discharges_p0": total - p1 - p2 - p3, "discharges_p1": p1, "discharges_p2": p2, "discharges_p3": p3}
    if service == "home_care":
        values["packages_booked"] = Decimal(max(1, 6 - level - turn % 3))
    return values


def _ask(engine: Engine, day: date, log: WinterLog) -> None:
    """A lead puts a question on the community partners' check-ins (`/winter ask`)."""
    with session_scope(engine) as session:
        outcome = ask_question(session, PLATFORM, LEAD, QUESTION, local_instant(day, time(9, 0)))
    if hasattr(outcome, "reason"):
        log.problems.append(f"question on {day}: {outcome.message}")
    else:
        log.questions += 1
