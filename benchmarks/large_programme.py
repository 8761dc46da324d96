"""A large programme for benchmarks: 200 organisations, 60 schemes, 120 working days of reports.

Inserted with bulk Core inserts (one executemany per table), so building it takes seconds on
SQLite and PostgreSQL alike. Deterministic: the same arguments give the same rows.

What is in it, so a benchmark can say what it measured:
- three tranches: a local authority grant on the first day, an ICB allocation ten working days
  later and a January top-up (20 Jan 2027, or half way through a period that starts after it);
- organisations of every kind, each with a lead or partner and a second member (and one admin);
- schemes of every type, funded half by each source, with budgets in pounds and pence;
- on every working day up to LARGE_TODAY: a check-in per scheme owner, a cumulative SpendReport
  per scheme (rising; about 1 in 60 is a correction to a lower figure, with a reason), a
  CapacityReport per organisation and service. Scheme 0 never reports; every tenth scheme
  goes silent for its last 8 working days.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.engine import Engine

from bot.common.calendar import add_working_days, local_instant, working_days
from models.db import migrate, session_scope
from models.tables import CapacityReport, CheckIn, Member, Organisation, Programme, Scheme, SpendReport, Tranche
from models.vocabulary import FundingSource, OrganisationKind, SchemeType, Unit

LARGE_TODAY = date(2027, 3, 10)  # the last day with reports; spend is asked for as at this day
DEADLINE = date(2027, 3, 31)
TOP_UP_ON = date(2027, 1, 20)
TZ = "Europe/London"
PENNY = Decimal("0.01")

SERVICES: dict[OrganisationKind, list[str]] = {
    OrganisationKind.LOCAL_AUTHORITY: ["reablement"],
    OrganisationKind.ACUTE_TRUST: ["acute_discharge"],
    OrganisationKind.ICB: [],
    OrganisationKind.VCS: ["vcs"],
    OrganisationKind.HOME_CARE: ["home_care"],
    OrganisationKind.GP: ["gp"],
    OrganisationKind.COMMUNITY_NURSING: ["community_nursing"],
    OrganisationKind.HOUSING: ["housing"],
    OrganisationKind.CARE_HOME: ["care_home"],
    OrganisationKind.HOSPICE: ["hospice"],
    OrganisationKind.OTHER: [],
}
UNIT_FOR: dict[SchemeType, Unit] = {
    SchemeType.HOME_CARE: Unit.HOURS,
    SchemeType.BED_BASED_INTERMEDIATE_CARE: Unit.BED_WEEKS,
    SchemeType.RESIDENTIAL_PLACEMENTS: Unit.BEDS,
    SchemeType.WORKFORCE: Unit.STAFF_WTE,
    SchemeType.ASSISTIVE_TECHNOLOGY: Unit.EQUIPMENT_ITEMS,
    SchemeType.CARE_ACT_DUTIES: Unit.ASSESSMENTS,
    SchemeType.ADMINISTRATION: Unit.SESSIONS,
}


def build_large_programme(
    engine: Engine,
    organisations: int = 200,
    schemes: int = 60,
    working_days: int = 120,
    slug: str | None = None,
    seed: int = 2027,
) -> str:
    """Create the programme in `engine`'s database (migrated here if need be); return its slug.
    Reports run on the `working_days` working days that end on LARGE_TODAY."""
    migrate(engine)
    slug = slug or f"large-{organisations}-{schemes}-{working_days}"
    rng = random.Random(seed)
    days = _report_days(working_days)
    with session_scope(engine) as session:
        programme_id = _programme(session, slug, days[0])
        org_ids = _organisations(session, programme_id, organisations)
        member_ids = _members(session, programme_id, org_ids)
        scheme_rows = _schemes(session, programme_id, org_ids, schemes, rng)
        _checkins(session, programme_id, scheme_rows, member_ids, days, rng)
        _spend_reports(session, programme_id, scheme_rows, member_ids, days, rng)
        _capacity_reports(session, programme_id, org_ids, member_ids, days, rng)
    return slug


def _report_days(n: int) -> list[date]:
    first = add_working_days(LARGE_TODAY, -(n - 1))
    days = list(working_days(first, LARGE_TODAY))
    assert len(days) == n, (len(days), n)
    return days


def _bulk(session: Any, model: Any, rows: list[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(model.__table__), rows)


def _programme(session: Any, slug: str, start: date) -> int:
    programme = Programme(
        slug=slug,
        name=f"Large winter discharge fund ({slug})",
        deadline=DEADLINE,
        channel="C0LARGE",
        checkin_time=time(9, 30),
        reminder_time=time(14),
        brief_time=time(8, 30),
        digest_time=time(15),
        settings={"thresholds": {"underspend_risk_percent": 90, "silent_after_working_days": 3}},
    )
    session.add(programme)
    session.flush()
    top_up = TOP_UP_ON if start < TOP_UP_ON else add_working_days(start, 20)
    tranches = [
        ("t1", "Tranche 1", Decimal("2400000.00"), FundingSource.LOCAL_AUTHORITY_GRANT, start),
        ("t2", "Tranche 2", Decimal("3600000.00"), FundingSource.ICB_ALLOCATION, add_working_days(start, 10)),
        ("top-up", "January top-up", Decimal("1500000.50"), FundingSource.ICB_ALLOCATION, top_up),
    ]
    _bulk(
        session,
        Tranche,
        [
            {
                "programme_id": programme.id,
                "key": key,
                "name": name,
                "amount": amount,
                "funding_source": source.value,
                "announced_on": available - timedelta(days=14),
                "available_on": available,
            }
            for key, name, amount, source, available in tranches
        ],
    )
    return programme.id  # type: ignore[return-value]


def _organisations(session: Any, programme_id: int, n: int) -> list[tuple[int, OrganisationKind]]:
    kinds = list(OrganisationKind)
    rows = []
    for i in range(n):
        kind = kinds[i % len(kinds)]
        rows.append(
            {
                "programme_id": programme_id,
                "key": f"org-{i:04d}",
                "name": f"{kind.value.replace('_', ' ').title()} {i}",
                "kind": kind.value,
                "services": SERVICES[kind],
            }
        )
    _bulk(session, Organisation, rows)
    found = session.execute(
        select(Organisation.id, Organisation.kind)
        .where(Organisation.programme_id == programme_id)
        .order_by(Organisation.key)
    ).all()
    return [(row[0], OrganisationKind(row[1])) for row in found]


def _members(session: Any, programme_id: int, orgs: list[tuple[int, OrganisationKind]]) -> dict[int, int]:
    """Two members per organisation; returns each organisation's first member (who reports)."""
    rows = []
    for i, (org_id, kind) in enumerate(orgs):
        first_role = "admin" if i == 0 else ("lead" if kind.statutory else "partner")
        for j, role in enumerate((first_role, "observer" if kind.statutory else "partner")):
            rows.append(
                {
                    "programme_id": programme_id,
                    "organisation_id": org_id,
                    "platform": "slack",
                    "platform_user_id": f"U{programme_id:03d}{i:05d}{j}",
                    "name": f"Person {i}.{j}",
                    "role": role,
                }
            )
    _bulk(session, Member, rows)
    found = session.execute(
        select(Member.organisation_id, Member.id).where(Member.programme_id == programme_id).order_by(Member.id)
    ).all()
    first: dict[int, int] = {}
    for org_id, member_id in found:
        first.setdefault(org_id, member_id)
    return first


def _schemes(
    session: Any, programme_id: int, orgs: list[tuple[int, OrganisationKind]], n: int, rng: random.Random
) -> list[dict[str, Any]]:
    types = list(SchemeType)
    sources = (FundingSource.LOCAL_AUTHORITY_GRANT, FundingSource.ICB_ALLOCATION)
    rows = []
    for i in range(n):
        scheme_type = types[i % len(types)]
        rows.append(
            {
                "programme_id": programme_id,
                "owner_organisation_id": orgs[(i * 3) % len(orgs)][0],
                "key": f"s-{i:03d}",
                "name": f"Scheme {i}: {scheme_type.value.replace('_', ' ')}",
                "scheme_type": scheme_type.value,
                "funding_source": sources[i % 2].value,
                "budget": Decimal(rng.randint(2_000_000, 20_000_000)) * PENNY,
                "unit": UNIT_FOR.get(scheme_type, Unit.PEOPLE).value,
                "planned": Decimal(rng.randint(20, 3000)),
            }
        )
    _bulk(session, Scheme, rows)
    ids = dict(session.execute(select(Scheme.key, Scheme.id).where(Scheme.programme_id == programme_id)).all())
    return [dict(row, id=ids[row["key"]]) for row in rows]


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return local_instant(day, time(hour, minute), TZ).astimezone(UTC)


def _checkins(
    session: Any,
    programme_id: int,
    schemes: list[dict[str, Any]],
    members: dict[int, int],
    days: list[date],
    rng: random.Random,
) -> None:
    owners = sorted({s["owner_organisation_id"] for s in schemes})
    rows = []
    for day in days:
        for org_id in owners:
            blocker = rng.random() < 0.1
            rows.append(
                {
                    "programme_id": programme_id,
                    "member_id": members[org_id],
                    "organisation_id": org_id,
                    "local_date": day,
                    "no_change": rng.random() < 0.2,
                    "redactions": 0,
                    "blockers": "Waiting for equipment deliveries" if blocker else None,
                    "comment": "Steady today" if rng.random() < 0.3 else None,
                    "submitted_at": _at(day, 10, rng.randint(0, 59)),
                }
            )
    _bulk(session, CheckIn, rows)


def _spend_reports(
    session: Any,
    programme_id: int,
    schemes: list[dict[str, Any]],
    members: dict[int, int],
    days: list[date],
    rng: random.Random,
) -> None:
    rows = []
    for index, scheme in enumerate(schemes):
        if index == 0:
            continue  # a scheme that never reported
        last_day = len(days) - 8 if index % 10 == 0 else len(days)  # every tenth goes silent
        daily = scheme["budget"] / Decimal(len(days) + 10)
        actual = committed = activity = Decimal(0)
        for day in days[:last_day]:
            correction = rng.random() < 1 / 60 and actual > 0
            if correction:
                actual = (actual * Decimal("0.97")).quantize(PENNY)
            else:
                actual += (daily * Decimal(rng.uniform(0.4, 1.5))).quantize(PENNY)
                activity += Decimal(rng.randint(0, 4))
            committed = (daily * Decimal(rng.uniform(2, 6))).quantize(PENNY)
            rows.append(
                {
                    "programme_id": programme_id,
                    "scheme_id": scheme["id"],
                    "member_id": members[scheme["owner_organisation_id"]],
                    "local_date": day,
                    "actual": actual,
                    "committed": committed,
                    "activity": activity,
                    "correction_reason": "Invoice credited back" if correction else None,
                    "source": "checkin",
                    "reported_at": _at(day, 11, rng.randint(0, 59)),
                }
            )
    _bulk(session, SpendReport, rows)


def _capacity_reports(
    session: Any,
    programme_id: int,
    orgs: list[tuple[int, OrganisationKind]],
    members: dict[int, int],
    days: list[date],
    rng: random.Random,
) -> None:
    rows = []
    for org_id, kind in orgs:
        for service in SERVICES[kind]:
            level = rng.randint(1, 2)
            for day in days:
                level = min(4, max(1, level + rng.choice((-1, 0, 0, 0, 0, 1))))
                measures = {"hours_not_delivered": rng.randint(0, 40) * level} if service == "home_care" else {}
                rows.append(
                    {
                        "programme_id": programme_id,
                        "organisation_id": org_id,
                        "member_id": members[org_id],
                        "service": service,
                        "local_date": day,
                        "level": level,
                        "measures": measures,
                        "reported_at": _at(day, 10, 30),
                    }
                )
    _bulk(session, CapacityReport, rows)
