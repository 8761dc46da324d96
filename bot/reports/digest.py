"""The weekly digest for everyone on the programme channel.

Platform-neutral: `compose_digest` returns a frozen `Digest` (with the burn-up chart as PNG
bytes) that a handler renders; `digest_markdown` writes it as plain Markdown.

Definitions:
- The digest goes on the programme's digest weekday (0 is Monday); when that day is not a
  working day, on the next working day (`digest_day`). Its week runs from the day after the
  previous digest day to today, so a digest moved by Good Friday leaves no day uncovered; on
  any other day the week is the seven days ending today.
- Spend: bot.spend.ledger's position today, the burn-up series and its chart; the even pace is
  bot.common.definitions': each tranche spread evenly over the working days from the day it is
  available to the deadline, counted to the last working day done (today once its figures are in).
- Working days left: the position's (bot.common.definitions), the same number as every view.
- Capacity by service: per service, the worst level reported by any organisation in the week
  and which organisations reported it (by name), the latest (each organisation's newest report on or before today, the worst of those), and
  the working days of the week with a report at level 3 or more.
- Confidential organisations (bot.people.confidential): the digest goes to the whole channel, so
  their levels count in no service's worst, latest or days and are never named; each service
  says them as an aggregate (`ServiceWeek.confidential`). A capacity risk of theirs is left out of
  the risks opened and closed, any other says "a confidential organisation"; their words are
  left out of the partner voice (counted with those not shown).
- Risks opened (raised or reopened) and closed in the week, by their RiskEvents (local time).
- Decisions of the week (bot.reports.decisions), newest first.
- Partner voice: bot.reports.voice.partner_voice over the week, newest first, at most VOICE_MOST.
- Engagement by sector: bot.reports.engagement's response rates over the last five working days.
- What is next: working days left after today, tranches still to land, the deadline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal

from sqlmodel import Session, col, select

from bot.common.calendar import (
    is_working_day,
    local_date,
    local_instant,
    next_working_day,
)
from bot.common.definitions import even_pace
from bot.common.money import format_money
from bot.common.redact import redact
from bot.common.wording import plural
from bot.people.confidential import (
    CHANNEL,
    IN_CONFIDENCE,
    Confidentiality,
    scrub,
)
from bot.reports.decisions import DecisionView, decisions_between
from bot.reports.digest_capacity import ServiceWeek, capacity_weeks, service_sentence
from bot.reports.engagement import percent, response_rates
from bot.reports.organisations import Organisations, name_of, organisations_by_id
from bot.reports.voice import Voice, at_most, partner_voice, voice_markdown
from bot.reports.you_said import NOTHING_SAID, YouSaid, you_said
from bot.reports.you_said_words import you_said_lines
from bot.risks.listing import confidential_named, hidden_from, tells_level
from bot.spend.burn_up import BurnUp, burn_up
from bot.spend.ledger import live_tranches, spend_position
from bot.spend.position import SpendPosition
from bot.spend.words import forecast_lines, outlook, percent_of
from models.tables import Programme, Risk, RiskEvent, row_id

VOICE_MOST = 20
OPENED = ("raised", "reopened")


@dataclass(frozen=True)
class RiskMove:
    risk_id: int
    title: str
    severity: str
    owner: str | None
    day: date  # local date of the event
    note: str | None


@dataclass(frozen=True)
class SectorWeek:
    sector: str  # "statutory", "community" or "all"
    answered: int
    prompted: int

    @property
    def rate(self) -> Decimal | None:
        return percent(self.answered, self.prompted)


@dataclass(frozen=True)
class Upcoming:
    name: str
    amount: Decimal
    available_on: date


@dataclass(frozen=True)
class WhatNext:
    deadline: date
    working_days_left: int  # bot.common.definitions: today too until its figures are in
    tranches: tuple[Upcoming, ...]  # still to land, soonest first


@dataclass(frozen=True)
class Digest:
    programme_slug: str
    programme_name: str
    today: date
    week_from: date
    position: SpendPosition
    burn: BurnUp
    even_pace: Decimal  # what the even trajectory would have spent by today
    chart_png: bytes  # b"" when composed without the chart
    capacity: tuple[ServiceWeek, ...]
    opened: tuple[RiskMove, ...]
    closed: tuple[RiskMove, ...]
    decisions: tuple[DecisionView, ...]
    voice: tuple[Voice, ...]
    voice_left_out: int
    engagement: tuple[SectorWeek, ...]  # statutory, community, all
    next: WhatNext
    you_said: YouSaid = NOTHING_SAID  # the week's blockers and what answered them

    @property
    def title(self) -> str:
        return f"Weekly digest: {self.programme_name}"

    @property
    def chart_title(self) -> str:
        return f"Burn-up: {self.programme_name}, {self.today:%d %b %Y}"


def digest_day(programme: Programme, day: date) -> date:
    """The digest day of the week `day` falls in: the latest digest weekday on or before `day`,
    moved to the next working day when it is not one."""
    scheduled = day - timedelta(days=(day.weekday() - programme.digest_weekday) % 7)
    return scheduled if is_working_day(scheduled) else next_working_day(scheduled)


def is_digest_day(programme: Programme, day: date) -> bool:
    return digest_day(programme, day) == day


def digest_week(programme: Programme, today: date) -> date:
    """The first day of the week the digest on `today` covers: the day after the previous
    digest day on a digest day, otherwise six days before today."""
    if not is_digest_day(programme, today):
        return today - timedelta(days=6)
    scheduled = today - timedelta(days=(today.weekday() - programme.digest_weekday) % 7)
    return digest_day(programme, scheduled - timedelta(days=7)) + timedelta(days=1)


def compose_digest(session: Session, programme: Programme, today: date, *, chart: bool = True) -> Digest:
    """The digest for the week ending `today` (a local date)."""
    assert programme.id is not None
    week_from = digest_week(programme, today)
    organisations = organisations_by_id(session, programme)
    position = spend_position(session, programme, today)
    burn = burn_up(session, programme, today)
    png = b""
    if chart:
        from bot.spend.charts import burn_up_png

        png = burn_up_png(burn)
    said = partner_voice(session, programme, week_from, today, organisations)
    heard = [v for v in said if not v.confidential or CHANNEL.sees(v.organisation_id)]
    voice, left_out = at_most(heard, VOICE_MOST)
    left_out += len(said) - len(heard)
    opened, closed = _risk_moves(session, programme, week_from, today, organisations)
    return Digest(
        programme_slug=programme.slug,
        programme_name=programme.name,
        today=today,
        week_from=week_from,
        position=position,
        burn=burn,
        even_pace=_even_pace(burn, position),
        chart_png=png,
        capacity=capacity_weeks(session, programme, week_from, today, organisations),
        opened=opened,
        closed=closed,
        decisions=tuple(decisions_between(session, programme.id, week_from, today)),
        voice=voice,
        voice_left_out=left_out,
        engagement=_engagement(session, programme, today),
        next=_next(session, programme, position),
        you_said=you_said(session, programme, week_from, today),
    )


def _even_pace(burn: BurnUp, position: SpendPosition) -> Decimal:
    through = position.today if position.today_in else position.today - timedelta(days=1)
    return even_pace(((day, amount) for day, amount, _ in burn.tranches), burn.deadline, through)


def _risk_moves(
    session: Session, programme: Programme, start: date, today: date, organisations: Organisations
) -> tuple[tuple[RiskMove, ...], tuple[RiskMove, ...]]:
    begin = local_instant(start, time(0), programme.timezone)
    end = local_instant(today + timedelta(days=1), time(0), programme.timezone)
    rows = session.exec(
        select(RiskEvent, Risk)
        .join(Risk, col(Risk.id) == col(RiskEvent.risk_id))
        .where(Risk.programme_id == programme.id, col(RiskEvent.at) >= begin, col(RiskEvent.at) < end)
        .where(col(RiskEvent.action).in_([*OPENED, "closed"]))
        .order_by(col(RiskEvent.at).desc(), col(RiskEvent.id).desc())
    ).all()
    opened: dict[int, RiskMove] = {}
    closed: dict[int, RiskMove] = {}
    secret = Confidentiality.of(programme)
    named = [(row_id(o), o.key, o.name) for o in organisations.values()]
    for event, risk in rows:
        about = confidential_named(secret, named, risk.owner_organisation_id, (risk.title, risk.detail))
        hid = hidden_from(about, CHANNEL)
        if tells_level(risk.rule, risk.owner_organisation_id, hid):
            continue
        owner = name_of(organisations, risk.owner_organisation_id)
        move = RiskMove(
            row_id(risk),
            scrub(redact(risk.title).text, [name for _, name in hid]),
            risk.severity,
            IN_CONFIDENCE if any(i == risk.owner_organisation_id for i, _ in hid) else owner,
            local_date(event.at, programme.timezone),
            None if hid else redact(event.note).text or None,
        )
        into = opened if event.action in OPENED else closed
        into.setdefault(row_id(risk), move)
    return tuple(opened.values()), tuple(closed.values())


def _engagement(session: Session, programme: Programme, today: date) -> tuple[SectorWeek, ...]:
    rates = response_rates(session, programme, today)
    sectors = [*rates.sectors, rates.overall]
    return tuple(SectorWeek(s.sector, s.last_week.answered, s.last_week.prompted) for s in sectors)


def _next(session: Session, programme: Programme, position: SpendPosition) -> WhatNext:
    tranches = [t for t in live_tranches(session, row_id(programme)) if t.available_on > position.today]
    return WhatNext(
        deadline=programme.deadline,
        working_days_left=position.forecast.working_days_left,
        tranches=tuple(Upcoming(t.name, t.amount, t.available_on) for t in tranches),
    )


# -- words shared by the renderers --------------------------------------------------------------


def spend_sentences(d: Digest) -> list[str]:
    p = d.position
    behind = p.actual - d.even_pace
    pace = (
        f"{format_money(behind)} ahead of the even pace ({format_money(d.even_pace)} by today)"
        if behind >= 0
        else f"{format_money(-behind)} behind the even pace ({format_money(d.even_pace)} by today)"
    )
    return [
        (
            f"Spent {format_money(p.actual)} and committed {format_money(p.committed)} of {format_money(p.allocated_total)} "
            f"({percent_of(p.commitment, p.allocated_total)} committed or spent; {format_money(p.allocated_so_far)} available so far)."
        ),
        f"Spend is {pace}.",
        f"At the recent pace the outturn is {format_money(p.forecast.outturn_recent)}: {outlook(p.forecast.variance_recent)}.",
    ]


def move_sentence(m: RiskMove) -> str:
    owner = m.owner or "no owner yet"
    note = f": {m.note}" if m.note else ""
    return f"{m.title} ({m.severity}, {owner}, {m.day:%a %d %b}){note}"


def decision_sentence(d: DecisionView) -> str:
    by = f"{d.by} ({d.organisation})" if d.by and d.organisation else (d.by or "a lead")
    return f"{d.local_date:%a %d %b}, {by}: {d.text}"


def sector_sentence(s: SectorWeek) -> str:
    name = "All partners" if s.sector == "all" else s.sector.capitalize()
    if s.prompted == 0:
        return f"{name}: nobody was asked"
    return f"{name}: {s.answered} of {s.prompted} check-ins answered ({s.rate}%)"


def next_sentences(n: WhatNext) -> list[str]:
    out = [(f"{plural(n.working_days_left, 'working day')} left; the money must be spent by {n.deadline:%a %d %b %Y}.")]
    out += [f"{t.name}: {format_money(t.amount)} lands on {t.available_on:%a %d %b %Y}." for t in n.tranches]
    return out


def digest_markdown(d: Digest, chart_file: str | None = None) -> str:
    out = [f"# {d.title}", "", f"The week {d.week_from:%a %d %b} to {d.today:%a %d %b %Y}.", "", "## Spend", ""]
    out += spend_sentences(d)
    out += ["", *[f"- {line}" for line in forecast_lines(d.position)]]
    out += [f"- Flag: {flag.message}" for flag in d.position.flags]
    if chart_file:
        out += ["", f"![{d.chart_title}]({chart_file})"]
    out += ["", "## Capacity by service", ""]
    out += [f"- {service_sentence(s)}" for s in d.capacity] or ["No service is reported on."]
    out += ["", "## Risks", "", "Opened:"]
    out += [f"- {move_sentence(m)}" for m in d.opened] or ["- none"]
    out += ["", "Closed:"]
    out += [f"- {move_sentence(m)}" for m in d.closed] or ["- none"]
    out += ["", "## Decisions", ""]
    out += [f"- {decision_sentence(x)}" for x in d.decisions] or ["No decision was recorded this week."]
    out += ["", "## You said, we did", ""]
    out += [line if line.endswith(":") else f"- {line}" for line in you_said_lines(d.you_said)]
    out += ["", "## Partner voice", "", *voice_markdown(d.voice, d.voice_left_out)]
    out += ["", "## Engagement by sector (last five working days)", ""]
    out += [f"- {sector_sentence(s)}" for s in d.engagement]
    out += ["", "## What is next", "", *next_sentences(d.next)]
    return "\n".join(out).rstrip() + "\n"
