"""The leads' daily brief: what happened on the last working day, before the morning huddle.

Platform-neutral: `compose_brief` returns a frozen `Brief` that a handler renders (Block Kit,
an Adaptive Card) with the sentences of bot.reports.brief_words, which also writes it as plain
Markdown (the demo's files) and decides what the leads read first and how much of each list
fits in a minute's reading.

Definitions:
- The brief on `today` covers *the day*: the previous working day (weekends and England's bank
  holidays skipped, so Monday's brief covers Friday and the brief of Tue 29 Dec 2026 covers
  Thu 24 Dec).
- Check-ins: the partners prompted on the day (bot.reports.engagement's roster: live, not away) and how
  many answered it, in all and by sector; the organisations none of whose partners answered.
- Money: the spend position (bot.spend.ledger) at the end of the day against the end of the working day
  before it; the forecast is today's (the outturn at the recent run rate).
- Capacity changes: each (organisation, service) with a report dated the day whose level differs
  from its latest report before the day; up means more pressure.
- Spend flags: the schemes behind plan measured and worst first (bot.spend.behind_plan), the
  silent schemes by name; the underspend and overcommitted flags as they are.
- Risks: every risk with a RiskEvent from the start of the day to the start of today (local
  time), so consecutive briefs cover every hour once, that was raised or whose severity, status
  or owner changed (bot.reports.risk_moves: the risk scan's daily rewording of a risk's figures
  is not a change); a capacity risk that moved with its service's level on the day says the level.
- Blockers (bot.checkin.blockers, items since issue 17): those raised on the day still open or
  being worked on, and any older one still open that nobody but its raiser has answered (a
  reply, taking it on, resolving it, won't fix), oldest first, the same words raised on the same
  day once with every organisation that raised them. The leads answer each from the brief.
- Partner voice: the blockers and comments of the day's check-ins from community organisations
  (bot.reports.voice), the same words from several organisations quoted once
  (bot.reports.quotes), the first VOICE_MOST of them; an amended check-in shows only its newest
  version; a blocker the Blockers part lists is not quoted again. Free text is redacted at
  storage and again there, so no NHS number reaches a brief.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlmodel import Session, col, select

from bot.checkin.audiences import COMMUNITY, sector_of
from bot.checkin.blockers import LIVE, OPEN, unanswered_of
from bot.checkin.levels import newest_levels
from bot.common.calendar import local_instant, previous_working_day, working_days
from bot.common.labels import service_label
from bot.common.redact import redact
from bot.reports.engagement import SECTORS, roster
from bot.reports.money import MoneyPanel
from bot.reports.organisations import Organisations, name_of, organisations_by_id
from bot.reports.quotes import BlockerQuote, Quote, RaisedBlocker, blocker_quotes, first_quotes, without_listed
from bot.reports.risk_moves import Event, moves
from bot.reports.voice import partner_voice
from bot.risks.capacity_rules import CAPACITY
from bot.spend.behind_plan import Shortfall, shortfalls
from bot.spend.flags import spend_thresholds
from bot.spend.ledger import spend_position
from bot.spend.position import SchemeSpend, SpendPosition
from models.tables import Blocker, Member, Programme, Risk, RiskEvent, row_id
from models.vocabulary import Severity

VOICE_MOST = 3  # quotes in one brief; the rest are counted
SILENT_SCHEME, OVERCOMMITTED = "silent_scheme", "overcommitted"  # bot.spend.flags' rules


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
class MoneyChange(MoneyPanel):
    """The money at the end of the day the brief covers, against the end of the working day
    before it; the allocation and the forecast are today's."""

    day: date
    before: date  # the working day before `day`
    actual_before: Decimal
    committed_before: Decimal
    behind_plan: tuple[Shortfall, ...] = ()  # worst first
    silent: tuple[SchemeSpend, ...] = ()  # the schemes flagged silent
    overcommitted: tuple[SchemeSpend, ...] = ()  # the schemes flagged over their budget
    underspend_percent: int = 90  # the programme's threshold for the underspend flag

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
    subject: str = ""  # "org-key:service", as a capacity risk names its subject

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
    said: tuple[str, ...] = ()  # what changed, in words (bot.reports.risk_moves)
    critical_now: bool = False  # raised as critical, or became critical, in the window
    subject: str = ""  # the rule's subject ("org-key:service" for a capacity risk)


@dataclass(frozen=True)
class Brief:
    programme_slug: str
    programme_name: str
    today: date
    day: date  # the working day the brief covers
    checkins: CheckinsDay
    money: MoneyChange
    capacity: tuple[CapacityChange, ...]  # worse first
    risks: tuple[RiskChange, ...]  # newly critical first, then new, then by severity
    voice: tuple[Quote, ...]  # the first VOICE_MOST; a renderer may show fewer to fit (brief_words.fitted)
    voice_left_out: int = 0  # quotes beyond them
    blockers: tuple[BlockerQuote, ...] = ()  # new on the day, or open and unanswered; oldest first

    @property
    def title(self) -> str:
        return f"Daily brief: {self.programme_name}"


def compose_brief(session: Session, programme: Programme, today: date) -> Brief:
    """The brief for the leads on `today` (a local date), covering the previous working day."""
    assert programme.id is not None
    day = previous_working_day(today)
    organisations = organisations_by_id(session, programme)
    blockers = brief_blockers(session, programme, day, organisations)
    said = without_listed(partner_voice(session, programme, day, day, organisations), blockers)
    voice, left_out = first_quotes(said, VOICE_MOST)
    capacity = capacity_changes(session, programme.id, day, organisations)
    return Brief(
        programme_slug=programme.slug,
        programme_name=programme.name,
        today=today,
        day=day,
        checkins=_checkins(session, programme, day),
        money=_money(session, programme, day, today),
        capacity=capacity,
        risks=risk_changes(
            session,
            programme,
            local_instant(day, time(0), programme.timezone),
            local_instant(today, time(0), programme.timezone),
            organisations,
            {c.subject: (c.level_from, c.level_to) for c in capacity},
        ),
        voice=voice,
        voice_left_out=left_out,
        blockers=blockers,
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


def brief_blockers(
    session: Session, programme: Programme, day: date, organisations: Organisations
) -> tuple[BlockerQuote, ...]:
    """The day's live blockers, and the older ones still open that nobody but their raiser has
    answered (bot.checkin.blockers.unanswered_of). Three queries."""
    todays = session.exec(
        select(Blocker).where(
            Blocker.programme_id == programme.id, Blocker.raised_on == day, col(Blocker.status).in_(LIVE)
        )
    ).all()
    waiting = [b for b, _ in unanswered_of(session, row_id(programme)) if b.raised_on < day and b.status == OPEN]
    listed = [
        RaisedBlocker(
            row_id(b), name_of(organisations, b.organisation_id) or "", redact(b.text).text, b.raised_on, b.status
        )
        for b in sorted([*waiting, *todays], key=lambda b: (b.raised_on, row_id(b)))
    ]
    return tuple(blocker_quotes(listed, day, lambda raised: len(list(working_days(raised, day)))))


def _money(session: Session, programme: Programme, day: date, today: date) -> MoneyChange:
    before = previous_working_day(day)
    then = spend_position(session, programme, day)
    earlier = spend_position(session, programme, before)
    now = spend_position(session, programme, today)
    return MoneyChange.of(
        now,
        actual=then.actual,
        committed=then.committed,
        day=day,
        before=before,
        actual_before=earlier.actual,
        committed_before=earlier.committed,
        behind_plan=shortfalls(now),
        silent=_flagged(now, SILENT_SCHEME),
        overcommitted=_flagged(now, OVERCOMMITTED),
        underspend_percent=spend_thresholds(programme).underspend_risk_percent,
    )


def _flagged(position: SpendPosition, rule: str) -> tuple[SchemeSpend, ...]:
    """The schemes a rule flags, in the position's order."""
    flagged = {f.subject for f in position.flags if f.rule == rule}
    return tuple(s for s in position.schemes if s.key in flagged)


def capacity_changes(
    session: Session, programme_id: int, day: date, organisations: Organisations
) -> tuple[CapacityChange, ...]:
    that_day = newest_levels(session, programme_id, day, day)
    earlier = newest_levels(session, programme_id, day - timedelta(days=1))
    changes = []
    for (organisation_id, service), (level, _) in that_day.items():
        previous = earlier.get((organisation_id, service))
        organisation = organisations.get(organisation_id)
        if previous is None or previous[0] == level or organisation is None:
            continue
        changes.append(
            CapacityChange(
                organisation.name,
                service,
                service_label(service),
                previous[0],
                level,
                f"{organisation.key}:{service}",
            )
        )
    changes.sort(key=lambda c: (not c.worse, -c.level_to, c.organisation.lower(), c.service))
    return tuple(changes)


def risk_changes(
    session: Session,
    programme: Programme,
    start: datetime,
    end: datetime,
    organisations: Organisations,
    levels: Mapping[str, tuple[int, int]] | None = None,
) -> tuple[RiskChange, ...]:
    """Every risk raised, or whose severity, status or owner changed, in [start, end): two queries.
    `levels`: the day's capacity changes by subject, said for a capacity risk that moved with one."""
    levels = levels or {}
    rows = session.exec(
        select(RiskEvent, Risk)
        .join(Risk, col(Risk.id) == col(RiskEvent.risk_id))
        .where(Risk.programme_id == programme.id, col(RiskEvent.at) >= start, col(RiskEvent.at) < end)
        .order_by(col(RiskEvent.at), col(RiskEvent.id))
    ).all()
    who = _acting(session, {e.member_id for e, _ in rows if e.member_id is not None}, organisations)
    events: dict[int, list[RiskEvent]] = defaultdict(list)
    risks: dict[int, Risk] = {}
    for event, risk in rows:
        risks[row_id(risk)] = risk
        events[row_id(risk)].append(event)
    out = []
    for risk_id, risk in risks.items():
        owner = name_of(organisations, risk.owner_organisation_id)
        level = levels.get(risk.subject) if risk.rule == CAPACITY else None
        moved = moves([Event(e.action, e.note, who.get(e.member_id)) for e in events[risk_id]], owner, level)
        if not moved.worth_saying:
            continue
        out.append(
            RiskChange(
                risk_id=risk_id,
                title=redact(risk.title).text,
                severity=risk.severity,
                status=risk.status,
                owner=owner,
                new=moved.new,
                actions=tuple(dict.fromkeys(e.action for e in events[risk_id])),
                said=moved.said,
                critical_now=risk.severity == Severity.CRITICAL and moved.became(Severity.CRITICAL),
                subject=risk.subject,
            )
        )
    rank = {"critical": 0, "high": 1, "medium": 2, "low": 3}
    out.sort(key=lambda r: (not r.critical_now, not r.new, rank.get(r.severity, 4), r.risk_id))
    return tuple(out)


def _acting(session: Session, member_ids: set[int], organisations: Organisations) -> dict[int | None, str]:
    """Who acted on a risk, by member id: "Helen Price (NHS Vale ICB)"."""
    if not member_ids:
        return {}
    members = session.exec(select(Member).where(col(Member.id).in_(member_ids))).all()
    out: dict[int | None, str] = {}
    for m in members:
        organisation = name_of(organisations, m.organisation_id)
        out[m.id] = f"{m.name} ({organisation})" if organisation else m.name
    return out
