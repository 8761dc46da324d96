"""What a chat user may see of their programme: the status screen, the response rates, the Home.

Platform-neutral use cases over bot.reports.status, bot.reports.engagement, bot.reports.decisions and the check-in form:
a handler passes the chat user (platform, user id) and renders the plain result.

Which programme: the user's live memberships (bot.people.membership.memberships, oldest programme
first); with more than one, the first where they are an admin or a lead, else the first.

Who sees what:
- Leads and admins see everything: the whole status screen with the names of every partner
  who has gone quiet, the response rates by sector and organisation, and the Home dashboard
  (the status screen and the decisions of the last DECISION_DAYS days).
- Partners see the programme's status (money, the capacity grid, open risks, today's count),
  but of the partners who have gone quiet only those of their own organisation by name; the
  others are a count. They do not see response rates by organisation (`partners` is for leads
  and admins). Their Home is their own organisation's detail: today's check-in (answered or
  not, and when), their schemes against budget and plan, their services' latest levels, and
  the decisions of the last DECISION_DAYS days.
- Observers see the status with no names of quiet partners at all (a count only), and the same
  Home as a lead's without names.
- Confidential organisations (bot.people.confidential): leads and admins, and the organisation's
  own members, see their levels by name; other partners and observers see them counted per service,
  and no risk that would name them with their level (bot.reports.status.for_audience).
- Someone on no programme is told how to join (bot.common.asking.JOIN_TEXT).

The screen itself is the same for everyone on a programme; only the quiet names differ by
*variant* (`variant_of`: leads and admins, each partner organisation, observers). With a
bot.views.status_cache.ScreenCache, `cached_status_for` and `home_for` take the screen from it (computed
once per change of the programme's data), and a handler may cache its rendering per
(ScreenKey, variant).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Literal

from sqlmodel import Session

from bot.checkin.form import SchemeOnForm, ServiceOnForm, TodaysCheckin, build_form
from bot.checkin.window import asked_from
from bot.common.asking import JOIN_TEXT
from bot.common.calendar import is_working_day, local_date
from bot.people.confidential import Audience
from bot.people.membership import leading_first, memberships
from bot.reports.decisions import DecisionView, decisions_between
from bot.reports.engagement import Engagement, response_rates
from bot.reports.status import StatusScreen, for_audience, status_screen
from bot.reports.you_said import NOTHING_SAID, YouSaid, you_said
from bot.views.directory import Directory, chosen, held_view
from bot.views.status_cache import Membership, ScreenCache, ScreenKey, asker, cached_view
from models.tables import Member, Organisation, Programme, row_id
from models.vocabulary import A_ROLE, Role

LEADS = frozenset({Role.ADMIN, Role.LEAD})
DECISION_DAYS = 7  # the Home shows the decisions dated in the last 7 days, today included

Refusal = Literal["not_member", "not_lead"]


@dataclass(frozen=True)
class ViewRefused:
    reason: Refusal
    message: str  # one or two plain sentences: why not, and what to do instead


@dataclass(frozen=True)
class Viewer:
    """Who is looking, on which programme."""

    member_id: int
    name: str
    role: Role
    organisation_id: int
    organisation_name: str
    programme_id: int
    programme_slug: str
    programme_name: str

    @property
    def is_lead(self) -> bool:
        return self.role in LEADS


@dataclass(frozen=True)
class StatusView:
    """The status screen as this viewer may see it. `screen.quiet` holds only the quiet partners
    whose names the viewer may see; `quiet_withheld` counts the others."""

    viewer: Viewer
    screen: StatusScreen
    quiet_withheld: int


Variant = tuple[str, int]  # ("lead", 0), ("partner", organisation id) or ("observer", 0)


@dataclass(frozen=True)
class CachedStatus:
    """A status view with what identifies its rendering: the screen's key and the viewer's variant."""

    key: ScreenKey
    variant: Variant
    view: StatusView


@dataclass(frozen=True)
class EngagementView:
    viewer: Viewer
    engagement: Engagement


@dataclass(frozen=True)
class PartnerHome:
    """A partner's own organisation: today's check-in, schemes, services, recent decisions."""

    viewer: Viewer
    today: date
    prompted_today: bool  # a working day from the programme's start to the deadline, and not away
    away_until: date | None  # set while the member is away: prompts resume that day
    checkin: TodaysCheckin | None  # today's latest check-in (None: not answered yet)
    schemes: tuple[SchemeOnForm, ...]  # budget, plan and the latest figures on or before today
    services: tuple[ServiceOnForm, ...]  # the latest level on or before today
    decisions: tuple[DecisionView, ...]  # the last DECISION_DAYS days, newest first
    decisions_from: date
    you_said: YouSaid = NOTHING_SAID  # their organisation's blockers of those days and the answers


@dataclass(frozen=True)
class LeadHome:
    """A lead's, admin's or observer's Home: the status as they may see it and recent decisions."""

    status: StatusView
    decisions: tuple[DecisionView, ...]
    decisions_from: date
    you_said: YouSaid = NOTHING_SAID  # the programme's blockers of those days and the answers


@dataclass(frozen=True)
class JoinHome:
    message: str


Home = PartnerHome | LeadHome | JoinHome


def viewer_of(session: Session, platform: str, user_id: str) -> tuple[Viewer, Member, Programme] | None:
    chosen = leading_first(memberships(session, platform, user_id))
    if chosen is None:
        return None
    member, programme = chosen
    organisation = session.get(Organisation, member.organisation_id)
    viewer = Viewer(
        member_id=row_id(member),
        name=member.name,
        role=Role(member.role),
        organisation_id=member.organisation_id,
        organisation_name=organisation.name if organisation else "",
        programme_id=row_id(programme),
        programme_slug=programme.slug,
        programme_name=programme.name,
    )
    return viewer, member, programme


def status_for(session: Session, platform: str, user_id: str, now: datetime) -> StatusView | ViewRefused:
    """The status screen of the user's programme, as their role may see it (see the module)."""
    found = viewer_of(session, platform, user_id)
    if found is None:
        return ViewRefused("not_member", JOIN_TEXT)
    viewer, _, programme = found
    return _status(viewer, status_screen(session, programme, now))


def cached_status_for(
    session: Session, platform: str, user_id: str, now: datetime, screens: ScreenCache
) -> CachedStatus | ViewRefused:
    """As status_for, the screen taken from `screens` (computed there when its data changed). Who
    is asking and the programme's data version are one statement (bot.views.status_cache.asker)."""
    found = asker(session, platform, user_id, [role.value for role in LEADS])
    if found is None:
        return ViewRefused("not_member", JOIN_TEXT)
    viewer = _viewer(found)
    key, screen = screens.screen_of(session, found, now, status_screen)
    return CachedStatus(key=key, variant=variant_of(viewer), view=_status(viewer, screen))


def status_in_memory(
    directory: Directory, screens: ScreenCache, platform: str, user_id: str, now: datetime
) -> CachedStatus | None:
    """As cached_status_for, from what the process holds (bot.views.directory) without the database;
    None when any of it is stale or the screen is not computed yet: then ask cached_status_for."""
    found = chosen(directory.memberships(platform, user_id) or (), [role.value for role in LEADS])
    held = held_view(directory, screens, found, now) if found is not None else None
    if found is None or held is None:
        return None
    viewer = _viewer(found)
    key, screen = held
    return CachedStatus(key=key, variant=variant_of(viewer), view=_status(viewer, screen))


def _viewer(found: Membership) -> Viewer:
    return Viewer(
        member_id=found.member_id,
        name=found.member_name,
        role=Role(found.role),
        organisation_id=found.organisation_id,
        organisation_name=found.organisation_name or "",
        programme_id=found.programme_id,
        programme_slug=found.programme_slug,
        programme_name=found.programme_name,
    )


def variant_of(viewer: Viewer) -> Variant:
    """Viewers of one variant see the same status screen (see _status)."""
    if viewer.is_lead:
        return ("lead", 0)
    if viewer.role == Role.PARTNER:
        return ("partner", viewer.organisation_id)
    return ("observer", 0)


def audience_of(viewer: Viewer) -> Audience:
    """Whose confidential levels the viewer may see: a partner their own organisation's; an
    observer nobody's (one rendering serves every observer: see variant_of)."""
    return Audience(viewer.role, viewer.organisation_id if viewer.role == Role.PARTNER else None)


def _status(viewer: Viewer, screen: StatusScreen) -> StatusView:
    if viewer.is_lead:
        return StatusView(viewer=viewer, screen=screen, quiet_withheld=0)
    if viewer.role == Role.PARTNER:
        shown = tuple(q for q in screen.quiet if q.organisation_id == viewer.organisation_id)
    else:
        shown = ()
    seen = for_audience(screen, audience_of(viewer))
    return StatusView(viewer=viewer, screen=replace(seen, quiet=shown), quiet_withheld=len(screen.quiet) - len(shown))


def engagement_for(
    session: Session,
    platform: str,
    user_id: str,
    now: datetime,
    since: date | None = None,
    views: ScreenCache | None = None,
) -> EngagementView | ViewRefused:
    """Response rates by sector and organisation: leads and admins only (from `views` when
    given: computed once per change of the programme's data)."""
    found = viewer_of(session, platform, user_id)
    if found is None:
        return ViewRefused("not_member", JOIN_TEXT)
    viewer, _, programme = found
    if not viewer.is_lead:
        return ViewRefused(
            "not_lead",
            f"Response rates by organisation are for the programme's leads; you are {A_ROLE[viewer.role]}. "
            "`/winter status` shows how many check-ins have come in today.",
        )
    today = local_date(now, programme.timezone)
    engagement = cached_view(
        views, session, programme, now, f"engagement:{since}", lambda: response_rates(session, programme, today, since)
    )
    return EngagementView(viewer=viewer, engagement=engagement)


def home_for(session: Session, platform: str, user_id: str, now: datetime, screens: ScreenCache | None = None) -> Home:
    """The App Home of a chat user (see the module for what each role sees); a lead's status
    screen from `screens` when given."""
    found = viewer_of(session, platform, user_id)
    if found is None:
        return JoinHome(JOIN_TEXT)
    viewer, member, programme = found
    today = local_date(now, programme.timezone)
    since = today - timedelta(days=DECISION_DAYS - 1)
    decisions = tuple(decisions_between(session, row_id(programme), since, today))
    if viewer.role == Role.PARTNER:
        form = build_form(session, member, today)
        away = member.away_until if member.away_until is not None and member.away_until > today else None
        return PartnerHome(
            viewer=viewer,
            today=today,
            prompted_today=(
                is_working_day(today) and asked_from(session, programme) <= today <= programme.deadline and away is None
            ),
            away_until=away,
            checkin=form.today,
            schemes=form.schemes,
            services=form.services,
            decisions=decisions,
            decisions_from=since,
            you_said=you_said(
                session, programme, since, today, organisation_id=member.organisation_id, in_confidence=True
            ),
        )
    if screens is not None:
        screen = screens.screen(session, programme, now, status_screen)[1]
    else:
        screen = status_screen(session, programme, now)
    status = _status(viewer, screen)
    said = you_said(session, programme, since, today, in_confidence=viewer.role in LEADS)
    return LeadHome(status=status, decisions=decisions, decisions_from=since, you_said=said)
