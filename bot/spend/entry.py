"""A lead's direct entry in the spend ledger: figures from the finance system, or a correction.

Leads and admins only. The entry is a new SpendReport row (source "lead"), never an update:
a lower actual or activity than the latest row needs a reason, and both rows stay. An
AuditEvent records who said what, when, and what it replaced. Runs in the caller's unit of work.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlmodel import Session, col, select

from bot.checkin.answers import FieldError, parse_activity
from bot.checkin.form import Figures
from bot.checkin.ledger import lock_member
from bot.common.asking import JOIN_TEXT
from bot.common.calendar import local_date
from bot.common.labels import unit_label
from bot.common.money import AmountError, format_money, format_quantity, parse_amount
from bot.common.newest import newest_first
from bot.common.redact import redact
from bot.people.membership import actor_of, memberships
from bot.spend.ledger import spend_position
from bot.spend.position import SpendPosition
from bot.views.directory import Directory, held_view
from bot.views.status_cache import ScreenCache, cached_view
from models.tables import AuditEvent, Member, Programme, Scheme, SpendReport, row_id
from models.vocabulary import A_ROLE, Role

if TYPE_CHECKING:
    from bot.views.status_cache import ScreenCache

SOURCE_LEAD = "lead"
ENTERING_ROLES = frozenset({Role.ADMIN, Role.LEAD})
MAX_REASON = 500


@dataclass(frozen=True)
class LeadEntry:
    """What was stored. `previous` is the latest row before this one (None: the first)."""

    programme_name: str
    scheme_key: str
    scheme_name: str
    unit: str  # a label, e.g. "hours"
    local_date: date
    figures: Figures
    previous: Figures | None
    correction_reason: str | None
    lowered: tuple[str, ...]  # "actual", "activity": the cumulative figures that went down
    redactions: int = 0


@dataclass(frozen=True)
class EntryRefused:
    """Nothing was stored; `reason` says why and what to write instead."""

    reason: str


def record_lead_entry(
    session: Session,
    member: Member,
    scheme_key: str,
    actual: str,
    committed: str | None,
    activity: str | None,
    reason: str | None,
    now: datetime,
) -> LeadEntry | EntryRefused:
    """Store a lead's figures for one scheme. Committed and activity left out keep the latest."""
    if Role(member.role) not in ENTERING_ROLES:
        return _not_entering(member)
    scheme = _scheme(session, member.programme_id, scheme_key)
    if isinstance(scheme, EntryRefused):
        return scheme
    lock_member(session, member)
    previous = _latest(session, scheme)
    figures = _read(actual, committed, activity, previous, f"the number of {unit_label(scheme.unit)}")
    if isinstance(figures, EntryRefused):
        return figures
    cleaned = redact((reason or "").strip())  # before cutting: a cut must not leave half a number
    reason_text = cleaned.text.strip()[:MAX_REASON] or None
    lowered = _lowered(figures, previous)
    if lowered and not reason_text:
        return EntryRefused(_needs_reason(lowered, figures, previous))  # type: ignore[arg-type]  # lowered: a previous exists
    programme = session.get(Programme, member.programme_id)
    assert programme is not None
    day = local_date(now, programme.timezone)
    _store(session, member, scheme, figures, previous, reason_text, day, now)
    return LeadEntry(
        programme_name=programme.name,
        scheme_key=scheme.key,
        scheme_name=scheme.name,
        unit=unit_label(scheme.unit),
        local_date=day,
        figures=figures,
        previous=previous,
        correction_reason=reason_text,
        lowered=lowered,
        redactions=cleaned.count,
    )


def _not_entering(member: Member) -> EntryRefused:
    return EntryRefused(
        f"Only leads and admins enter spend directly; you are {A_ROLE[Role(member.role)]}. "
        "Partners give their figures in the daily check-in; `/winter spend` shows the position."
    )


def _scheme(session: Session, programme_id: int, key: str) -> Scheme | EntryRefused:
    schemes = session.exec(
        select(Scheme)
        .where(Scheme.programme_id == programme_id, col(Scheme.archived_at).is_(None))
        .order_by(col(Scheme.key))
    ).all()
    wanted = key.strip().lower()
    for scheme in schemes:
        if scheme.key == wanted:
            return scheme
    keys = ", ".join(s.key for s in schemes) or "none yet"
    return EntryRefused(f"There is no scheme {key.strip()!r} on this programme. Scheme keys: {keys}.")


def _latest(session: Session, scheme: Scheme) -> Figures | None:
    row = session.exec(
        select(SpendReport).where(SpendReport.scheme_id == scheme.id).order_by(*newest_first(SpendReport)).limit(1)
    ).first()
    return Figures(row.actual, row.committed, row.activity) if row else None


def _read(
    actual: str, committed: str | None, activity: str | None, previous: Figures | None, asked: str
) -> Figures | EntryRefused:
    try:
        return Figures(
            actual=parse_amount(actual),
            committed=parse_amount(committed) if committed is not None else _kept(previous, "committed"),
            activity=parse_activity(activity, asked=asked) if activity is not None else _kept(previous, "activity"),
        )
    except (AmountError, FieldError) as error:
        return EntryRefused(f"{error}. Nothing was recorded.")


def _kept(previous: Figures | None, figure: str) -> Decimal:
    return getattr(previous, figure) if previous else Decimal("0.00")


def _lowered(figures: Figures, previous: Figures | None) -> tuple[str, ...]:
    if previous is None:
        return ()
    return tuple(name for name in ("actual", "activity") if getattr(figures, name) < getattr(previous, name))


def _needs_reason(lowered: tuple[str, ...], figures: Figures, previous: Figures) -> str:
    parts = []
    if "actual" in lowered:
        parts.append(
            f"spent to date {format_money(figures.actual, pence=True)} is lower than the "
            f"{format_money(previous.actual, pence=True)} on record"
        )
    if "activity" in lowered:
        parts.append(
            f"activity to date {format_quantity(figures.activity)} is lower than the "
            f"{format_quantity(previous.activity)} on record"
        )
    return (
        f"The {' and the '.join(parts)}. A lower figure is a correction: add `because` and the reason. "
        "Nothing was recorded."
    )


def _store(
    session: Session,
    member: Member,
    scheme: Scheme,
    figures: Figures,
    previous: Figures | None,
    reason: str | None,
    day: date,
    now: datetime,
) -> None:
    session.add(
        SpendReport(
            programme_id=member.programme_id,
            scheme_id=row_id(scheme),
            member_id=member.id,
            local_date=day,
            actual=figures.actual,
            committed=figures.committed,
            activity=figures.activity,
            correction_reason=reason,
            source=SOURCE_LEAD,
            reported_at=now,
        )
    )
    session.add(
        AuditEvent(
            programme_id=member.programme_id,
            member_id=member.id,
            actor=actor_of(member),
            action="spend.lead_entry",
            subject=f"scheme:{scheme.key}",
            detail={
                "local_date": day.isoformat(),
                "figures": _plain(figures),
                "previous": _plain(previous) if previous else None,
                "reason": reason,
            },
            at=now,
        )
    )
    session.flush()


def _plain(figures: Figures) -> dict[str, str]:
    return {"actual": str(figures.actual), "committed": str(figures.committed), "activity": str(figures.activity)}


# -- the command as a chat platform passes it: `spend`, `spend SLUG`, or a direct entry --------

USAGE = "spend SCHEME-KEY ACTUAL [COMMITTED] [ACTIVITY] [because REASON]"
EXAMPLE = "spend home-care-hours 12,500 3k 420 because invoice counted twice"
_BECAUSE = re.compile(r"\s+because(?:\s+|$)", re.IGNORECASE)


@dataclass(frozen=True)
class EntryRequest:
    scheme_key: str
    actual: str
    committed: str | None
    activity: str | None
    reason: str | None


def parse_entry(text: str) -> EntryRequest | EntryRefused:
    """`KEY ACTUAL [COMMITTED] [ACTIVITY] [because REASON]`, figures written without spaces."""
    parts = _BECAUSE.split(" " + text.strip(), maxsplit=1)
    figures = parts[0]
    reason = parts[1].strip() if len(parts) > 1 else None
    words = figures.split()
    if not 2 <= len(words) <= 4:
        return EntryRefused(
            f"To record figures write `{USAGE}`, e.g. `{EXAMPLE}`. Committed and activity left out "
            "stay as they are. Nothing was recorded."
        )
    return EntryRequest(words[0], words[1], _at(words, 2), _at(words, 3), reason or None)


def _at(words: list[str], index: int) -> str | None:
    return words[index] if len(words) > index else None


def spend_in_memory(
    directory: Directory, screens: ScreenCache, platform: str, user_id: str, text: str, now: datetime
) -> SpendPosition | None:
    """`spend` or `spend SLUG` as spend_command shows it, from what the process holds
    (bot.views.directory) without the database; None when any of it is stale or not computed yet."""
    held = directory.memberships(platform, user_id)
    words = text.split()
    if not held or len(words) > 1:
        return None
    by_slug = {m.programme_slug: m for m in reversed(held)}
    membership = by_slug.get(words[0].lower()) if words else held[0]
    found = held_view(directory, screens, membership, now, "spend") if membership is not None else None
    return found[1] if found is not None else None


def spend_command(
    session: Session, platform: str, user_id: str, text: str, now: datetime, views: ScreenCache | None = None
) -> SpendPosition | LeadEntry | EntryRefused:
    """`spend` shows the position of the asker's (first) programme, `spend SLUG` that
    programme's (from `views` when given: computed once per change of the programme's data);
    anything else is a lead's direct entry."""
    rows = memberships(session, platform, user_id)
    if not rows:
        return EntryRefused(JOIN_TEXT)
    words = text.split()
    by_slug = {programme.slug: programme for _, programme in rows}
    if not words or (len(words) == 1 and words[0].lower() in by_slug):
        programme = by_slug[words[0].lower()] if words else rows[0][1]
        today = local_date(now, programme.timezone)
        return cached_view(views, session, programme, now, "spend", lambda: spend_position(session, programme, today))
    if not any(Role(m.role) in ENTERING_ROLES for m, _ in rows):
        return _not_entering(rows[0][0])
    request = parse_entry(text)
    if isinstance(request, EntryRefused):
        return request
    member = _entering_member(session, [m for m, _ in rows], request.scheme_key)
    return record_lead_entry(
        session, member, request.scheme_key, request.actual, request.committed, request.activity, request.reason, now
    )


def _entering_member(session: Session, members: list[Member], scheme_key: str) -> Member:
    """The asker's lead or admin membership on a programme with this scheme, else their first
    lead membership (to say the scheme is unknown), else their first (to say who may)."""
    leads = [m for m in members if Role(m.role) in ENTERING_ROLES]
    if len(leads) > 1:
        with_scheme = set(
            session.exec(
                select(Scheme.programme_id).where(
                    col(Scheme.programme_id).in_([m.programme_id for m in leads]),
                    Scheme.key == scheme_key.strip().lower(),
                    col(Scheme.archived_at).is_(None),
                )
            )
        )
        leads = [m for m in leads if m.programme_id in with_scheme] or leads
    return (leads or members)[0]
