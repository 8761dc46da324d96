"""The programme at a glance: money by tranche and source, organisations by sector,
schemes, members and working days left. Plain data; renderers decide the look."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, select

from bot.common.definitions import working_days_left
from bot.common.labels import scheme_type_label, source_label, unit_label
from bot.common.money import format_money, format_quantity
from bot.common.wording import plural, shortened
from bot.programme.lookup import get_programme
from bot.spend.ledger import figures_in, live_tranches
from bot.spend.position import allocated
from models.tables import Member, Organisation, Scheme, row_id
from models.vocabulary import KIND_LABELS, OrganisationKind


@dataclass(frozen=True)
class TrancheLine:
    name: str
    source: str
    amount: Decimal
    announced_on: date
    available_on: date
    available: bool


@dataclass(frozen=True)
class OrganisationLine:
    name: str
    kind: str
    sector: str
    members: int


@dataclass(frozen=True)
class SchemeLine:
    name: str
    owner: str
    scheme_type: str
    source: str
    budget: Decimal
    planned: Decimal
    unit: str


@dataclass(frozen=True)
class ProgrammeSummary:
    slug: str
    name: str
    today: date
    deadline: date
    working_days_left: int
    tranches: tuple[TrancheLine, ...]
    by_source: tuple[tuple[str, Decimal], ...]
    allocation: Decimal
    available_now: Decimal
    organisations: tuple[OrganisationLine, ...]
    schemes: tuple[SchemeLine, ...]
    budgeted: Decimal
    members_by_role: tuple[tuple[str, int], ...]

    @property
    def unbudgeted(self) -> Decimal:
        return self.allocation - self.budgeted


class _Archivable(Protocol):
    archived_at: datetime | None


def live(model: type[_Archivable]) -> ColumnElement[bool]:
    return col(model.archived_at).is_(None)


def programme_summary(session: Session, slug: str, today: date) -> ProgrammeSummary:
    programme = get_programme(session, slug)
    pid = programme.id
    tranches = live_tranches(session, row_id(programme))
    organisations = session.exec(
        select(Organisation).where(Organisation.programme_id == pid, live(Organisation)).order_by(col(Organisation.id))
    ).all()
    members = session.exec(select(Member).where(Member.programme_id == pid, live(Member))).all()
    schemes = session.exec(
        select(Scheme).where(Scheme.programme_id == pid, live(Scheme)).order_by(col(Scheme.id))
    ).all()
    names = {o.id: o.name for o in organisations}
    per_org = Counter(m.organisation_id for m in members)
    by_source: dict[str, Decimal] = {}
    for t in tranches:
        label = source_label(t.funding_source)
        by_source[label] = by_source.get(label, Decimal("0")) + t.amount
    return ProgrammeSummary(
        slug=programme.slug,
        name=programme.name,
        today=today,
        deadline=programme.deadline,
        working_days_left=working_days_left(today, programme.deadline, figures_in(session, programme, today)),
        tranches=tuple(
            TrancheLine(
                name=t.name,
                source=source_label(t.funding_source),
                amount=t.amount,
                announced_on=t.announced_on,
                available_on=t.available_on,
                available=t.available_on <= today,
            )
            for t in tranches
        ),
        by_source=tuple(by_source.items()),
        allocation=allocated(tranches),
        available_now=allocated(tranches, today),
        organisations=tuple(
            OrganisationLine(
                name=o.name,
                kind=KIND_LABELS[OrganisationKind(o.kind)],
                sector=OrganisationKind(o.kind).sector,
                members=per_org[row_id(o)],
            )
            for o in organisations
        ),
        schemes=tuple(
            SchemeLine(
                name=s.name,
                owner=names.get(s.owner_organisation_id, "?"),
                scheme_type=scheme_type_label(s.scheme_type),
                source=source_label(s.funding_source),
                budget=s.budget,
                planned=s.planned,
                unit=unit_label(s.unit),
            )
            for s in schemes
        ),
        budgeted=sum((s.budget for s in schemes), Decimal("0")),
        members_by_role=tuple(sorted(Counter(m.role for m in members).items())),
    )


def format_summary(summary: ProgrammeSummary) -> str:
    """The summary as terminal text."""
    out = [
        f"{summary.name} ({summary.slug})",
        (
            f"Spend deadline {summary.deadline:%a %d %b %Y}: {summary.working_days_left} working days left "
            f"from {summary.today:%a %d %b %Y} (weekends and England's bank holidays excluded)"
        ),
        "",
        f"Money: {format_money(summary.allocation)} allocated, {format_money(summary.available_now)} available today",
    ]
    for t in summary.tranches:
        state = "available" if t.available else "due"
        out.append(
            f"  {shortened(t.name, 38):<38} {format_money(t.amount):>12}  {t.source:<22} "
            f"announced {t.announced_on:%d %b}, {state} {t.available_on:%d %b %Y}"
        )
    out.append("  By source: " + "; ".join(f"{label} {format_money(amount)}" for label, amount in summary.by_source))
    for sector in ("statutory", "community"):
        orgs = [o for o in summary.organisations if o.sector == sector]
        out += ["", f"{sector.capitalize()} organisations ({len(orgs)}):"]
        out += [f"  {shortened(o.name, 44):<44} {o.kind:<32} {plural(o.members, 'member')}" for o in orgs]
    out += [
        "",
        (
            f"Schemes ({len(summary.schemes)}), {format_money(summary.budgeted)} budgeted, "
            f"{format_money(summary.unbudgeted)} not yet assigned:"
        ),
    ]
    out += [
        f"  {shortened(s.name, 48):<48} {format_money(s.budget):>11}  {format_quantity(s.planned):>7} {s.unit:<17} {shortened(s.owner, 36)}"
        for s in summary.schemes
    ]
    roles = ", ".join(f"{plural(count, role)}" for role, count in summary.members_by_role)
    out += ["", f"Members: {roles}"]
    return "\n".join(out)
