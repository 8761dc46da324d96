"""The programme peak.py measures: built deterministically, with bulk inserts, in a fresh
database, with 60 working days of history up to the working day before DAY (check-ins, the
spend ledger and capacity reports)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from typing import Any

DAY = date(2027, 1, 19)  # a Tuesday in January: not a Friday (no digest), no bank holiday
TZ = "Europe/London"
SLUG = "peak-2027"
CHANNEL, LEADS_CHANNEL = "C0PEAK", "C0PEAKLEADS"
HISTORY_DAYS = 60
ORGANISATIONS_A_PARTNER = 0.69
SCHEMES_A_PARTNER = 0.12
PENNY = Decimal("0.01")


@dataclass(frozen=True)
class Org:
    id: int
    kind: str
    services: tuple[str, ...]


COMMUNITY: dict[str, tuple[float, str, tuple[str, ...]]] = {  # kind: share, name, services
    "home_care": (0.30, "Home Care", ("home_care",)),
    "gp": (0.20, "GP Practice", ("gp",)),
    "vcs": (0.18, "Community Group", ("vcs",)),
    "care_home": (0.09, "Care Home", ("care_home",)),
    "community_nursing": (0.08, "Community Nursing Team", ("community_nursing",)),
    "housing": (0.07, "Housing Association", ("housing",)),
    "hospice": (0.05, "Hospice", ("hospice",)),
    "other": (0.03, "Partner", ()),
}
STATUTORY: list[tuple[str, str, tuple[str, ...], tuple[str, ...]]] = [  # kind, name, services, roles
    ("local_authority", "Council", ("reablement",), ("lead", "lead", "lead", "partner")),
    ("local_authority", "Council", ("reablement",), ("lead", "lead", "lead", "partner")),
    ("acute_trust", "Hospital Trust", ("acute_discharge",), ("lead", "lead", "lead", "partner")),
    ("acute_trust", "Hospital Trust", ("acute_discharge",), ("lead", "lead", "lead", "partner")),
    ("icb", "ICB", (), ("admin", "lead", "lead", "observer")),
]


def history_days() -> list[date]:
    from bot.common.calendar import add_working_days, previous_working_day, working_days

    last = previous_working_day(DAY)
    return list(working_days(add_working_days(last, -(HISTORY_DAYS - 1)), last))


def build_peak_programme(url: str, partners: int, seed: int) -> str:
    """The programme in a fresh database (migrated here); its slug. Deterministic for a seed."""
    from models.db import make_engine, migrate, session_scope

    rng = random.Random(seed)
    days = history_days()
    engine = make_engine(url)
    try:
        migrate(engine)
        with session_scope(engine) as session:
            pid = _programme(session, days[0], partners)
            orgs = _organisations(session, pid, max(len(STATUTORY) + 1, round(partners * ORGANISATIONS_A_PARTNER)), rng)
            members = _members(session, pid, orgs, partners)
            schemes = _schemes(
                session, pid, [o for o in orgs if members.get(o.id)], max(4, round(partners * SCHEMES_A_PARTNER)), rng
            )
            answered = _checkins(session, pid, orgs, members, days, rng)
            _spend_reports(session, pid, schemes, answered, days, rng)
            _capacity_reports(session, pid, orgs, answered, days, rng)
    finally:
        engine.dispose()
    return SLUG


def _bulk(session: Any, model: Any, rows: list[dict[str, Any]]) -> None:
    from sqlalchemy import insert

    if rows:
        session.execute(insert(model.__table__), rows)


def _at(day: date, minutes_after_checkin: int) -> datetime:
    from bot.common.calendar import local_instant

    return (local_instant(day, clock(9, 30), TZ) + timedelta(minutes=minutes_after_checkin)).astimezone(UTC)


def _programme(session: Any, start: date, partners: int) -> int:
    from bot.common.calendar import add_working_days
    from models.tables import Programme, Tranche

    programme = Programme(
        slug=SLUG,
        name="Peak winter discharge fund 2026/27",
        deadline=date(2027, 3, 31),
        channel=CHANNEL,
        leads_channel=LEADS_CHANNEL,
        checkin_time=clock(9, 30),
        reminder_time=clock(14),
        brief_time=clock(8, 30),
        digest_time=clock(15),
        settings={},
    )
    session.add(programme)
    session.flush()
    scale = Decimal(max(partners, 100)) / Decimal(1000)
    tranches = [
        ("la-grant", "Local authority grant", Decimal(3200000), "local_authority_grant", start),
        ("icb-allocation", "ICB allocation", Decimal(3400000), "icb_allocation", add_working_days(start, 10)),
        ("january-top-up", "January top-up", Decimal(1500000), "icb_allocation", date(2027, 1, 12)),
    ]
    _bulk(
        session,
        Tranche,
        [
            {
                "programme_id": programme.id,
                "key": key,
                "name": name,
                "amount": (amount * scale).quantize(PENNY),
                "funding_source": source,
                "announced_on": available - timedelta(days=10),
                "available_on": available,
            }
            for key, name, amount, source, available in tranches
        ],
    )
    return int(programme.id)  # type: ignore[arg-type]


def _organisations(session: Any, pid: int, count: int, rng: random.Random) -> list[Org]:
    from sqlmodel import col, select

    from models.tables import Organisation

    kinds = list(COMMUNITY)
    chosen = rng.choices(kinds, weights=[COMMUNITY[k][0] for k in kinds], k=count - len(STATUTORY))
    rows = [
        {"key": f"statutory-{i}", "name": f"{name} {i + 1}", "kind": kind, "services": list(services)}
        for i, (kind, name, services, _) in enumerate(STATUTORY)
    ]
    rows += [
        {
            "key": f"org-{i:04d}",
            "name": f"{COMMUNITY[kind][1]} {i:04d}",
            "kind": kind,
            "services": list(COMMUNITY[kind][2]),
        }
        for i, kind in enumerate(chosen)
    ]
    _bulk(session, Organisation, [{"programme_id": pid, **row} for row in rows])
    found = session.execute(
        select(col(Organisation.id), col(Organisation.kind), col(Organisation.services))
        .where(Organisation.programme_id == pid)
        .order_by(col(Organisation.id))
    ).all()
    return [Org(row.id, row.kind, tuple(row.services)) for row in found]


def _members(session: Any, pid: int, orgs: list[Org], partners: int) -> dict[int, list[int]]:
    """The statutory roles, one partner per community organisation, and a second partner for
    as many of those running a service as the partner count needs; the partners by organisation."""
    from sqlmodel import col, select

    from models.tables import Member

    statutory, community = orgs[: len(STATUTORY)], orgs[len(STATUTORY) :]
    roles = [(org.id, role) for org, (*_, org_roles) in zip(statutory, STATUTORY, strict=True) for role in org_roles]
    roles += [(org.id, "partner") for org in community]
    extra = max(0, partners - sum(role == "partner" for _, role in roles))
    running = [org for org in community if org.services]
    roles += (
        [(running[i * len(running) // extra].id, "partner") for i in range(min(extra, len(running)))] if extra else []
    )
    rows = []
    for n, (org_id, role) in enumerate(sorted(roles)):
        prefix = "UPK" if role == "partner" else "ULD"
        rows.append(
            {
                "programme_id": pid,
                "organisation_id": org_id,
                "platform": "slack",
                "platform_user_id": f"{prefix}{n:05d}",
                "name": f"Person {n:05d}",
                "role": role,
            }
        )
    _bulk(session, Member, rows)
    found = session.execute(
        select(col(Member.organisation_id), col(Member.id))
        .where(Member.programme_id == pid, Member.role == "partner")
        .order_by(col(Member.id))
    ).all()
    by_org: dict[int, list[int]] = {}
    for org_id, member_id in found:
        by_org.setdefault(org_id, []).append(member_id)
    return by_org


def _schemes(session: Any, pid: int, owners: list[Org], count: int, rng: random.Random) -> list[dict[str, Any]]:
    from sqlmodel import col, select

    from benchmarks.large_programme import UNIT_FOR
    from models.tables import Scheme
    from models.vocabulary import SchemeType, Unit

    types = list(SchemeType)
    rows = []
    for i in range(count):
        scheme_type = types[i % len(types)]
        rows.append(
            {
                "programme_id": pid,
                "owner_organisation_id": owners[(i * 7) % len(owners)].id,
                "key": f"s-{i:03d}",
                "name": f"Scheme {i:03d}: {scheme_type.value.replace('_', ' ')}",
                "scheme_type": scheme_type.value,
                "funding_source": ("local_authority_grant", "icb_allocation")[i % 2],
                "budget": Decimal(rng.randint(1_000_000, 12_000_000)) * PENNY,
                "unit": UNIT_FOR.get(scheme_type, Unit.PEOPLE).value,
                "planned": Decimal(rng.randint(20, 2000)),
            }
        )
    _bulk(session, Scheme, rows)
    ids = dict(session.execute(select(col(Scheme.key), col(Scheme.id)).where(Scheme.programme_id == pid)).all())
    return [{**row, "id": ids[row["key"]]} for row in rows]


def _checkins(
    session: Any, pid: int, orgs: list[Org], members: dict[int, list[int]], days: list[date], rng: random.Random
) -> dict[tuple[int, date], tuple[int, int]]:
    """Most partners answer most days, one in ten is patchy, one in twenty has gone quiet (nothing
    in the last six working days). The first answer of each organisation each day: (member,
    minutes after 09:30)."""
    from models.tables import CheckIn

    rows = []
    first: dict[tuple[int, date], tuple[int, int]] = {}
    for org in orgs:
        for member_id in members.get(org.id, []):
            draw = rng.random()
            answers, quiet = (0.92, False) if draw < 0.85 else ((0.6, False) if draw < 0.95 else (0.5, True))
            for index, day in enumerate(days):
                if rng.random() >= answers or (quiet and index >= len(days) - 6):
                    continue
                minutes = rng.randint(0, 150)
                rows.append(
                    {
                        "programme_id": pid,
                        "member_id": member_id,
                        "organisation_id": org.id,
                        "local_date": day,
                        "no_change": rng.random() < 0.2,
                        "redactions": 0,
                        "blockers": "Waiting for equipment deliveries" if rng.random() < 0.1 else None,
                        "comment": "Steady today" if rng.random() < 0.3 else None,
                        "submitted_at": _at(day, minutes),
                    }
                )
                if (org.id, day) not in first or first[(org.id, day)][1] > minutes:
                    first[(org.id, day)] = (member_id, minutes)
    _bulk(session, CheckIn, rows)
    return first


def _spend_reports(
    session: Any,
    pid: int,
    schemes: list[dict[str, Any]],
    answered: dict[tuple[int, date], tuple[int, int]],
    days: list[date],
    rng: random.Random,
) -> None:
    from models.tables import SpendReport

    rows = []
    for scheme in schemes:
        daily = scheme["budget"] / Decimal(len(days) + 30)
        actual = committed = activity = Decimal(0)
        for day in days:
            reporter = answered.get((scheme["owner_organisation_id"], day))
            if reporter is None:
                continue
            actual += (daily * Decimal(rng.uniform(0.3, 1.6))).quantize(PENNY)
            activity += Decimal(rng.randint(0, 5))
            committed = (daily * Decimal(rng.uniform(2, 6))).quantize(PENNY)
            rows.append(
                {
                    "programme_id": pid,
                    "scheme_id": scheme["id"],
                    "member_id": reporter[0],
                    "local_date": day,
                    "actual": actual,
                    "committed": committed,
                    "activity": activity,
                    "correction_reason": None,
                    "source": "checkin",
                    "reported_at": _at(day, reporter[1]),
                }
            )
    _bulk(session, SpendReport, rows)


def _capacity_reports(
    session: Any,
    pid: int,
    orgs: list[Org],
    answered: dict[tuple[int, date], tuple[int, int]],
    days: list[date],
    rng: random.Random,
) -> None:
    """A level per service on each day the organisation answered: a slow random walk from
    anywhere in 1-4, so about half end at level 3 or 4."""
    from models.tables import CapacityReport

    rows = []
    for org in orgs:
        for service in org.services:
            level = rng.randint(1, 4)
            for day in days:
                level = min(4, max(1, level + rng.choice((-1, 0, 0, 0, 0, 0, 0, 1))))
                reporter = answered.get((org.id, day))
                if reporter is not None:
                    rows.append(
                        {
                            "programme_id": pid,
                            "organisation_id": org.id,
                            "member_id": reporter[0],
                            "service": service,
                            "local_date": day,
                            "level": level,
                            "measures": {},
                            "reported_at": _at(day, reporter[1]),
                        }
                    )
    _bulk(session, CapacityReport, rows)
