"""The risk rules as pure functions of their readings: no database, no programme file."""

from __future__ import annotations

from datetime import date

from bot.risks.capacity_rules import (
    at_alert,
    below_alert,
    capacity_findings,
    discharge_findings,
    pressed_services,
    worsening_findings,
)
from bot.risks.readings import run_start
from bot.risks.silence_rules import silent_partner_findings, silent_service_findings
from bot.risks.terms import Report, RuleSettings
from models.tables import Member, Organisation
from models.vocabulary import Severity

SETTINGS = RuleSettings()
START = date(2026, 12, 7)  # a Monday
TODAY = date(2026, 12, 17)  # the Thursday of the next week
CARE = Organisation(id=1, programme_id=1, key="care", name="Brightside Care", kind="home_care", services=["home_care"])
COUNCIL = Organisation(id=2, programme_id=1, key="council", name="Council", kind="local_authority", services=["gp"])
LIVE = {1: CARE, 2: COUNCIL}


def report(organisation: int, service: str, day: date, level: int, **measures: str) -> Report:
    return Report(organisation, service, day, level, dict(measures))


def test_a_service_at_level_4_is_critical_and_names_when_its_run_began():
    recent = {(1, "home_care"): report(1, "home_care", TODAY, 4), (2, "gp"): report(2, "gp", TODAY, 2)}
    alerting = at_alert(recent, SETTINGS)
    found = capacity_findings(alerting, {(1, "home_care"): date(2026, 12, 14)}, LIVE)
    assert [(f.rule, f.subject, f.severity, f.owner_organisation_id) for f in found] == [
        ("capacity", "care:home_care", Severity.CRITICAL, 1)
    ]
    assert "since Mon 14 Dec 2026" in found[0].detail


def test_worsening_needs_a_whole_level_and_a_level_to_compare_with():
    recent = {(1, "home_care"): report(1, "home_care", TODAY, 2), (2, "gp"): report(2, "gp", TODAY, 2)}
    earlier = {(1, "home_care"): report(1, "home_care", START, 1)}
    found = worsening_findings(below_alert(recent, SETTINGS), earlier, LIVE, SETTINGS)
    assert [(f.subject, f.severity) for f in found] == [("care:home_care", Severity.MEDIUM)]
    assert "level 1 to 2" in found[0].title


def test_a_run_is_not_broken_by_days_without_a_report():
    days = {d: report(1, "home_care", d, level) for d, level in ((START, 2), (date(2026, 12, 9), 3), (TODAY, 3))}
    assert run_start(days, days[TODAY]) == (date(2026, 12, 9), True)
    assert run_start({TODAY: days[TODAY]}, days[TODAY]) == (TODAY, False)


def test_silence_is_medium_for_a_community_organisation_and_low_for_a_statutory_one():
    found = silent_service_findings(TODAY, START, SETTINGS, LIVE, {(1, "home_care"): date(2026, 12, 11)})
    assert [(f.subject, f.severity) for f in found] == [
        ("care:home_care", Severity.MEDIUM),
        ("council:gp", Severity.LOW),
    ]
    assert "since the programme started on Mon 7 Dec 2026" in found[1].detail


def test_a_partner_back_from_leave_is_counted_from_the_day_they_came_back():
    back = Member(id=7, programme_id=1, organisation_id=1, name="Asha", role="partner", away_until=date(2026, 12, 15))
    away = Member(id=8, programme_id=1, organisation_id=1, name="Ben", role="partner", away_until=date(2026, 12, 18))
    quiet = Member(id=9, programme_id=1, organisation_id=1, name="Cy", role="partner")
    found = silent_partner_findings(TODAY, START, SETTINGS, LIVE, [back, away, quiet], {})
    assert [f.subject for f in found] == ["member:9"]
    assert silent_partner_findings(date(2026, 12, 18), START, SETTINGS, LIVE, [back], {})[0].detail.endswith(
        "back from leave on Tue 15 Dec 2026 (3 working days or more)."
    )


def test_discharges_rising_while_community_capacity_is_pressed():
    recent = {(1, "home_care"): report(1, "home_care", TODAY, 3)}
    pressed = pressed_services(recent, SETTINGS, LIVE)
    daily = {
        (1, "home_care"): {
            date(2026, 12, 14): report(1, "home_care", date(2026, 12, 14), 3, discharges="10"),
            TODAY: report(1, "home_care", TODAY, 3, discharges="12.5"),
        }
    }
    found = discharge_findings("fund", TODAY, START, SETTINGS, LIVE, pressed, daily)
    assert [(f.rule, f.subject, f.owner_organisation_id) for f in found] == [("discharges_outpacing", "fund", None)]
    assert "rose from 10 on Mon 14 Dec 2026 to 12.5 on Thu 17 Dec 2026" in found[0].detail
    assert discharge_findings("fund", TODAY, START, SETTINGS, LIVE, [], daily) == []
