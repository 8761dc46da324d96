"""The leads' daily brief: what happened on the last working day, before the morning huddle.

Platform-neutral: `compose_brief` returns a frozen `Brief` that a handler renders (Block Kit,
an Adaptive Card) and `to_markdown` writes as plain Markdown (the demo's files).

Definitions:
- The brief on `today` covers *the day*: the previous working day (weekends and England's bank
  holidays skipped, so Monday's brief covers Friday and the brief of Tue 29 Dec 2026 covers
  Thu 24 Dec).
- Check-ins: the partners prompted on the day (bot.reports.engagement's roster: live, not away) and how
  many answered it, in all and by sector; the organisations none of whose partners answered.
- Money: the spend position (bot.spend.spend) at the end of the day against the end of the working day
  before it; the forecast is today's (the outturn at the recent run rate).
- Capacity changes: each (organisation, service) with a report dated the day whose level differs
  from its latest report before the day; up means more pressure.
- Risks: every risk with a RiskEvent from the start of the day to the start of today (local
  time), so consecutive briefs cover every hour once: new (raised) or changed (the other actions).
- Partner voice: the blockers and comments of the day's check-ins from community organisations
  (kinds outside models.vocabulary.STATUTORY_KINDS), quoted and attributed to the organisation;
  an amended check-in shows only its newest version. Free text is redacted at storage and again
  here, so no NHS number reaches a brief.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlmodel import Session, col, select

from bot.checkin.form import service_label
from bot.checkin.levels import newest_levels
from bot.common.calendar import local_instant, previous_working_day
from bot.common.money import format_money
from bot.common.redact import redact
from bot.common.wording import plural
from bot.reports.engagement import COMMUNITY, SECTORS, roster, sector_of
from bot.spend.spend import Flag, percent_of, spend_position
from models.tables import CheckIn, Organisation, Programme, Risk, RiskEvent, row_id

VOICE_MOST = 40  # partner voice items in one brief; the rest are counted


@dataclass(frozen=True)
class SectorCount:
    sector: str  # "statutory" or "community"
    answered: int
    expected: int


@dataclass(frozen=True)
class CheckinsDay:
    day: date
    answered: int
    expected: int
    by_sector: tuple[SectorCount, ...]  # statutory, then community
    not_heard_from: tuple[str, ...]  # organisations with partners prompted and none answered


@dataclass(frozen=True)
class MoneyChange:
    day: date
    before: date  # the working day before `day`
    actual: Decimal
    committed: Decimal
    actual_before: Decimal
    committed_before: Decimal
    allocated_so_far: Decimal
    allocated_total: Decimal
    outturn_recent: Decimal  # today's forecast at the recent run rate
    variance_recent: Decimal  # negative: underspend
    run_rate_needed: Decimal
    recent_run_rate: Decimal
    working_days_left: int
    deadline: date
    flags: tuple[Flag, ...]

    @property
    def actual_change(self) -> Decimal:
        return self.actual - self.actual_before

    @property
    def committed_change(self) -> Decimal:
        return self.committed - self.committed_before


@dataclass(frozen=True)
class CapacityChange:
    organisation: str
    service: str
    label: str
    level_from: int
    level_to: int

    @property
    def worse(self) -> bool:
        return self.level_to > self.level_from


@dataclass(frozen=True)
class RiskChange:
    risk_id: int
    title: str
    severity: str
    status: str
    owner: str | None
    new: bool  # raised in the window; otherwise changed
    actions: tuple[str, ...]  # the events' actions, oldest first, repeats dropped


@dataclass(frozen=True)
class Voice:
    """A community partner's own words, attributed to their organisation."""

    organisation: str
    kind: str
    day: date
    blockers: str | None
    comment: str | None


@dataclass(frozen=True)
class Brief:
    programme_slug: str
    programme_name: str
    today: date
    day: date  # the working day the brief covers
    checkins: CheckinsDay
    money: MoneyChange
    capacity: tuple[CapacityChange, ...]  # worse first
    risks: tuple[RiskChange, ...]  # new first
    voice: tuple[Voice, ...]
    voice_left_out: int = 0

    @property
    def title(self) -> str:
        return f"Daily brief: {self.programme_name}"


def compose_brief(session: Session, programme: Programme, today: date) -> Brief:
    """The brief for the leads on `today` (a local date), covering the previous working day."""
    assert programme.id is not None
    day = previous_working_day(today)
    organisations = {
        o.id: o for o in session.exec(select(Organisation).where(Organisation.programme_id == programme.id))
    }
    voice = partner_voice(session, programme, day, day, organisations)
    return Brief(
        programme_slug=programme.slug,
        programme_name=programme.name,
        today=today,
        day=day,
        checkins=_checkins(session, programme, day),
        money=_money(session, programme, day, today),
        capacity=capacity_changes(session, programme.id, day, organisations),
        risks=risk_changes(
            session,
            programme,
            local_instant(day, time(0), programme.timezone),
            local_instant(today, time(0), programme.timezone),
        ),
        voice=tuple(voice[:VOICE_MOST]),
        voice_left_out=max(0, len(voice) - VOICE_MOST),
    )


# -- the parts --------------------------------------------------------------------------------


def _checkins(session: Session, programme: Programme, day: date) -> CheckinsDay:
    people = roster(session, programme, day)
    prompted = people.prompted_today()
    kinds = {o.id: o for o in people.organisations}
    counts: dict[str, list[int]] = {sector: [0, 0] for sector in SECTORS}
    heard: dict[int, bool] = {}
    for m in prompted:
        organisation = kinds.get(m.member.organisation_id)
        sector = sector_of(organisation.kind) if organisation else COMMUNITY
        answered = day in m.answered
        counts[sector][0] += answered
        counts[sector][1] += 1
        heard[m.member.organisation_id] = heard.get(m.member.organisation_id, False) or answered
    silent = sorted((kinds[o].name for o, yes in heard.items() if not yes and o in kinds), key=str.lower)
    return CheckinsDay(
        day=day,
        answered=sum(a for a, _ in counts.values()),
        expected=sum(e for _, e in counts.values()),
        by_sector=tuple(SectorCount(s, counts[s][0], counts[s][1]) for s in SECTORS),
        not_heard_from=tuple(silent),
    )


def _money(session: Session, programme: Programme, day: date, today: date) -> MoneyChange:
    before = previous_working_day(day)
    then = spend_position(session, programme, day)
    earlier = spend_position(session, programme, before)
    now = spend_position(session, programme, today)
    f = now.forecast
    return MoneyChange(
        day=day,
        before=before,
        actual=then.actual,
        committed=then.committed,
        actual_before=earlier.actual,
        committed_before=earlier.committed,
        allocated_so_far=now.allocated_so_far,
        allocated_total=now.allocated_total,
        outturn_recent=f.outturn_recent,
        variance_recent=f.variance_recent,
        run_rate_needed=f.run_rate_needed,
        recent_run_rate=f.recent_run_rate,
        working_days_left=f.working_days_left,
        deadline=now.deadline,
        flags=now.flags,
    )


def capacity_changes(
    session: Session, programme_id: int, day: date, organisations: dict[int | None, Organisation]
) -> tuple[CapacityChange, ...]:
    that_day = newest_levels(session, programme_id, day, day)
    earlier = newest_levels(session, programme_id, day - timedelta(days=1))
    changes = []
    for (organisation_id, service), (level, _) in that_day.items():
        previous = earlier.get((organisation_id, service))
        organisation = organisations.get(organisation_id)
        if previous is None or previous[0] == level or organisation is None:
            continue
        changes.append(CapacityChange(organisation.name, service, service_label(service), previous[0], level))
    changes.sort(key=lambda c: (not c.worse, -c.level_to, c.organisation.lower(), c.service))
    return tuple(changes)


def risk_changes(session: Session, programme: Programme, start: datetime, end: datetime) -> tuple[RiskChange, ...]:
    """Every risk with an event in [start, end): two queries."""
    rows = session.exec(
        select(RiskEvent, Risk)
        .join(Risk, col(Risk.id) == col(RiskEvent.risk_id))
        .where(Risk.programme_id == programme.id, col(RiskEvent.at) >= start, col(RiskEvent.at) < end)
        .order_by(col(RiskEvent.at), col(RiskEvent.id))
    ).all()
    owners = dict(
        session.exec(select(Organisation.id, Organisation.name).where(Organisation.programme_id == programme.id)).all()
    )
    actions: dict[int, list[str]] = defaultdict(list)
    risks: dict[int, Risk] = {}
    for event, risk in rows:
        risks[row_id(risk)] = risk
        if event.action not in actions[row_id(risk)]:
            actions[row_id(risk)].append(event.action)
    out = [
        RiskChange(
            risk_id=risk_id,
            title=redact(risk.title).text,
            severity=risk.severity,
            status=risk.status,
            owner=owners.get(risk.owner_organisation_id),
            new="raised" in actions[risk_id],
            actions=tuple(actions[risk_id]),
        )
        for risk_id, risk in risks.items()
    ]
    rank = {"critical": 0, "high": 1, "medium": 2, "low": 3}
    out.sort(key=lambda r: (not r.new, rank.get(r.severity, 4), r.risk_id))
    return tuple(out)


def partner_voice(
    session: Session,
    programme: Programme,
    start: date,
    end: date,
    organisations: dict[int | None, Organisation] | None = None,
) -> list[Voice]:
    """Community partners' blockers and comments from check-ins dated start..end, newest first.
    An amended check-in counts once (its newest version); the same words from the same
    organisation are quoted once, where they were said last (blockers carry over day to day)."""
    if organisations is None:
        organisations = {
            o.id: o for o in session.exec(select(Organisation).where(Organisation.programme_id == programme.id))
        }
    rows = session.exec(
        select(CheckIn)
        .where(
            CheckIn.programme_id == programme.id,
            col(CheckIn.local_date) >= start,
            col(CheckIn.local_date) <= end,
        )
        .order_by(col(CheckIn.local_date).desc(), col(CheckIn.submitted_at).desc(), col(CheckIn.id).desc())
    ).all()
    superseded = {row.supersedes_id for row in rows if row.supersedes_id is not None}
    seen: set[tuple[int, str, str]] = set()
    out: list[Voice] = []
    for row in rows:
        organisation = organisations.get(row.organisation_id)
        if row.id in superseded or organisation is None or sector_of(organisation.kind) != COMMUNITY:
            continue
        said: list[str | None] = []
        for field, text in (("blockers", row.blockers), ("comment", row.comment)):
            cleaned = redact((text or "").strip()).text.strip()
            key = (row.organisation_id, field, " ".join(cleaned.lower().split()))
            if not cleaned or key in seen:
                said.append(None)
                continue
            seen.add(key)
            said.append(cleaned)
        if any(said):
            out.append(Voice(organisation.name, organisation.kind, row.local_date, said[0], said[1]))
    return out


# -- Markdown ---------------------------------------------------------------------------------


def signed(value: Decimal) -> str:
    if value > 0:
        return f"+{format_money(value)}"
    if value < 0:
        return f"-{format_money(-value)}"
    return "no change"


def outlook(variance: Decimal) -> str:
    if variance < 0:
        return f"{format_money(-variance)} underspent"
    if variance > 0:
        return f"{format_money(variance)} over the allocation"
    return "exactly the allocation"


def checkins_sentence(c: CheckinsDay) -> str:
    if c.expected == 0:
        return "No partner was asked to check in."
    sectors = ", ".join(f"{s.sector} {s.answered} of {s.expected}" for s in c.by_sector if s.expected)
    return (
        f"{c.answered} of {c.expected} partners answered ({percent_of(Decimal(c.answered), Decimal(c.expected))}): "
        f"{sectors}."
    )


def money_sentences(m: MoneyChange) -> list[str]:
    return [
        (
            f"Spent {format_money(m.actual)} ({signed(m.actual_change)} on {m.before:%a %d %b}), committed "
            f"{format_money(m.committed)} ({signed(m.committed_change)}), of {format_money(m.allocated_total)} "
            f"({format_money(m.allocated_so_far)} available so far)."
        ),
        (
            f"Forecast at the recent pace ({format_money(m.recent_run_rate)} a working day): "
            f"{format_money(m.outturn_recent)} by {m.deadline:%a %d %b %Y}, {outlook(m.variance_recent)}; "
            f"{format_money(m.run_rate_needed)} a working day would spend it all in the "
            f"{plural(m.working_days_left, 'working day')} left."
        ),
    ]


def capacity_sentence(c: CapacityChange) -> str:
    way = "up" if c.worse else "down"
    return f"{c.organisation}: {c.label} {way} from level {c.level_from} to {c.level_to}"


def risk_sentence(r: RiskChange) -> str:
    what = "new" if r.new else ", ".join(r.actions)
    owner = r.owner or "no owner yet"
    return f"{r.title} ({r.severity}, {r.status}, {owner}): {what}"


def to_markdown(document: object) -> str:
    """A brief or a digest as plain Markdown."""
    if isinstance(document, Brief):
        return brief_markdown(document)
    from bot.reports.digest import Digest, digest_markdown

    if isinstance(document, Digest):
        return digest_markdown(document)
    raise TypeError(f"not a brief or a digest: {type(document).__name__}")


def brief_markdown(b: Brief) -> str:
    out = [
        f"# {b.title}",
        "",
        f"{b.today:%A %d %B %Y}, covering {b.day:%A %d %B}.",
        "",
        f"## Check-ins on {b.day:%a %d %b}",
        "",
        checkins_sentence(b.checkins),
    ]
    if b.checkins.not_heard_from:
        out.append(f"Not heard from: {', '.join(b.checkins.not_heard_from)}.")
    out += ["", "## Money", "", *money_sentences(b.money)]
    out += [f"- Flag: {flag.message}" for flag in b.money.flags]
    out += ["", "## Capacity changes", ""]
    out += [f"- {capacity_sentence(c)}" for c in b.capacity] or ["No service changed level."]
    out += ["", "## Risks new or changed", ""]
    out += [f"- {risk_sentence(r)}" for r in b.risks] or ["None."]
    out += ["", "## Partner voice", ""]
    out += voice_markdown(b.voice, b.voice_left_out)
    return "\n".join(out).rstrip() + "\n"


def voice_markdown(voice: tuple[Voice, ...], left_out: int) -> list[str]:
    if not voice:
        return ["No blockers or comments from community partners."]
    out: list[str] = []
    for v in voice:
        for label, text in (("Blockers", v.blockers), ("Comment", v.comment)):
            if text:
                quoted = "\n".join(f"> {line}" for line in text.splitlines() or [""])
                out += [f"{quoted}", f"> — {label}, *{v.organisation}*, {v.day:%a %d %b}", ""]
    if left_out:
        out.append(f"{left_out} more not shown.")
    return out
