"""What the spend ledger's tests (test_spend.py, test_spend_edges.py) share: the period's dates, a
programme with tranches and schemes made to order, a spend report, and the rules a position flags."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlmodel import Session, select

from models.tables import Organisation, Programme, Scheme, SpendReport, Tranche

D = Decimal
UTC = UTC
START = date(2026, 12, 7)
TOPUP = date(2027, 1, 18)
WED_20_JAN = date(2027, 1, 20)


def add_programme(
    session: Session,
    *,
    tranches: tuple[tuple[str, str, date], ...] = (("100000.00", "local_authority_grant", START),),
    schemes: tuple[tuple[str, str, str, str], ...] = (("hours", "local_authority_grant", "60000.00", "1000"),),
    underspend: int = 90,
    silent: int = 3,
    slug: str = "vale",
) -> Programme:
    """A programme with tranches (amount, source, available) and schemes (key, source, budget, planned)."""
    programme = Programme(
        slug=slug,
        name="Vale fund",
        deadline=date(2027, 3, 31),
        channel="C0VALE",
        checkin_time=time(9, 30),
        reminder_time=time(14),
        brief_time=time(8, 30),
        digest_time=time(15),
        settings={"thresholds": {"underspend_risk_percent": underspend, "silent_after_working_days": silent}},
    )
    session.add(programme)
    session.flush()
    org = Organisation(programme_id=programme.id, key="carers", name="Home Carers Ltd", kind="home_care")
    session.add(org)
    session.flush()
    for index, (amount, source, available) in enumerate(tranches):
        session.add(
            Tranche(
                programme_id=programme.id,
                key=f"t{index}",
                name=f"Tranche {index + 1}",
                amount=D(amount),
                funding_source=source,
                announced_on=available - timedelta(days=14),
                available_on=available,
            )
        )
    for key, source, budget, planned in schemes:
        session.add(
            Scheme(
                programme_id=programme.id,
                owner_organisation_id=org.id,
                key=key,
                name=f"Scheme {key}",
                scheme_type="home_care",
                funding_source=source,
                budget=D(budget),
                unit="hours",
                planned=D(planned),
            )
        )
    session.flush()
    return programme


def report(
    session: Session,
    programme: Programme,
    key: str,
    day: date,
    actual: str,
    committed: str = "0",
    activity: str = "0",
    *,
    hour: int = 10,
    reason: str | None = None,
) -> None:
    scheme = session.exec(select(Scheme).where(Scheme.programme_id == programme.id, Scheme.key == key)).one()
    session.add(
        SpendReport(
            programme_id=programme.id,
            scheme_id=scheme.id,
            local_date=day,
            actual=D(actual),
            committed=D(committed),
            activity=D(activity),
            correction_reason=reason,
            reported_at=datetime.combine(day, time(hour), tzinfo=UTC),
        )
    )
    session.flush()


def rules(position, subject: str | None = None) -> list[str]:
    return [f.rule for f in position.flags if subject is None or f.subject == subject]
