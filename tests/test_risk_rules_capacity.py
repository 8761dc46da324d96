"""The risk rules on SQLite and PostgreSQL: their settings, capacity levels at and below the alert
level, escalation of the same risk, and worsening counted in England's working days across
Christmas and New Year 2026/27."""

from __future__ import annotations

import pytest
from risk_rules_support import (
    MON_4_JAN,
    WED_16_DEC,
    D,
    at,
    by_rule,
    capacity,
    keep_reporting,
    loaded,  # noqa: F401 (fixtures)
    org,
    programme_session,
    thresholds,
)
from sqlmodel import select

from bot.risks.scan import findings, scan
from bot.risks.terms import RuleSettings
from models.tables import Risk
from models.vocabulary import RiskStatus, Severity

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
