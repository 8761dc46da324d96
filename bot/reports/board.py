"""The huddle board: the leads' 09:00 huddle on one shared screen (handlers/web/board.py draws it).

Platform-neutral and pure data: `compose_board` returns a frozen `Board`; no HTML here. Every
figure is taken from the views the chat commands show, never worked out again:
- money, the capacity grid, the open risks, today's check-ins and the quiet partners are the
  status screen's (bot.reports.status, the same screen `/winter status` and `winterbot status
  SLUG` show, from the process's bot.views.status_cache when given one);
- the burn-up series is the digest's (bot.spend.burn_up), drawn by bot.spend.charts;
- blockers waiting for an answer: bot.checkin.blockers.unanswered_of, the same words raised on the
  same day once (bot.reports.quotes.blocker_quotes, as the brief groups them);
- partner voice: bot.reports.voice over the previous working day and today, grouped as the brief
  quotes them (bot.reports.quotes), without the blockers listed above;
- decisions since the last huddle: those dated from the previous working day to today
  (bot.reports.decisions), newest first.

The board is for leads and admins only, who see everything by name (confidential organisations
included, as in their status view). Who may open it is decided twice: when the link is asked for
(`board_link`, from the chat user) and at every load of the page (`board_access`, from the member
the link was signed for), so a lead archived or made a partner since loses the board at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from sqlmodel import Session

from bot.checkin.blockers import unanswered_of
from bot.common.asking import JOIN_TEXT
from bot.common.calendar import local_now, previous_working_day, working_days
from bot.common.config import Settings
from bot.common.redact import redact
from bot.common.web_links import BOARD_HOURS, board_url
from bot.people.membership import leading_first, memberships
from bot.reports.decisions import DecisionView, decisions_between
from bot.reports.engagement import Quiet
from bot.reports.leads_view import LEADS
from bot.reports.money import MoneyPanel
from bot.reports.quotes import BlockerQuote, Quote, RaisedBlocker, blocker_quotes, quotes, without_listed
from bot.reports.status import CapacityGrid, StatusScreen, TodayCheckins, status_screen
from bot.reports.voice import partner_voice
from bot.risks.listing import RiskView
from bot.spend.burn_up import BurnUp, burn_up
from bot.views.status_cache import ScreenCache
from models.tables import Member, Programme, row_id
from models.vocabulary import A_ROLE, Role, Severity

Refusal = Literal["not_member", "not_lead", "archived", "gone"]


@dataclass(frozen=True)
class BoardLink:
    """A lead or admin may have a link to their programme's board; the platform signs it
    (bot.common.web_links.board_url) with the service's address and key, which bot/ does not hold."""

    member_id: int
    programme_id: int
    programme_name: str
    timezone: str | None
    now: datetime

    @property
    def expires(self) -> datetime:
        return self.now + timedelta(hours=BOARD_HOURS)

    @property
    def expires_local(self) -> datetime:
        return local_now(self.expires, self.timezone)


@dataclass(frozen=True)
class BoardRefused:
    reason: Refusal
    message: str  # one or two plain sentences: why not, and what to do instead


BoardResult = BoardLink | BoardRefused

NOT_LEAD = (
    "The huddle board is for the programme's leads and admins; you are {role}. "
    "`/winter status` shows the programme on one screen."
)
NOT_CONFIGURED = "The huddle board needs WINTERBOT_PUBLIC_URL and WINTERBOT_WEB_SECRET set: ask your admin."
GONE = "This board link was made for someone who is no longer on the programme. Ask a lead for a new link."
ARCHIVED = "You are no longer on this programme, so its huddle board is closed to you."
NO_LONGER_LEAD = "The huddle board is for the programme's leads and admins; you are now {role}."


@dataclass(frozen=True)
class Board:
    """What the huddle board shows at `now`; lists are whole (the screen shows their first few,
    the printed copy all of them)."""

    programme_id: int
    programme_slug: str
    programme_name: str
    now: datetime
    local_now: datetime  # `now` in the programme's timezone: "as at HH:MM"
    today: date
    money: MoneyPanel  # the status screen's
    burn: BurnUp  # the digest's burn-up series, for the chart
    capacity: CapacityGrid  # the status screen's: every organisation, confidential ones by name
    risks: tuple[RiskView, ...]  # every open risk, most severe first, then oldest first
    risks_by_severity: tuple[tuple[Severity, int], ...]
    blockers: tuple[BlockerQuote, ...]  # waiting for an answer, oldest first
    voice: tuple[Quote, ...]  # blockers before comments, then the most organisations
    voice_from: date
    decisions: tuple[DecisionView, ...]  # newest first
    decisions_from: date  # the previous working day: "since the last huddle"
    checkins_today: TodayCheckins
    quiet: tuple[Quiet, ...]
    quiet_after_working_days: int

    @property
    def as_at(self) -> str:
        return f"{self.local_now:%H:%M}"


NOT_ON = "You are not on a programme called {slug}: `board` alone gives the board of the programme you lead."


def board_link(
    session: Session, platform: str, user_id: str, now: datetime, programme_slug: str | None = None
) -> BoardResult:
    """`/winter board [SLUG]` (or the brief's button, for the brief's programme): a link to the
    board of the programme the asker leads (the one named, for a lead of more than one), or why not."""
    rows = memberships(session, platform, user_id)
    if programme_slug is not None:
        rows = [(m, p) for m, p in rows if p.slug == programme_slug]
        if not rows:
            return BoardRefused("not_member", NOT_ON.format(slug=programme_slug))
    chosen = leading_first(rows)
    if chosen is None:
        return BoardRefused("not_member", JOIN_TEXT)
    member, programme = chosen
    role = Role(member.role)
    if role not in LEADS:
        return BoardRefused("not_lead", NOT_LEAD.format(role=A_ROLE[role]))
    return BoardLink(row_id(member), row_id(programme), programme.name, programme.timezone, now)


def board_address(settings: Settings, link: BoardLink) -> str | None:
    """The signed address of the board for `link`; None when the web pages are not configured
    (then say NOT_CONFIGURED)."""
    if not (settings.web_enabled and settings.public_url and settings.web_secret):
        return None
    return board_url(settings.public_url, settings.web_secret, link.member_id, link.now, link.timezone)


def board_access(session: Session, member_id: int) -> tuple[Member, Programme] | BoardRefused:
    """At every load of the page: the member the link was signed for still exists, is not
    archived, and is a lead or admin of their programme."""
    member = session.get(Member, member_id)
    programme = session.get(Programme, member.programme_id) if member is not None else None
    if member is None or programme is None:
        return BoardRefused("gone", GONE)
    if member.archived_at is not None:
        return BoardRefused("archived", ARCHIVED)
    role = Role(member.role)
    if role not in LEADS:
        return BoardRefused("not_lead", NO_LONGER_LEAD.format(role=A_ROLE[role]))
    return member, programme


def compose_board(session: Session, programme: Programme, now: datetime, screens: ScreenCache | None = None) -> Board:
    """The board of `programme` at `now` (the programme's local date decides 'today')."""
    screen: StatusScreen = (
        screens.screen(session, programme, now, status_screen)[1]
        if screens is not None
        else status_screen(session, programme, now)
    )
    today = screen.today
    since = previous_working_day(today)
    blockers = waiting_blockers(session, programme, today)
    said = without_listed(partner_voice(session, programme, since, today), blockers)
    return Board(
        programme_id=screen.programme_id,
        programme_slug=screen.programme_slug,
        programme_name=screen.programme_name,
        now=now,
        local_now=local_now(now, programme.timezone),
        today=today,
        money=screen.money,
        burn=burn_up(session, programme, today),
        capacity=screen.capacity,
        risks=screen.risks.every or screen.risks.top,
        risks_by_severity=screen.risks.by_severity,
        blockers=blockers,
        voice=tuple(quotes(said)),
        voice_from=since,
        decisions=tuple(decisions_between(session, row_id(programme), since, today)),
        decisions_from=since,
        checkins_today=screen.checkins_today,
        quiet=screen.quiet,
        quiet_after_working_days=screen.quiet_after_working_days,
    )


def waiting_blockers(session: Session, programme: Programme, today: date) -> tuple[BlockerQuote, ...]:
    """The live blockers nobody but their raiser has answered, oldest first, the same words
    raised on the same day once with every organisation that raised them."""
    raised = [
        RaisedBlocker(row_id(b), name, redact(b.text).text, b.raised_on, b.status)
        for b, name in unanswered_of(session, row_id(programme))
    ]
    return tuple(blocker_quotes(raised, today, lambda day: len(list(working_days(day, today)))))
