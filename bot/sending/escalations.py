"""Risk escalations: which risks go to whom, under which exactly-once key, in whose words,
and where the leads' copies went so a lead's action can update every one of them.

An escalation is keyed by (programme, risk, severity, destination) and written to the same
delivery ledger as the prompts: a risk is escalated once at each severity it reaches, a
rerun of the scan finds the key already sent, and a failed post is retried, not lost.

Two copies: the leads' (their channel, and a lead or admin of the owner organisation in a DM)
carries the buttons; a partner of the owner organisation gets plain words instead (what was
raised about their organisation, what happens next, how to add detail), which no lead's
action rewrites, so it never grows buttons they cannot use or the register's own wording.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from bot.common.calendar import local_date
from bot.common.wording import age_words, shortened
from bot.people.membership import NOTIFY_PLATFORMS
from bot.risks.listing import EventView, RiskView, open_risks
from bot.risks.register import SEVERITY_RANK
from bot.risks.words import NOTE_SHOWN, Escape, When
from bot.sending.ports import Destination
from models.tables import Delivery, Member, Programme, Risk, row_id
from models.vocabulary import DeliveryState, Platform, RiskStatus, Role, Severity

JOB = "risk-escalation"


@dataclass(frozen=True)
class Copy:
    """One posted escalation: the platform and its reference (Slack: "CHANNEL:TS")."""

    platform: str
    reference: str


def target(destination: Destination) -> str:
    """How a destination is named in delivery keys and the ledger: a channel or chat id, or for
    a member reached by email or text, their member id (an address is nobody's key, nor in a log)."""
    if destination.member_id is not None and destination.platform in NOTIFY_PLATFORMS:
        return f"{destination.platform}:m{destination.member_id}"
    return f"{destination.platform}:{destination.address}"


def escalation_key(programme_slug: str, risk_id: int, severity: str, destination: Destination) -> str:
    return f"{_prefix(programme_slug, risk_id)}{severity}:{target(destination)}"


def _prefix(programme_slug: str, risk_id: int) -> str:
    return f"{programme_slug}:{JOB}:r{risk_id}:"


def sent_copies(session: Session, risk_id: int) -> list[Copy]:
    """Every leads' copy of this risk's escalation that reached a platform, oldest first: the
    posts a lead's action updates. A partner's copy is left as it was sent (plain words, no
    state to keep up to date); a copy in someone's DM counts as the leads' while they are a
    lead or an admin."""
    risk = session.get(Risk, risk_id)
    programme = session.get(Programme, risk.programme_id) if risk else None
    if risk is None or programme is None:
        return []
    rows = session.exec(
        select(Delivery.target, Delivery.platform_ref)
        .join(Member, col(Member.id) == col(Delivery.member_id), isouter=True)
        .where(Delivery.job == JOB, Delivery.state == DeliveryState.SENT.value)
        .where(col(Delivery.key).startswith(_prefix(programme.slug, risk_id), autoescape=True))
        .where(col(Delivery.member_id).is_(None) | col(Member.role).in_([r.value for r in LEADS_ROLES]))
        .order_by(col(Delivery.id))
    ).all()
    return [Copy((t or "").split(":", 1)[0], ref) for t, ref in rows if ref]


# --- who is told -----------------------------------------------------------------------------

DEFAULT_ESCALATE_FROM = Severity.HIGH
TOLD_ROLES = frozenset({Role.ADMIN, Role.LEAD, Role.PARTNER})
LEADS_ROLES = frozenset({Role.ADMIN, Role.LEAD})  # told with the buttons, since they may use them


@dataclass(frozen=True)
class Told:
    """A destination and whether it gets the leads' copy (buttons) or a partner's (plain words)."""

    destination: Destination
    for_leads: bool


@dataclass(frozen=True)
class Escalation:
    key: str
    destination: Destination
    risk: RiskView
    for_leads: bool = True  # False: a partner's DM, in plain words and without the leads' buttons


def escalate_from(programme: Programme) -> Severity:
    """The lowest severity told to the leads at once (programme file: thresholds.escalate_from);
    lower ones wait for the brief and the digest."""
    given = ((programme.settings or {}).get("thresholds") or {}).get("escalate_from")
    try:
        return Severity(given) if given else DEFAULT_ESCALATE_FROM
    except ValueError:
        return DEFAULT_ESCALATE_FROM


def _teams_channels(programme: Programme) -> dict[str, str]:
    return (programme.settings or {}).get("teams") or {}


def leads_destinations(programme: Programme) -> list[Destination]:
    """The leads' channel on each platform the programme uses (its channel when there is none)."""
    teams = _teams_channels(programme)
    found = [
        (Platform.SLACK.value, programme.leads_channel or programme.channel),
        (Platform.TEAMS.value, teams.get("leads_channel") or teams.get("channel")),
    ]
    return [Destination(platform, channel) for platform, channel in found if channel]


def programme_destinations(programme: Programme) -> list[Destination]:
    """The programme's channel on each platform it uses: where the weekly digest goes."""
    found = [
        (Platform.SLACK.value, programme.channel),
        (Platform.TEAMS.value, _teams_channels(programme).get("channel")),
    ]
    return [Destination(platform, channel) for platform, channel in found if channel]


def escalations(session: Session, programme: Programme, now: datetime) -> list[Escalation]:
    """Every (risk, destination) that should have been told: each open risk at or above the
    programme's escalation severity goes to the leads' channel and to the live, present
    members of its owner organisation. The delivery ledger makes each go once."""
    floor = SEVERITY_RANK[escalate_from(programme)]
    risks = [r for r in open_risks(session, row_id(programme), now) if SEVERITY_RANK[r.severity] >= floor]
    if not risks:
        return []
    owners = _owner_members(
        session,
        {r.owner_organisation_id for r in risks if r.owner_organisation_id},
        local_date(now, programme.timezone),
    )
    leads = [Told(destination, True) for destination in leads_destinations(programme)]
    out: list[Escalation] = []
    for risk in risks:
        for told in [*leads, *owners.get(risk.owner_organisation_id, [])]:
            key = escalation_key(programme.slug, risk.id, risk.severity.value, told.destination)
            out.append(Escalation(key, told.destination, risk, told.for_leads))
    return out


def _owner_members(session: Session, organisation_ids: set[int], today: date) -> dict[int | None, list[Told]]:
    if not organisation_ids:
        return {}
    members = session.exec(
        select(Member)
        .where(col(Member.organisation_id).in_(organisation_ids), col(Member.archived_at).is_(None))
        .order_by(col(Member.id))
    ).all()
    out: dict[int | None, list[Told]] = {}
    for member in members:
        role = Role(member.role)
        if role not in TOLD_ROLES or (member.away_until and member.away_until > today):
            continue
        destination = Destination(member.platform, member.platform_user_id, member.id)
        out.setdefault(member.organisation_id, []).append(Told(destination, role in LEADS_ROLES))
    return out


# --- a partner's copy ------------------------------------------------------------------------

PARTNER_DETAIL = 1200  # the detail in a partner's copy; Teams shows up to 4,000 characters a line
NEXT_STEPS = (
    "What happens next: it is in the leads' channel now, and in the leads' daily brief on the "
    "next working day; a lead may contact you about it."
)


def partner_copy(risk: RiskView, platform: str) -> str:
    """The escalation as a partner of the owner organisation reads it, in plain words that read
    the same whatever the platform does with markup: what was raised about their organisation,
    what the leads do with it, and how to add detail (Slack's command, or the word Teams types).
    No buttons, no status, no rule name and none of the register's history notes."""
    about = f" about {risk.owner_name}" if risk.owner_name else ""
    lines = [f"A {risk.severity.value} risk{about} has gone to the winter fund's leads: {risk.title}"]
    if risk.detail:
        lines.append(shortened(risk.detail, PARTNER_DETAIL))
    lines.append(NEXT_STEPS)
    lines.append(f"To add detail, {_checkin_words(platform)}: today's check-in has room for blockers and comments.")
    return "\n\n".join(lines)


def _checkin_words(platform: str) -> str:
    """bot.commands.table's `checkin`, as each platform's people give it."""
    if platform == Platform.SLACK.value:
        return "use `/winter checkin`"
    if platform in (Platform.EMAIL.value, Platform.SMS.value):
        return "use the link in today's check-in message"
    return "type “checkin” in your chat with winterbot"


# --- the register as a partner or observer reads it ------------------------------------------

STANDING = {
    RiskStatus.OPEN: "waiting for a lead to pick it up",
    RiskStatus.ACKNOWLEDGED: "a lead is on it",
    RiskStatus.MITIGATED: "steps are in place and the leads are watching it",
    RiskStatus.CLOSED: "closed by the leads",
}
# what a person did, in words; a note is quoted only where a lead wrote it for people to read
DONE = {
    "raised": "raised",
    "acknowledged": "picked up",
    "mitigated": "marked in hand",
    "closed": "closed",
    "reopened": "reopened",
    "assigned": "given an owner",
}
QUOTED = frozenset({"acknowledged", "mitigated", "closed", "reopened"})


def reader_facts(risk: RiskView, escape: Escape, when: When) -> str:
    """A risk's facts for someone who reads the register but does not act on it (a partner, an
    observer): its severity, where it stands in words, owner, age and the last thing a person
    did. The register's own notes (a rule's "title changed; detail changed") and status and
    action names are the leads' shorthand; a rule's rewording of its figures is not shown."""
    owner = f"owner {escape(risk.owner_name)}" if risk.owner_name else "no owner yet"
    parts = [risk.severity.value.capitalize(), STANDING[risk.status], owner, age_words(risk.age_working_days)]
    event = risk.last_event
    if event is not None and event.action in DONE and (event.by or event.action == "raised"):
        parts.append(_done_words(event, escape, when))
    return " · ".join(parts)


def _done_words(event: EventView, escape: Escape, when: When) -> str:
    who = f"by {escape(event.by)}" if event.by else "by winterbot's daily checks"
    text = f"{DONE[event.action]} {who} {when(event)}"
    if event.by and event.note and event.action in QUOTED:
        text += f": “{escape(shortened(event.note, NOTE_SHOWN))}”"
    return text
