"""A whole winter on a simulated clock, for `winterbot demo`.

The bundled sample programme runs from 1 December to its deadline. On each working day the
real clock (`bot.sending.scheduler.tick`) is called at the day's instants, so the real jobs send the
brief, the prompts, the reminders, the risk scan's escalations and the Friday digest through
whatever messenger they are given. Synthetic partners answer through the real check-in
(`bot.checkin.submit_checkin`, the same validation a Slack modal meets), and the web process's
after-check-in scan runs as it would there. Leads acknowledge and close risks and record
decisions through the register and decision use cases.

The story: most partners answer daily, two are patchy and the housing association goes quiet;
Brightside Home Care comes under growing pressure into January (level 4 after New Year);
discharges rise after Christmas; spend starts slowly, so the forecast flags an underspend until
the leads act in mid-January; the ICB's step-down top-up is announced on 12 January (the
programme file is loaded again with it); recruitment lags its plan. Deterministic: the same
run writes the same files.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.checkin import CheckinResult, Refusal, Rejected, amount_text, checkin_no_change, open_checkin, submit_checkin
from bot.checkin.form import CheckinForm, scheme_key, service_key
from bot.checkin.questions import ask_question, question_key
from bot.common.calendar import count_working_days, is_working_day, local_instant
from bot.programme.loader import load_path
from bot.reports.decisions import record_decision
from bot.risks.risks import change_status, open_risks
from bot.sending.jobs.base import JobContext
from bot.sending.scheduler import tick, watch_pass
from bot.spend.spend import spend_position
from models.db import session_scope
from models.tables import CapacityReport, Member, Organisation, Programme, row_id
from models.vocabulary import RiskStatus, Severity

START = date(2026, 12, 1)
PERIOD_START = date(2026, 12, 7)  # the first tranches can be drawn on
TOP_UP_ANNOUNCED = date(2027, 1, 12)
LEADS_ACT = date(2027, 1, 15)  # the underspend decision; spending picks up after it
TOP_UP_TRANCHE = "icb-step-down-top-up"
STEP_DOWN = "step-down-beds"
LEAD = "U0VALE00003"  # Tom Hartley, the council's lead, works the register
PLATFORM = "slack"
TICKS = (time(8, 30), time(9, 30), time(14, 0), time(15, 0))
SEED = 2026


@dataclass(frozen=True)
class Habit:
    answers: float  # chance of checking in on a working day
    late: float  # chance the answer comes only after the reminder
    nothing_new: float = 0.0  # chance of pressing "Nothing new today" instead of the form


HABITS: dict[str, Habit] = {
    "U0VALE00006": Habit(0.97, 0.05),  # Gareth Lewis, council
    "U0VALE00007": Habit(0.45, 0.3, nothing_new=0.9),  # Chris Adeyemi, council's second
    "U0VALE00008": Habit(0.92, 0.1),  # Sandra Okoye, hospital
    "U0VALE00009": Habit(0.9, 0.1),  # Nadia Hussain, ICB
    "U0VALE00010": Habit(0.8, 0.3),  # Joan Fielding, Age Well Vale
    "U0VALE00011": Habit(0.9, 0.2),  # Marcus Bell, Home from Hospital
    "U0VALE00012": Habit(0.98, 0.05),  # Kerry Walsh, Brightside Home Care
    "U0VALE00013": Habit(0.85, 0.2),  # Daniel Reid, Meadowbank
    "U0VALE00014": Habit(0.75, 0.25),  # Dr Sam Patel, PCN
    "U0VALE00015": Habit(0.4, 0.3, nothing_new=0.8),  # Lucy Chen, PCN's second
    "U0VALE00016": Habit(0.9, 0.15),  # Rachel Morris, community health
    "U0VALE00017": Habit(0.3, 0.5),  # Owen Jones, Vale Homes: the blind spot
    "U0VALE00018": Habit(0.95, 0.05),  # Fiona Grant, hospice
    "U0VALE00019": Habit(0.85, 0.15),  # Beth Collins, Orchard Lodge
}

DECISIONS: dict[date, str] = {
    date(2026, 12, 4): "Daily huddle at 08:45 on working days from Monday 7 December; the brief is read first.",
    date(2026, 12, 18): "Christmas cover: Meadowbank takes Brightside's overflow of new packages until 8 January.",
    date(2027, 1, 8): "Open ten more step-down beds at Orchard Lodge as soon as the ICB top-up is confirmed.",
    LEADS_ACT: "Underspend: bring forward equipment orders and extend bridging care to 31 March; review weekly.",
    date(2027, 1, 29): "Top-up of £600,000 confirmed: the step-down beds budget rises to £1,200,000.",
    date(2027, 2, 12): "Recruitment payments extended to agency staff moving to permanent contracts.",
    date(2027, 3, 5): "Final month: commit the remaining balance by 19 March; anything unspent is returned.",
}

COMMUNITY_VOICE = (
    "Two carers off sick this week; new packages cannot start before Thursday.",
    "Referrals arriving after 4pm with no medication list; we cannot settle people safely that late.",
    "Volunteers stretched over the holidays but every discharge was met at the door.",
    "GP same-day slots gone by 10:30 on Mondays; discharge letters are not reaching us.",
    "Waiting on a key safe fitter for three people; equipment delivery is the hold-up.",
    "Transport from the ward was two hours late twice; people arrived home after dark.",
)
QUESTION_DAY = date(2027, 1, 5)
QUESTION = "community: Are people reaching you without a medication list or a discharge letter this week?"
ANSWERS = (
    "Yes, three people this week arrived with no medication list.",
    "Letters are arriving a day late, but medication lists are fine.",
    "Not this week.",
)
REDACTION_DAY = date(2027, 1, 6)  # one comment carries an NHS number, to show it never lands


# --- the shape of the winter ------------------------------------------------------------------


def level_for(organisation: str, service: str, day: date, rng: random.Random) -> int:
    """The capacity level a service reports: Brightside under growing pressure, a January peak
    for the others, noise of a level either way now and then."""
    if organisation == "brightside-care":
        for until, level in (
            (date(2026, 12, 11), 2),
            (date(2027, 1, 1), 3),
            (date(2027, 1, 22), 4),
            (date(2027, 2, 12), 3),
        ):
            if day <= until:
                return level
        return 2
    january = date(2027, 1, 4) <= day <= date(2027, 1, 29)
    base = 2 if service in {"home_care", "gp", "community_nursing", "acute_discharge"} else 1
    if january and service in {"gp", "acute_discharge", "community_nursing"}:
        base = 3
    wobble = rng.random()
    return max(1, min(4, base + (1 if wobble > 0.93 else -1 if wobble < 0.05 else 0)))


def measures_for(service: str, level: int, day: date, rng: random.Random) -> dict[str, Decimal]:
    n = lambda lo, hi: Decimal(rng.randint(lo, hi))  # noqa: E731
    if service == "home_care":
        return {"hours_not_delivered": n(0, 4) + 18 * (level - 1), "people_waiting": n(0, 2) + 3 * (level - 1)}
    if service == "gp":
        return {"same_day_capacity_used": min(Decimal(100), 62 + 9 * level + n(0, 6))}
    if service == "vcs":
        return {"referrals_turned_away": n(0, 1) + max(0, level - 2)}
    if service == "community_nursing":
        return {"visits_deferred": n(0, 3) + 4 * (level - 1)}
    if service == "acute_discharge":
        surge = 14 if date(2027, 1, 4) <= day <= date(2027, 1, 22) else 0
        return {"discharges": n(36, 44) + surge + (day.toordinal() % 7 == 0) * 3}
    return {}


def spent_share(day: date, deadline: date) -> Decimal:
    """The cumulative share of a budget spent by `day`: slow until the leads act, then a
    catch-up that ends a little short of the whole."""
    total = count_working_days(PERIOD_START, deadline)
    elapsed = Decimal(count_working_days(PERIOD_START, day)) / total
    acted = Decimal(count_working_days(PERIOD_START, LEADS_ACT)) / total
    slow = Decimal("0.62") * min(elapsed, acted)
    if elapsed <= acted:
        return slow
    return slow + (Decimal("0.97") - slow) * (elapsed - acted) / (1 - acted)


def _money(value: Decimal) -> Decimal:
    return value.quantize(Decimal("1"), rounding=ROUND_HALF_UP)


# --- the run ------------------------------------------------------------------------------------


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
    first_underspend_flag: date | None = None
    underspend_cleared: date | None = None
    peak_levels: dict[str, int] = field(default_factory=dict)
    days: int = 0
    problems: list[str] = field(default_factory=list)
    jobs: Counter[str] = field(default_factory=Counter)


def december_file(sample: Path, out: Path) -> Path:
    """The programme as it stood in December: no top-up tranche yet, the step-down beds
    budgeted on the ICB's first allocation alone."""
    data = yaml.safe_load(sample.read_text(encoding="utf-8"))
    data["programme"]["tranches"] = [t for t in data["programme"]["tranches"] if t["key"] != TOP_UP_TRANCHE]
    for scheme in data["schemes"]:
        if scheme["key"] == STEP_DOWN:
            scheme["budget"], scheme["planned"] = "£600,000", 500
    out.write_text(
        "# The Vale's programme file as first loaded, before the January top-up.\n"
        + yaml.safe_dump(data, sort_keys=False, allow_unicode=True),
        encoding="utf-8",
    )
    return out


def simulate_winter(
    ctx: JobContext,
    sample: Path,
    slug: str,
    until: date,
    progress: Callable[[date, int, int], None] = lambda day, done, total: None,
) -> WinterLog:
    engine = ctx.engine
    rng = random.Random(SEED)
    log = WinterLog()
    with session_scope(engine) as session:
        deadline = session.exec(select(col(Programme.deadline)).where(Programme.slug == slug)).one()
    last = min(until, deadline)
    days = [START + timedelta(days=n) for n in range((last - START).days + 1)]
    for done, day in enumerate(days, start=1):
        if is_working_day(day):
            _working_day(ctx, sample, slug, day, rng, log)
            log.days += 1
        progress(day, done, len(days))
    return log


def _working_day(ctx: JobContext, sample: Path, slug: str, day: date, rng: random.Random, log: WinterLog) -> None:
    programme = _programme(ctx.engine, slug)
    if day == TOP_UP_ANNOUNCED:
        load_path(ctx.engine, sample)
    _tick(ctx, day, TICKS[0], log)  # the brief
    _leads_morning(ctx.engine, programme, day, log)
    _tick(ctx, day, TICKS[1], log)  # the prompts
    answering = [(user, habit) for user, habit in HABITS.items() if rng.random() < habit.answers]
    early = [(u, h) for u, h in answering if rng.random() >= h.late]
    for minute, (user, habit) in enumerate(early):
        _check_in(ctx, programme, user, habit, day, local_instant(day, time(9, 45 + minute)), rng, log)
    if day in DECISIONS:
        _decide(ctx.engine, programme, day, log)
    if day == QUESTION_DAY:
        _ask(ctx.engine, day, log)
    _tick(ctx, day, TICKS[2], log)  # reminders, risk scan
    for minute, (user, habit) in enumerate(u for u in answering if u not in early):
        log.late += 1
        _check_in(ctx, programme, user, habit, day, local_instant(day, time(14, 20 + minute)), rng, log)
    _tick(ctx, day, TICKS[3], log)  # the digest on its day, the scan again
    _watch_spend(ctx.engine, programme, day, log)


def _programme(engine: Engine, slug: str) -> Programme:
    with session_scope(engine) as session:
        return session.exec(select(Programme).where(Programme.slug == slug)).one()


def _tick(ctx: JobContext, day: date, at: time, log: WinterLog) -> None:
    for result in tick(ctx, local_instant(day, at)):
        if result.sent:
            log.jobs[result.job] += result.sent
        if result.failed:
            log.problems.append(result.line())


def _check_in(
    ctx: JobContext,
    programme: Programme,
    user: str,
    habit: Habit,
    day: date,
    now: datetime,
    rng: random.Random,
    log: WinterLog,
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
    watch_pass(ctx, now)  # the clock's watch, seconds after a check-in at the alert level


def _answers(session: Session, form: CheckinForm, day: date, rng: random.Random, log: WinterLog) -> dict[str, Any]:
    programme = session.get(Programme, form.scope.programme_id)
    assert programme is not None
    share = spent_share(day, programme.deadline)
    answers: dict[str, Any] = {}
    for scheme in form.schemes:
        behind = Decimal("0.55") if scheme.counts_staff and day < date(2027, 2, 8) else Decimal(1)
        target = _money(scheme.budget * share * Decimal(rng.uniform(0.92, 1.04)))
        actual = max(target, scheme.last.actual if scheme.last else Decimal(0))
        actual = min(actual, scheme.budget)
        committed = _money(min(scheme.budget - actual, scheme.budget * Decimal("0.12")))
        done = (scheme.planned * share * behind).quantize(Decimal("0.01"))
        activity = max(done, scheme.last.activity if scheme.last else Decimal(0))
        answers[scheme_key(scheme.id, "actual")] = amount_text(actual)
        answers[scheme_key(scheme.id, "committed")] = amount_text(committed)
        answers[scheme_key(scheme.id, "activity")] = str(activity)
    organisation = _organisation_key(session, form.scope.organisation_id)
    for service in form.services:
        level = level_for(organisation, service.service, day, rng)
        answers[service_key(service.service)] = str(level)
        values = measures_for(service.service, level, day, rng)
        for measure in service.measures:
            if measure.measure.key in values:
                answers[measure.key] = str(values[measure.measure.key])
    worst = max((int(answers[service_key(s.service)]) for s in form.services), default=1)
    if worst >= 3 or rng.random() < 0.15:
        answers["blockers"] = rng.choice(COMMUNITY_VOICE)
    if day == REDACTION_DAY and organisation == "vale-home-from-hospital":
        answers["comment"] = "Mrs B (NHS 943 476 5919) went home without her key safe code; sorted by 4pm."
    elif rng.random() < 0.1:
        answers["comment"] = rng.choice(COMMUNITY_VOICE)
    for question in form.questions:
        answers[question_key(question.id)] = rng.choice(ANSWERS)
    return answers


def _organisation_key(session: Session, organisation_id: int) -> str:
    organisation = session.get(Organisation, organisation_id)
    return organisation.key if organisation else ""


def _ask(engine: Engine, day: date, log: WinterLog) -> None:
    """A lead puts a question on the community partners' check-ins (`/winter ask`)."""
    with session_scope(engine) as session:
        outcome = ask_question(session, PLATFORM, LEAD, QUESTION, local_instant(day, time(9, 0)))
    if hasattr(outcome, "reason"):
        log.problems.append(f"question on {day}: {outcome.message}")
    else:
        log.questions += 1


def _decide(engine: Engine, programme: Programme, day: date, log: WinterLog) -> None:
    with session_scope(engine) as session:
        outcome = record_decision(session, PLATFORM, LEAD, DECISIONS[day], local_instant(day, time(11, 0)))
    if hasattr(outcome, "decision_id"):
        log.decisions += 1
    else:
        log.problems.append(f"decision on {day}: {outcome.message}")


def _leads_morning(engine: Engine, programme: Programme, day: date, log: WinterLog) -> None:
    """After the brief: the lead acknowledges what was escalated, and closes a capacity risk
    whose service has come back below the alert level, or the underspend once it has gone."""
    now = local_instant(day, time(8, 50))
    with session_scope(engine) as session:
        lead = session.exec(select(Member).where(Member.platform_user_id == LEAD)).one()
        flags = {f.rule for f in spend_position(session, programme, day).flags}
        for risk in open_risks(session, row_id(programme), now):
            note = _why_closed(session, programme, risk.rule, risk.subject, flags)
            if note:
                if not hasattr(change_status(session, risk.id, lead, "close", note, now), "reason"):
                    log.closed += 1
            elif (
                risk.status == RiskStatus.OPEN
                and risk.severity in (Severity.HIGH, Severity.CRITICAL)
                and not hasattr(change_status(session, risk.id, lead, "acknowledge", None, now), "reason")
            ):
                log.acknowledged += 1


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
        .order_by(col(CapacityReport.local_date).desc(), col(CapacityReport.id).desc())
    ).first()
    if level is not None and level < 3:
        return f"Back at level {level}: extra staff in place; the leads will watch it at the huddle."
    return None


def _watch_spend(engine: Engine, programme: Programme, day: date, log: WinterLog) -> None:
    with session_scope(engine) as session:
        flagged = any(f.rule == "underspend_risk" for f in spend_position(session, programme, day).flags)
    if flagged and log.first_underspend_flag is None:
        log.first_underspend_flag = day
    if not flagged and log.first_underspend_flag and log.underspend_cleared is None:
        log.underspend_cleared = day
