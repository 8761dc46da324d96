"""The risk rules on SQLite and PostgreSQL: discharges rising against community capacity, and the
spend flags as risks."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from risk_rules_support import (
    MON_4_JAN,
    D,
    at,
    by_rule,
    capacity,
    loaded,  # noqa: F401 (fixtures)
    org,
    programme_session,
    thresholds,
)
from sqlmodel import Session, select

from bot.risks.scan import findings
from bot.spend.ledger import spend_position
from models.tables import Scheme, SpendReport
from models.vocabulary import Severity

# --- discharges against community capacity -----------------------------------------------------------
# Three working days before Fri 18 Dec 2026 is Tue 15 Dec.

FRI_18_DEC, TUE_15_DEC = D(2026, 12, 18), D(2026, 12, 15)


def discharges(session: Session, day: date, figures: list[str]) -> None:
    for minute, figure in enumerate(figures):
        capacity(session, "trust", "acute_discharge", day, 2, {"discharges": figure, "nctr": "12"}, minute=minute)


@pytest.mark.parametrize(
    "home_care_level, before, after, raised",
    [
        (3, ["30"], ["38"], True),
        (4, ["30"], ["50", "30.5"], True),  # the amended figure counts
        (2, ["30"], ["38"], False),  # community capacity is coping
        (3, ["38"], ["50", "38"], False),  # flat once amended
        (3, ["38"], ["37"], False),  # falling
    ],
)
def test_discharges_outpacing_community_capacity(loaded, home_care_level, before, after, raised):
    with programme_session(loaded) as (session, programme):
        discharges(session, TUE_15_DEC, before)
        capacity(session, "council", "reablement", TUE_15_DEC, 1, {"discharges": "5"})
        discharges(session, D(2026, 12, 16), ["90"])  # days between do not matter
        discharges(session, FRI_18_DEC, after)
        capacity(session, "council", "reablement", FRI_18_DEC, 1, {"discharges": "5"})
        capacity(session, "brightside", "home_care", FRI_18_DEC, home_care_level)
        found = by_rule(findings(session, programme, FRI_18_DEC), "discharges_outpacing")
        assert bool(found) is raised
        if raised:
            finding = found["rules-fund"]
            assert finding.title == "Discharges outpacing community capacity"
            assert (finding.severity, finding.owner_organisation_id) == (Severity.HIGH, None)
            assert f"from 35 on Tue 15 Dec 2026 to {Decimal(after[-1]) + 5:f} on Fri 18 Dec 2026" in finding.detail
            assert f"Brightside Home Care (home care, level {home_care_level})" in finding.detail


def test_discharges_need_a_gp_home_care_or_community_nursing_service_under_pressure(loaded):
    with programme_session(loaded) as (session, programme):
        discharges(session, TUE_15_DEC, ["30"])
        discharges(session, FRI_18_DEC, ["45"])
        capacity(session, "volunteers", "vcs", FRI_18_DEC, 4)
        capacity(session, "council", "reablement", FRI_18_DEC, 4)
        assert by_rule(findings(session, programme, FRI_18_DEC), "discharges_outpacing") == {}
        capacity(session, "nurses", "community_nursing", D(2026, 12, 17), 3)
        assert set(by_rule(findings(session, programme, FRI_18_DEC), "discharges_outpacing")) == {"rules-fund"}


def test_discharges_compared_working_days_apart_across_christmas(loaded):
    """Latest figure Mon 4 Jan; three working days before it is Tue 29 Dec."""
    with programme_session(loaded) as (session, programme):
        discharges(session, D(2026, 12, 29), ["30"])
        discharges(session, D(2026, 12, 30), ["60"])
        discharges(session, MON_4_JAN, ["40"])
        capacity(session, "surgery", "gp", MON_4_JAN, 3)
        found = by_rule(findings(session, programme, MON_4_JAN), "discharges_outpacing")
        assert "from 30 on Tue 29 Dec 2026 to 40 on Mon 4 Jan 2027" in found["rules-fund"].detail


# --- spend flags ----------------------------------------------------------------------------------


def spend(session: Session, key: str, day: date, actual: str, committed: str, activity: str) -> None:
    scheme = session.exec(select(Scheme).where(Scheme.key == key)).one()
    session.add(
        SpendReport(
            programme_id=scheme.programme_id,
            scheme_id=scheme.id,
            local_date=day,
            actual=Decimal(actual),
            committed=Decimal(committed),
            activity=Decimal(activity),
            reported_at=at(day, 11),
        )
    )
    session.flush()


def test_spend_flags_become_risks(loaded):
    with programme_session(loaded) as (session, programme):
        spend(session, "hours", D(2026, 12, 31), "95000", "0", "10")  # over its £90,000 budget; behind plan
        spend(session, "staff", D(2026, 12, 31), "1000", "340000", "0")  # over budget and the allocation
        # "beds" never reported: silent, and behind plan
        flags = {(f.rule, f.subject) for f in spend_position(session, programme, MON_4_JAN).flags}
        # Nothing was spent in December: the underspend flag, raised on Fri 11 Dec, needs three
        # working days at or above its threshold to clear, and 31 Dec is one.
        assert flags == {
            ("underspend_risk", "rules-fund"),
            ("overcommitted", "rules-fund"),
            ("overcommitted", "hours"),
            ("overcommitted", "staff"),
            ("activity_behind_plan", "hours"),
            ("activity_behind_plan", "staff"),
            ("activity_behind_plan", "beds"),
            ("silent_scheme", "beds"),
        }
        found = {
            (f.rule, f.subject): f
            for f in findings(session, programme, MON_4_JAN)
            if f.subject in {"rules-fund", "hours", "staff", "beds"}
        }
        brightside, council = org(session, "brightside").id, org(session, "council").id
        assert {k: (f.severity, f.owner_organisation_id) for k, f in found.items()} == {
            ("underspend_risk", "rules-fund"): (Severity.HIGH, None),
            ("overcommitted", "rules-fund"): (Severity.HIGH, None),
            ("overcommitted", "hours"): (Severity.MEDIUM, brightside),
            ("overcommitted", "staff"): (Severity.MEDIUM, brightside),
            ("activity_behind_plan", "hours"): (Severity.LOW, brightside),
            ("recruitment_behind_plan", "staff"): (Severity.MEDIUM, brightside),
            ("activity_behind_plan", "beds"): (Severity.LOW, council),
            ("silent_scheme", "beds"): (Severity.LOW, council),
        }
        assert found[("overcommitted", "rules-fund")].detail.startswith("Overcommitted: spent and committed")
        assert found[("recruitment_behind_plan", "staff")].title == "Care workers recruited: recruitment behind plan"
        assert found[("silent_scheme", "beds")].title == "Step-down beds: no spend reported"


def test_underspend_risk_is_high_and_unowned(loaded):
    with programme_session(loaded) as (session, programme):
        for key in ["hours", "staff", "beds"]:
            spend(session, key, D(2026, 12, 31), "1000", "0", "1000")
        found = by_rule(findings(session, programme, MON_4_JAN), "underspend_risk")
        assert set(found) == {"rules-fund"}
        assert (found["rules-fund"].severity, found["rules-fund"].owner_organisation_id) == (Severity.HIGH, None)
        assert found["rules-fund"].detail.startswith("Underspend risk (raised Fri 11 Dec): at the recent run rate")
        # Raised after 30 working days below, not the default 3: not yet, on 4 Jan.
        thresholds(session, programme, underspend_after_working_days=30)
        assert by_rule(findings(session, programme, MON_4_JAN), "underspend_risk") == {}
