"""What a member is asked each working day: the scope of their check-in and the prompt."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TypeVar

from sqlmodel import Session, col, select

from models.tables import CheckIn, Member, Organisation, Programme, Scheme, row_id
from models.vocabulary import SERVICE_LABELS, UNIT_LABELS, Role, Service, Unit

T = TypeVar("T")

PROMPTED_ROLES = frozenset({Role.PARTNER})


@dataclass(frozen=True)
class SchemeScope:
    id: int
    key: str
    name: str
    unit: str
    unit_label: str
    budget: Decimal
    planned: Decimal


@dataclass(frozen=True)
class CheckinScope:
    """What one member's check-in covers: their organisation's schemes and services."""

    programme_id: int
    programme_name: str
    member_id: int
    member_name: str
    organisation_id: int
    organisation_name: str
    schemes: tuple[SchemeScope, ...]
    services: tuple[str, ...]
    programme_timezone: str | None = None  # the calendar a prompt's day and its link's midnight are on

    @property
    def service_labels(self) -> tuple[str, ...]:
        return tuple(SERVICE_LABELS[Service(s)] for s in self.services)


@dataclass(frozen=True)
class Prompt:
    """The daily prompt (or the afternoon reminder) for one member on one local date."""

    kind: str  # "prompt" or "reminder"
    scope: CheckinScope
    local_date: date
    answered_at: str | None = None


def prompt_summary(prompt: Prompt) -> str:
    """What the notification says, on every platform."""
    when = f"{prompt.local_date:%A %-d %B}"
    if prompt.kind == "reminder":
        return f"Reminder: your winter check-in for {when} is still open. It takes under a minute."
    return f"Your winter check-in for {when}: under a minute, for {prompt.scope.organisation_name}."


def checkin_scope(session: Session, member: Member) -> CheckinScope:
    """One member's scope, reading only their programme, organisation and its schemes."""
    return checkin_scopes(session, [member], only_theirs=True)[row_id(member)]


def checkin_scopes(session: Session, members: list[Member], only_theirs: bool = False) -> dict[int, CheckinScope]:
    """The scope of each member's check-in, in three queries however many members: for a
    fan-out, every organisation of their programmes at once; `only_theirs`, the members'
    own organisations (one partner's form need not read the whole programme)."""
    if not members:
        return {}
    if only_theirs:
        return _own_scopes(session, members)
    programme_ids = {m.programme_id for m in members}
    programmes = {row_id(p): p for p in session.exec(select(Programme).where(col(Programme.id).in_(programme_ids)))}
    organisations = {
        row_id(o): o
        for o in session.exec(select(Organisation).where(col(Organisation.programme_id).in_(programme_ids)))
    }
    return _scopes(session, members, programmes, organisations)


def _own_scopes(session: Session, members: list[Member]) -> dict[int, CheckinScope]:
    """Taken from the session when the caller holds the programme and organisation already
    (a form being built: bot.checkin.form), else read one by one."""
    programmes = {m.programme_id: _found(session.get(Programme, m.programme_id)) for m in members}
    organisations = {m.organisation_id: _found(session.get(Organisation, m.organisation_id)) for m in members}
    return _scopes(session, members, programmes, organisations)


def _found(row: T | None) -> T:
    """A row a member refers to (a foreign key): there."""
    assert row is not None
    return row


def _scopes(
    session: Session, members: list[Member], programmes: dict[int, Programme], organisations: dict[int, Organisation]
) -> dict[int, CheckinScope]:
    schemes_by_owner: dict[int, list[SchemeScope]] = {}
    for s in session.exec(
        select(Scheme)
        .where(col(Scheme.owner_organisation_id).in_(organisations), col(Scheme.archived_at).is_(None))
        .order_by(col(Scheme.id))
    ):
        schemes_by_owner.setdefault(s.owner_organisation_id, []).append(
            SchemeScope(
                id=row_id(s),
                key=s.key,
                name=s.name,
                unit=s.unit,
                unit_label=UNIT_LABELS[Unit(s.unit)],
                budget=s.budget,
                planned=s.planned,
            )
        )
    return {
        row_id(m): _scope(m, programmes[m.programme_id], organisations[m.organisation_id], schemes_by_owner)
        for m in members
    }


def _scope(
    member: Member, programme: Programme, organisation: Organisation, schemes: dict[int, list[SchemeScope]]
) -> CheckinScope:
    return CheckinScope(
        programme_id=row_id(programme),
        programme_name=programme.name,
        member_id=row_id(member),
        member_name=member.name,
        organisation_id=row_id(organisation),
        organisation_name=organisation.name,
        schemes=tuple(schemes.get(row_id(organisation), ())),
        services=tuple(organisation.services),
        programme_timezone=programme.timezone,
    )


def is_prompted(member: Member, today: date) -> bool:
    """Partners are prompted on working days unless archived or away (back on `away_until`)."""
    if member.archived_at is not None or Role(member.role) not in PROMPTED_ROLES:
        return False
    return member.away_until is None or member.away_until <= today


def prompted_members(session: Session, programme_id: int, today: date) -> list[Member]:
    members = session.exec(
        select(Member)
        .where(Member.programme_id == programme_id, col(Member.archived_at).is_(None))
        .order_by(col(Member.id))
    ).all()
    return [m for m in members if is_prompted(m, today)]


def not_yet_answered(session: Session, programme_id: int, today: date) -> tuple[list[Member], list[Member]]:
    """The members prompted today, split into (those yet to answer, those who have)."""
    members = prompted_members(session, programme_id, today)
    answered = answered_today(session, programme_id, today)
    return [m for m in members if m.id not in answered], [m for m in members if m.id in answered]


def answered_today(session: Session, programme_id: int, today: date) -> set[int]:
    """The members who have checked in on this local date."""
    rows = session.exec(
        select(CheckIn.member_id).where(CheckIn.programme_id == programme_id, CheckIn.local_date == today)
    ).all()
    return set(rows)
