"""What the fortnightly return's tests share: a small programme with a return calendar, and its
winter written into the ledger and the check-ins by hand, so every figure is worked out below.

The period 28 Dec 2026 - 10 Jan 2027 holds two bank holidays (Mon 28 Dec, the substitute for
Boxing Day; Fri 1 Jan) and the ICB's money, which lands on Tue 5 Jan, mid-period.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal

from sqlmodel import Session, select

from bot.programme.file import parse_programme_file
from bot.programme.loader import load_programme
from models.tables import CapacityReport, CheckIn, Member, Programme, Scheme, SpendReport

D = Decimal
SLUG = "return-fund"
DEC_13, DEC_27, JAN_10, JAN_24 = date(2026, 12, 13), date(2026, 12, 27), date(2027, 1, 10), date(2027, 1, 24)
ICB_LANDS = date(2027, 1, 5)

PROGRAMME = """
programme:
  slug: return-fund
  name: Return fund
  deadline: 2027-03-31
  channel: C0RETURN
  fortnightly_return:
    first_period_end: 2026-12-13
    every_days: 14
    lines:
      discharges_pathway_0: acute_discharge.discharges_p0
      discharges_pathway_1: [acute_discharge.discharges_p1]
      discharges_pathway_2: acute_discharge.discharges_p2
      discharges_pathway_3: acute_discharge.discharges_p3
      packages_booked: [home_care.packages_booked]
  tranches:
    - {key: la, name: LA grant, amount: 100000, source: local_authority_grant, announced: 2026-11-16, available: 2026-12-07}
    - {key: icb, name: ICB top-up, amount: 50000, source: icb_allocation, announced: 2026-12-21, available: 2027-01-05}
organisations:
  - {key: trust, name: Vale Trust, kind: acute_trust}
  - {key: carers, name: Home Carers Ltd, kind: home_care}
members:
  - {slack: U0RET00001, name: Ann Trust, organisation: trust, role: partner}
  - {slack: U0RET00002, name: Ben Trust, organisation: trust, role: partner}
  - {slack: U0RET00003, name: Cat Carers, organisation: carers, role: partner}
schemes:
  - {key: hours, name: Home care hours, owner: carers, type: home_care, source: local_authority_grant, budget: 60000, unit: hours, planned: 3000}
  - {key: beds, name: Step-down beds, owner: trust, type: bed_based_intermediate_care, source: icb_allocation, budget: 40000, unit: bed_weeks, planned: 100}
measures:
  acute_discharge:
    - {key: discharges, label: People discharged yesterday}
    - {key: discharges_p0, label: Discharged on pathway 0}
    - {key: discharges_p1, label: Discharged on pathway 1}
    - {key: discharges_p2, label: Discharged on pathway 2}
    - {key: discharges_p3, label: Discharged on pathway 3}
  home_care:
    - {key: packages_booked, label: Packages of care booked}
"""


def load(engine) -> None:
    load_programme(engine, parse_programme_file(PROGRAMME, "return.yaml"))


def programme_of(session: Session) -> Programme:
    return session.exec(select(Programme).where(Programme.slug == SLUG)).one()


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """An instant on a winter day (London is on GMT then)."""
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


def answer(
    session: Session,
    user: str,
    day: date,
    measures: dict[str, str],
    *,
    hour: int = 10,
    no_change: bool = False,
    service: str | None = None,
) -> None:
    """A check-in by `user` with one capacity report carrying `measures`, as bot.checkin stores it."""
    member = session.exec(select(Member).where(Member.platform_user_id == user)).one()
    checkin = CheckIn(
        programme_id=member.programme_id,
        member_id=member.id,
        organisation_id=member.organisation_id,
        local_date=day,
        no_change=no_change,
        submitted_at=at(day, hour),
    )
    session.add(checkin)
    session.flush()
    session.add(
        CapacityReport(
            programme_id=member.programme_id,
            organisation_id=member.organisation_id,
            member_id=member.id,
            checkin_id=checkin.id,
            service=service or ("home_care" if user == CARERS else "acute_discharge"),
            local_date=day,
            level=2,
            measures=measures,
            reported_at=at(day, hour),
        )
    )
    session.flush()


def spend(session: Session, key: str, day: date, actual: str, committed: str, reported: datetime | None = None) -> None:
    scheme = session.exec(select(Scheme).where(Scheme.key == key)).one()
    session.add(
        SpendReport(
            programme_id=scheme.programme_id,
            scheme_id=scheme.id,
            local_date=day,
            actual=D(actual),
            committed=D(committed),
            activity=D("1"),
            reported_at=reported or at(day),
        )
    )
    session.flush()


ANN, BEN, CARERS = "U0RET00001", "U0RET00002", "U0RET00003"


def before_the_period(session: Session) -> None:
    """Up to Sun 27 Dec: the period ending 27 Dec."""
    spend(session, "hours", date(2026, 12, 18), "1000.00", "500.00")
    answer(session, ANN, date(2026, 12, 24), {"discharges_p0": "10", "discharges_p1": "6"})
    answer(session, CARERS, date(2026, 12, 27), {"packages_booked": "5"})


def the_period(session: Session) -> None:
    """Mon 28 Dec (bank holiday) to Sun 10 Jan, and what comes after it."""
    answer(session, ANN, date(2026, 12, 29), {"discharges_p0": "7", "discharges_p1": "5", "discharges_p2": "1"})
    answer(session, CARERS, date(2026, 12, 29), {"packages_booked": "2"})
    answer(session, ANN, date(2026, 12, 30), {"discharges_p0": "6", "discharges_p1": "4", "discharges_p2": "3"})
    answer(session, ANN, date(2026, 12, 30), {"discharges_p0": "8", "discharges_p1": "4"}, hour=11)  # amended
    spend(session, "hours", date(2026, 12, 30), "2500.50", "400.00")
    answer(session, ANN, date(2026, 12, 31), {"discharges_p0": "5", "discharges_p1": "3"})
    answer(
        session, BEN, date(2026, 12, 31), {"discharges_p0": "9", "discharges_p2": "2"}, hour=12
    )  # the trust's last word
    answer(session, ANN, date(2027, 1, 4), {"discharges_p0": "12", "discharges_p1": "10", "discharges_p2": "1"})
    answer(session, ANN, date(2027, 1, 4), {"discharges_p3": "1", "discharges": "24"}, hour=9)  # older that day
    answer(session, CARERS, date(2027, 1, 4), {"packages_booked": "3", "hours_not_delivered": "40"})
    answer(  # "nothing new today" repeats 4 Jan's figures: nothing was discharged since
        session, ANN, date(2027, 1, 5), {"discharges_p0": "12", "discharges_p1": "10"}, no_change=True
    )
    spend(session, "beds", date(2027, 1, 6), "1500.00", "3000.00")
    answer(session, CARERS, date(2027, 1, 8), {"packages_booked": "4", "discharges_p0": "50"})
    spend(session, "hours", date(2027, 1, 8), "4000.25", "0.00")
    answer(session, ANN, date(2027, 1, 10), {"discharges_p0": "3", "discharges_p3": "1"})  # Sunday: the last day
    answer(session, ANN, date(2027, 1, 11), {"discharges_p0": "100"})  # the next period
    spend(session, "hours", date(2027, 1, 11), "9000.00", "0.00")
    # A correction for Fri 8 Jan entered on Tue 12 Jan: the 8th's newest figure from then on.
    spend(session, "hours", date(2027, 1, 8), "4100.25", "0.00", reported=at(date(2027, 1, 12)))


# Worked out from the_period() by hand, 28 Dec to 10 Jan:
#   pathway 0: 7 (29th) + 8 (30th, amended) + 9 (31st, Ben's answer) + 12 (4th) + 3 (10th) = 39
#   pathway 1: 5 + 4 + 0 (Ben gave none) + 10 = 19
#   pathway 2: 1 + 0 (the amendment left it blank) + 2 + 1 = 4
#   pathway 3: 0 (the 4th's older answer does not count) + 1 (10th) = 1
#   5 Jan's "nothing new today", 11 Jan's figures and the carers' stray discharges_p0 count nowhere.
#   packages: 2 + 3 + 4 = 9 (27 Dec's 5 is the period before)
PERIOD_ACTIVITY = {
    "discharges_pathway_0": D(39),
    "discharges_pathway_1": D(19),
    "discharges_pathway_2": D(4),
    "discharges_pathway_3": D(1),
    "packages_booked": D(9),
}
BEFORE_ACTIVITY = {  # 14 to 27 Dec
    "discharges_pathway_0": D(10),
    "discharges_pathway_1": D(6),
    "discharges_pathway_2": D(0),
    "discharges_pathway_3": D(0),
    "packages_booked": D(5),
}
