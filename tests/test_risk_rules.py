"""The risk rules on SQLite and PostgreSQL: capacity levels at and below the alert level,
escalation of the same risk, worsening and silence counted in England's working days across
Christmas and New Year 2026/27, away and archived people and organisations, discharges rising
against community capacity, the spend flags as risks, and no NHS number in a risk."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlmodel import Session, select

from bot.common.redact import REPLACEMENT
from bot.programme.loader import load_path
from bot.risks.register import Finding
from bot.risks.scan import findings, scan
from bot.risks.terms import RuleSettings
from bot.spend.ledger import spend_position
from models.db import session_scope
from models.tables import CapacityReport, CheckIn, Member, Organisation, Programme, Risk, Scheme, SpendReport
from models.vocabulary import RiskStatus, Severity

PROGRAMME = Path(__file__).with_name("fixtures") / "rules.yaml"
D = date
START = D(2026, 12, 7)  # the money lands on a Monday


@pytest.fixture
def loaded(engine):
    load_path(engine, PROGRAMME)
    return engine


@contextmanager
def programme_session(engine) -> Iterator[tuple[Session, Programme]]:
    with session_scope(engine) as session:
        yield session, session.exec(select(Programme).where(Programme.slug == "rules-fund")).one()


def org(session: Session, key: str) -> Organisation:
    return session.exec(select(Organisation).where(Organisation.key == key)).one()


def member(session: Session, user_id: str) -> Member:
    return session.exec(select(Member).where(Member.platform_user_id == user_id)).one()


def at(day: date, hour: int = 15, minute: int = 0) -> datetime:
    """An instant on a winter day (London is on GMT then, so UTC is local time)."""
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


def capacity(
    session: Session,
    org_key: str,
    service: str,
    day: date,
    level: int,
    measures: dict[str, str] | None = None,
    minute: int = 0,
    reported: datetime | None = None,
) -> None:
    o = org(session, org_key)
    session.add(
        CapacityReport(
            programme_id=o.programme_id,
            organisation_id=o.id,
            service=service,
            local_date=day,
            level=level,
            measures=measures or {},
            reported_at=reported or at(day, 10, minute),
        )
    )
    session.flush()


def checkin(session: Session, user_id: str, day: date) -> None:
    m = member(session, user_id)
    session.add(
        CheckIn(
            programme_id=m.programme_id,
            member_id=m.id,
            organisation_id=m.organisation_id,
            local_date=day,
            submitted_at=at(day, 10),
        )
    )
    session.flush()


def thresholds(session: Session, programme: Programme, **values: int) -> None:
    programme.settings = {**programme.settings, "thresholds": {**programme.settings.get("thresholds", {}), **values}}
    session.add(programme)
    session.flush()


def by_rule(found: list[Finding], rule: str) -> dict[str, Finding]:
    return {f.subject: f for f in found if f.rule == rule}


def keep_reporting(session: Session, today: date, *, but: set[str] = frozenset()) -> None:
    """Every listed service reports level 1 today, so nothing is silent but what a test says."""
    for o in session.exec(select(Organisation)).all():
        for service in o.services:
            if f"{o.key}:{service}" not in but:
                capacity(session, o.key, service, today, 1, minute=1)


# --- settings ------------------------------------------------------------------------------------


def test_settings_default_when_absent_and_read_when_given(loaded):
    with programme_session(loaded) as (session, programme):
        assert RuleSettings.of(programme) == RuleSettings(3, 3, 3, 3, 90)
        programme.settings = {}
        assert RuleSettings.of(programme) == RuleSettings()
        programme.settings = {
            "thresholds": {
                "capacity_alert_level": 4,
                "worsening_over_working_days": 5,
                "silent_after_working_days": None,
            }
        }
        settings = RuleSettings.of(programme)
        assert (settings.capacity_alert_level, settings.worsening_over_working_days) == (4, 5)
        assert settings.silent_after_working_days == 3
        session.rollback()


# --- capacity ------------------------------------------------------------------------------------

WED_16_DEC = D(2026, 12, 16)


@pytest.mark.parametrize("level, severity", [(1, None), (2, None), (3, Severity.HIGH), (4, Severity.CRITICAL)])
def test_capacity_at_and_below_the_alert_level(loaded, level, severity):
    with programme_session(loaded) as (session, programme):
        capacity(session, "brightside", "home_care", WED_16_DEC, level)
        found = by_rule(findings(session, programme, WED_16_DEC), "capacity")
        if severity is None:
            assert found == {}
        else:
            assert set(found) == {"brightside:home_care"}
            assert found["brightside:home_care"].severity is severity


def test_capacity_finding_words_and_owner(loaded):
    with programme_session(loaded) as (session, programme):
        capacity(session, "brightside", "home_care", D(2026, 12, 14), 3)
        capacity(session, "brightside", "home_care", D(2026, 12, 15), 4)
        capacity(session, "brightside", "home_care", WED_16_DEC, 4)
        finding = by_rule(findings(session, programme, WED_16_DEC), "capacity")["brightside:home_care"]
        assert finding.title == "Brightside Home Care: home care at level 4"
        assert "unable to deliver comprehensive care" in finding.detail
        assert "since Tue 15 Dec 2026" in finding.detail  # the run at level 4 began on the 15th
        assert finding.owner_organisation_id == org(session, "brightside").id


@pytest.mark.parametrize("level, capacity_severity, worsening", [(3, None, True), (4, Severity.CRITICAL, False)])
def test_alert_level_set_to_4(loaded, level, capacity_severity, worsening):
    with programme_session(loaded) as (session, programme):
        thresholds(session, programme, capacity_alert_level=4)
        capacity(session, "surgery", "gp", D(2026, 12, 10), 1)
        capacity(session, "surgery", "gp", WED_16_DEC, level)
        found = findings(session, programme, WED_16_DEC)
        got = by_rule(found, "capacity").get("surgery:gp")
        assert (got.severity if got else None) is capacity_severity
        assert ("surgery:gp" in by_rule(found, "capacity_worsening")) is worsening


def test_an_amended_answer_and_a_later_day_override_an_earlier_level(loaded):
    with programme_session(loaded) as (session, programme):
        capacity(session, "brightside", "home_care", WED_16_DEC, 4, minute=0)
        capacity(session, "brightside", "home_care", WED_16_DEC, 2, minute=5)  # amended the same day
        capacity(session, "nurses", "community_nursing", D(2026, 12, 15), 4)
        capacity(session, "nurses", "community_nursing", WED_16_DEC, 2)
        assert by_rule(findings(session, programme, WED_16_DEC), "capacity") == {}
        capacity(session, "brightside", "home_care", WED_16_DEC, 3, minute=9)  # amended again
        assert set(by_rule(findings(session, programme, WED_16_DEC), "capacity")) == {"brightside:home_care"}


def test_a_late_entry_for_an_earlier_day_does_not_override_a_later_day(loaded):
    with programme_session(loaded) as (session, programme):
        capacity(session, "brightside", "home_care", WED_16_DEC, 2)
        capacity(session, "brightside", "home_care", D(2026, 12, 15), 4, reported=at(WED_16_DEC, 12))
        assert by_rule(findings(session, programme, WED_16_DEC), "capacity") == {}


def test_a_report_dated_after_today_does_not_count(loaded):
    with programme_session(loaded) as (session, programme):
        capacity(session, "brightside", "home_care", D(2026, 12, 15), 2)
        capacity(session, "brightside", "home_care", D(2026, 12, 17), 4)
        assert by_rule(findings(session, programme, WED_16_DEC), "capacity") == {}


@pytest.mark.parametrize("today, capacity_risk, silent", [(D(2026, 12, 15), True, False), (WED_16_DEC, False, True)])
def test_a_stale_level_is_the_silent_rules_business(loaded, today, capacity_risk, silent):
    """Level 4 on Thu 10 Dec: on Tue 15 Dec two working days have passed without a report
    (Fri 11, Mon 14), on Wed 16 Dec three."""
    with programme_session(loaded) as (session, programme):
        capacity(session, "brightside", "home_care", D(2026, 12, 10), 4)
        found = findings(session, programme, today)
        assert ("brightside:home_care" in by_rule(found, "capacity")) is capacity_risk
        assert ("brightside:home_care" in by_rule(found, "silent_service")) is silent


def test_3_to_4_escalates_the_same_risk_and_the_same_answer_tomorrow_changes_nothing(loaded):
    days = [D(2026, 12, 14), D(2026, 12, 15), WED_16_DEC]
    outcomes = []
    for day, level in zip(days, [3, 4, 4], strict=False):
        with programme_session(loaded) as (session, programme):
            capacity(session, "brightside", "home_care", day, level)
            result = scan(session, programme, at(day))
            outcomes += [r for f, r in result.outcomes if (f.rule, f.subject) == ("capacity", "brightside:home_care")]
    first, second, third = outcomes
    assert (first.outcome, first.escalated, first.severity) == ("new", True, Severity.HIGH)
    assert (second.risk_id, second.outcome, second.escalated) == (first.risk_id, "updated", True)
    assert (second.previous_severity, second.severity) == (Severity.HIGH, Severity.CRITICAL)
    assert (third.risk_id, third.outcome, third.escalated) == (first.risk_id, "unchanged", False)
    with programme_session(loaded) as (session, _):
        risks = session.exec(select(Risk).where(Risk.rule == "capacity")).all()
        assert [(r.subject, r.severity, r.title) for r in risks] == [
            ("brightside:home_care", "critical", "Brightside Home Care: home care at level 4")
        ]


def test_a_scan_is_idempotent_and_a_cleared_condition_leaves_the_risk(loaded):
    with programme_session(loaded) as (session, programme):
        capacity(session, "brightside", "home_care", WED_16_DEC, 4)
        first = scan(session, programme, at(WED_16_DEC))
        again = scan(session, programme, at(WED_16_DEC))
    assert first.new == len(first.raised) > 1 and first.updated == first.unchanged == 0
    assert (again.new, again.updated, again.unchanged) == (0, 0, first.new)
    assert [r[0] for r in again.raised] == [r[0] for r in first.raised]
    assert not again.escalated
    thu = D(2026, 12, 17)
    with programme_session(loaded) as (session, programme):
        keep_reporting(session, thu)
        scan(session, programme, at(thu))
        risk = session.exec(select(Risk).where(Risk.rule == "capacity")).one()
        assert (risk.status, risk.severity) == (RiskStatus.OPEN.value, "critical")


# --- worsening across Christmas -------------------------------------------------------------------
# Working days: Wed 23, Thu 24, (Fri 25, Mon 28 bank holidays), Tue 29, Wed 30, Thu 31 Dec,
# (Fri 1 Jan bank holiday), Mon 4 Jan. Three working days before Mon 4 Jan is Tue 29 Dec.

MON_4_JAN = D(2027, 1, 4)


def test_worsening_counts_working_days_across_the_bank_holidays(loaded):
    with programme_session(loaded) as (session, programme):
        capacity(session, "surgery", "gp", D(2026, 12, 29), 1)
        capacity(session, "surgery", "gp", D(2026, 12, 30), 2)
        capacity(session, "surgery", "gp", MON_4_JAN, 2)
        found = by_rule(findings(session, programme, MON_4_JAN), "capacity_worsening")
        assert set(found) == {"surgery:gp"}  # level 1 on Tue 29 Dec; weekdays alone would say Wed 30 (level 2)
        assert found["surgery:gp"].severity is Severity.MEDIUM
        assert found["surgery:gp"].title == "Riverside Surgery: general practice worsening, level 1 to 2"
        assert found["surgery:gp"].owner_organisation_id == org(session, "surgery").id
        tue = D(2027, 1, 5)
        capacity(session, "surgery", "gp", tue, 2)
        assert by_rule(findings(session, programme, tue), "capacity_worsening") == {}  # Wed 30 Dec: level 2


def test_worsening_needs_a_whole_level_and_stops_at_the_alert_level(loaded):
    with programme_session(loaded) as (session, programme):
        for key, service in [("surgery", "gp"), ("nurses", "community_nursing"), ("brightside", "home_care")]:
            capacity(session, key, service, D(2026, 12, 29), 2 if key == "surgery" else 1)
        capacity(session, "surgery", "gp", MON_4_JAN, 2)  # level: 2 then 2
        capacity(session, "nurses", "community_nursing", MON_4_JAN, 2)  # 1 then 2
        capacity(session, "brightside", "home_care", MON_4_JAN, 3)  # 1 then 3: a capacity risk instead
        found = findings(session, programme, MON_4_JAN)
        assert set(by_rule(found, "capacity_worsening")) == {"nurses:community_nursing"}
        assert set(by_rule(found, "capacity")) == {"brightside:home_care"}


def test_no_worsening_without_an_earlier_level(loaded):
    with programme_session(loaded) as (session, programme):
        capacity(session, "surgery", "gp", D(2026, 12, 30), 2)
        assert by_rule(findings(session, programme, MON_4_JAN), "capacity_worsening") == {}


# --- silence ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("today, silent", [(D(2026, 12, 31), False), (MON_4_JAN, True)])
def test_silent_service_across_the_weekend_and_bank_holidays(loaded, today, silent):
    """Last report Thu 24 Dec: by Thu 31 Dec two working days have passed (Tue 29, Wed 30),
    by Mon 4 Jan three (Thu 31 too), though eleven calendar days."""
    with programme_session(loaded) as (session, programme):
        keep_reporting(session, D(2026, 12, 24))
        keep_reporting(session, today, but={"brightside:home_care", "council:reablement"})
        found = by_rule(findings(session, programme, today), "silent_service")
        if not silent:
            assert found == {}
            return
        assert set(found) == {"brightside:home_care", "council:reablement"}
        assert found["brightside:home_care"].severity is Severity.MEDIUM  # community
        assert found["council:reablement"].severity is Severity.LOW  # statutory
        assert found["brightside:home_care"].title == "Brightside Home Care: no home care capacity report"
        assert "since Thu 24 Dec 2026" in found["brightside:home_care"].detail
        assert found["council:reablement"].owner_organisation_id == org(session, "council").id


@pytest.mark.parametrize("today, silent", [(D(2026, 12, 9), False), (D(2026, 12, 10), True)])
def test_a_service_never_reported_is_counted_from_the_start(loaded, today, silent):
    with programme_session(loaded) as (session, programme):
        found = by_rule(findings(session, programme, today), "silent_service")
        assert bool(found) is silent
        if silent:
            assert len(found) == 6
            assert "since the programme started on Mon 7 Dec 2026" in found["surgery:gp"].detail


def test_an_archived_organisation_and_an_unlisted_service_are_not_silent(loaded):
    with programme_session(loaded) as (session, programme):
        volunteers = org(session, "volunteers")
        volunteers.archived_at = at(D(2026, 12, 8))
        session.add(volunteers)
        capacity(session, "volunteers", "vcs", D(2026, 12, 14), 4)
        session.flush()
        found = findings(session, programme, D(2026, 12, 14))
        subjects = {(f.rule, f.subject) for f in found}
        assert ("silent_service", "volunteers:vcs") not in subjects
        assert ("capacity", "volunteers:vcs") not in subjects
        assert ("silent_partner", f"member:{member(session, 'U0RULE0006').id}") not in subjects
        assert ("silent_service", "brightside:home_care") in subjects  # the others are
        assert not any(s.endswith(":care_home") for _, s in subjects)


@pytest.mark.parametrize("today, silent", [(D(2026, 12, 31), False), (MON_4_JAN, True)])
def test_silent_partner_across_the_weekend_and_bank_holidays(loaded, today, silent):
    with programme_session(loaded) as (session, programme):
        for user in ["U0RULE0002", "U0RULE0003", "U0RULE0004", "U0RULE0005", "U0RULE0006"]:
            checkin(session, user, D(2026, 12, 24))
        for user in ["U0RULE0003", "U0RULE0004", "U0RULE0006"]:
            checkin(session, user, today)
        bob, tom = member(session, "U0RULE0002"), member(session, "U0RULE0005")
        found = by_rule(findings(session, programme, today), "silent_partner")
        if not silent:
            assert found == {}
            return
        assert set(found) == {f"member:{bob.id}", f"member:{tom.id}"}
        assert found[f"member:{bob.id}"].severity is Severity.MEDIUM
        assert found[f"member:{tom.id}"].severity is Severity.LOW  # an acute trust is statutory
        assert found[f"member:{bob.id}"].title == "Bob Partner (Brightside Home Care) has not checked in"
        assert found[f"member:{bob.id}"].owner_organisation_id == org(session, "brightside").id


def test_leads_and_observers_are_never_silent_partners(loaded):
    with programme_session(loaded) as (session, programme):
        found = by_rule(findings(session, programme, WED_16_DEC), "silent_partner")
        expected = {
            member(session, u).id for u in ["U0RULE0002", "U0RULE0003", "U0RULE0004", "U0RULE0005", "U0RULE0006"]
        }
        assert set(found) == {f"member:{i}" for i in expected}


@pytest.mark.parametrize(
    "away_until, silent",
    [
        (D(2027, 1, 5), False),  # still away today
        (MON_4_JAN, False),  # back today: nothing counted yet
        (D(2026, 12, 30), False),  # back Wed 30 Dec: Wed 30 and Thu 31 count, two days
        (D(2026, 12, 29), True),  # back Tue 29 Dec: three working days
        (D(2026, 12, 21), True),  # back before the last check-in: the absence does not matter
    ],
)
def test_an_away_partner_is_not_silent_while_away(loaded, away_until, silent):
    with programme_session(loaded) as (session, programme):
        checkin(session, "U0RULE0002", D(2026, 12, 24))
        bob = member(session, "U0RULE0002")
        bob.away_until = away_until
        session.add(bob)
        session.flush()
        found = by_rule(findings(session, programme, MON_4_JAN), "silent_partner")
        assert (f"member:{bob.id}" in found) is silent


def test_an_archived_partner_is_not_silent(loaded):
    with programme_session(loaded) as (session, programme):
        bob = member(session, "U0RULE0002")
        bob.archived_at = at(D(2026, 12, 8))
        session.add(bob)
        session.flush()
        assert f"member:{bob.id}" not in by_rule(findings(session, programme, WED_16_DEC), "silent_partner")


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
        assert flags == {
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
        assert found["rules-fund"].detail.startswith("Underspend risk: at the recent run rate")
        thresholds(session, programme, underspend_risk_percent=1)
        assert by_rule(findings(session, programme, MON_4_JAN), "underspend_risk") == {}


# --- days with no rules, and no NHS number ------------------------------------------------------------


@pytest.mark.parametrize("today", [D(2026, 12, 19), D(2026, 12, 25), D(2026, 12, 28), D(2027, 4, 1)])
def test_nothing_on_a_day_off_or_after_the_deadline(loaded, today):
    with programme_session(loaded) as (session, programme):
        capacity(session, "brightside", "home_care", today - timedelta(days=1), 4)
        assert findings(session, programme, today) == []
        result = scan(session, programme, at(today))
        assert (result.new, result.updated, result.unchanged, result.raised) == (0, 0, 0, ())


def test_a_name_with_an_nhs_number_never_reaches_the_register(loaded):
    with programme_session(loaded) as (session, programme):
        bob = member(session, "U0RULE0002")
        bob.name = "Bob 943 476 5919"
        session.add(bob)
        session.flush()
        result = scan(session, programme, at(WED_16_DEC))
        raised = [r for f, r in result.outcomes if f.subject == f"member:{bob.id}"]
        assert len(raised) == 1 and raised[0].redactions == 2  # the title and the detail
        risk = session.get(Risk, raised[0].risk_id)
        assert "943 476 5919" not in risk.title + (risk.detail or "")
        assert risk.title == f"Bob {REPLACEMENT} (Brightside Home Care) has not checked in"


# --- a fixed handful of queries ---------------------------------------------------------------------


def queries(engine, today: date) -> int:
    statements: list[str] = []

    def count(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    with programme_session(engine) as (session, programme):
        event.listen(engine, "before_cursor_execute", count)
        try:
            findings(session, programme, today)
        finally:
            event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def test_the_number_of_queries_does_not_grow_with_days_or_organisations(loaded):
    with programme_session(loaded) as (session, _):
        capacity(session, "brightside", "home_care", D(2026, 12, 8), 3, {"discharges": "3"})
        capacity(session, "surgery", "gp", D(2026, 12, 8), 3)
    few = queries(loaded, D(2026, 12, 9))
    with programme_session(loaded) as (session, _):
        day = D(2026, 12, 9)
        while day <= D(2027, 1, 8):
            for key, service in [("brightside", "home_care"), ("surgery", "gp"), ("nurses", "community_nursing")]:
                capacity(session, key, service, day, 3, {"discharges": str(day.day)})
            day += timedelta(days=1)
    many = queries(loaded, D(2027, 1, 8))
    assert many == few <= 15  # 15 today, six of them for the spend flags, two to find when a run began


# --- cost that follows the recent weeks ----------------------------------------------------------


def test_a_run_longer_than_the_lookback_still_says_when_it_began(loaded):
    """The capacity rule reads the last weeks first; a run that began before them is followed
    back through the whole history, so the detail names its real first day."""
    with programme_session(loaded) as (session, programme):
        capacity(session, "brightside", "home_care", D(2026, 12, 8), 2)
        day = D(2026, 12, 9)
        while day <= D(2027, 2, 26):
            capacity(session, "brightside", "home_care", day, 3)
            day += timedelta(days=1)
        found = by_rule(findings(session, programme, D(2027, 2, 26)), "capacity")
    assert "since Wed 9 Dec 2026" in found["brightside:home_care"].detail


def test_a_run_broken_within_the_lookback_starts_after_the_break(loaded):
    with programme_session(loaded) as (session, programme):
        day = D(2026, 12, 8)
        while day <= D(2027, 2, 26):
            capacity(session, "brightside", "home_care", day, 2 if day == D(2027, 2, 10) else 3)
            day += timedelta(days=1)
        found = by_rule(findings(session, programme, D(2027, 2, 26)), "capacity")
    assert "since Thu 11 Feb 2027" in found["brightside:home_care"].detail


def test_a_service_silent_for_months_is_named_with_its_last_report(loaded):
    """Reports from before the rules' window still date a long silence."""
    with programme_session(loaded) as (session, programme):
        capacity(session, "surgery", "gp", D(2026, 12, 9), 2)
        found = by_rule(findings(session, programme, D(2027, 2, 26)), "silent_service")
    assert "since Wed 9 Dec 2026" in found["surgery:gp"].detail


def test_worsening_after_a_silence_compares_with_the_last_level_before_it(loaded):
    with programme_session(loaded) as (session, programme):
        keep_reporting(session, D(2027, 2, 26), but={"brightside:home_care"})
        capacity(session, "brightside", "home_care", D(2026, 12, 9), 1)
        capacity(session, "brightside", "home_care", D(2027, 2, 26), 2)
        found = by_rule(findings(session, programme, D(2027, 2, 26)), "capacity_worsening")
    assert "up from level 1" in found["brightside:home_care"].detail


def statements_of(engine, work) -> list[str]:
    seen: list[str] = []

    def count(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        with programme_session(engine) as (session, programme):
            work(session, programme)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return seen


def test_raising_many_risks_takes_a_fixed_handful_of_statements(loaded):
    """The first scan inserts every new risk together; a scan that changes nothing writes nothing."""

    def scanned(session: Session, programme: Programme) -> None:
        scan(session, programme, at(D(2027, 1, 20)))

    first = statements_of(loaded, scanned)
    again = statements_of(loaded, scanned)
    with programme_session(loaded) as (session, _):
        risks = session.exec(select(Risk)).all()
    assert len(risks) >= 5, "the silent services and partners of the whole programme are raised"
    writes = [s for s in first if s.lstrip().upper().startswith(("INSERT", "UPDATE"))]
    assert len(writes) <= 3, [w[:60] for w in writes]
    assert not [s for s in again if s.lstrip().upper().startswith(("INSERT", "UPDATE"))]
    assert len(again) == len(first) - len(writes) - sum(1 for s in first if "SAVEPOINT" in s.upper())
