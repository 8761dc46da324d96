"""The programme file: the minimal file and the sample, what it accepts, and its channels on
Slack and on Teams."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

from programme_file_support import MINIMAL, edited, line_of, only_problem

from bot.programme.file import (
    SAMPLE_PATH,
    parse_programme_file,
    sample_text,
)
from models.vocabulary import STATUTORY_KINDS, OrganisationKind, Platform, Role, SchemeType, Service, Unit


def test_the_minimal_file_parses():
    spec = parse_programme_file(MINIMAL, "minimal.yaml")
    assert spec.programme.slug == "test-fund"
    assert spec.programme.timezone == "Europe/London"
    assert spec.programme.cadence.digest == (4, time(15, 0))
    assert spec.allocation == Decimal("300000")
    assert spec.organisations[1].services == [Service.HOME_CARE]
    assert spec.members[0].platform is Platform.SLACK and spec.members[0].user_id == "U0TEST0001"
    assert spec.source == "minimal.yaml"
    assert spec.warnings() == []


# The sample -------------------------------------------------------------------------------


def test_the_sample_parses_and_is_what_an_area_needs():
    spec = parse_programme_file(sample_text(), str(SAMPLE_PATH))
    programme = spec.programme
    assert programme.deadline == date(2027, 3, 31)
    assert programme.cadence.checkin == time(9, 30) and programme.cadence.reminder == time(14, 0)
    assert {t.source.value for t in programme.tranches} == {"local_authority_grant", "icb_allocation"}
    assert min(t.available for t in programme.tranches).month == 12
    assert any(t.announced.year == 2027 and t.announced.month == 1 for t in programme.tranches)
    assert Decimal("2000000") <= spec.allocation <= Decimal("6000000")
    assert spec.budgeted <= spec.allocation

    kinds = [o.kind for o in spec.organisations]
    assert {OrganisationKind.LOCAL_AUTHORITY, OrganisationKind.ACUTE_TRUST, OrganisationKind.ICB} <= set(kinds)
    assert sum(kind not in STATUTORY_KINDS for kind in kinds) >= 8
    assert kinds.count(OrganisationKind.VCS) >= 2 and kinds.count(OrganisationKind.HOME_CARE) >= 2
    statutory = {o.key for o in spec.organisations if o.kind in STATUTORY_KINDS}
    leads = {m.organisation for m in spec.members if m.role is Role.LEAD}
    assert statutory <= leads
    assert {Role.ADMIN, Role.LEAD, Role.PARTNER, Role.OBSERVER} <= {m.role for m in spec.members}
    assert len(spec.members) >= 18

    assert len(spec.schemes) >= 8
    units = {s.unit for s in spec.schemes}
    assert {Unit.HOURS, Unit.BED_WEEKS, Unit.STAFF_WTE, Unit.PEOPLE, Unit.EQUIPMENT_ITEMS, Unit.SESSIONS} <= units
    admin = sum(s.budget for s in spec.schemes if s.type is SchemeType.ADMINISTRATION)
    assert 0 < admin <= spec.allocation * Decimal("0.02")
    assert spec.warnings() == []


def test_the_sample_explains_itself_in_comments():
    text = sample_text()
    comments = [line for line in text.splitlines() if line.lstrip().startswith("#")]
    assert len(comments) >= 40
    for word in ("deadline", "tranche", "services", "role", "unit", "--prune"):
        assert word in "\n".join(comments)


# What it accepts --------------------------------------------------------------------------


def test_unquoted_times_are_times_not_base_60_numbers():
    text = edited(
        "  channel: C0TEST", "  channel: C0TEST\n  cadence: {checkin: 9:15, reminder: 14:00, digest: Mon 10:00}"
    )
    cadence = parse_programme_file(text).programme.cadence
    assert cadence.checkin == time(9, 15)
    assert cadence.reminder == time(14, 0)
    assert cadence.digest == (0, time(10, 0))


def test_words_are_read_leniently():
    text = edited("kind: home_care}", "kind: Home Care, services: [Home-Care]}")
    text = edited("role: lead}", "role: LEAD}", text)
    spec = parse_programme_file(text)
    assert spec.organisations[1].kind is OrganisationKind.HOME_CARE
    assert spec.organisations[1].services == [Service.HOME_CARE]
    assert spec.members[0].role is Role.LEAD


def test_a_teams_member():
    spec = parse_programme_file(edited("{slack: U0TEST0002,", "{teams: 29:1AbCdEf-9,"))
    assert spec.members[1].platform is Platform.TEAMS
    assert spec.members[1].user_id == "29:1AbCdEf-9"


def test_services_default_to_the_kind_and_can_be_none():
    spec = parse_programme_file(edited("kind: local_authority}", "kind: local_authority, services: []}"))
    assert spec.organisations[0].services == []
    assert spec.organisations[1].services == [Service.HOME_CARE]


def test_empty_members_and_schemes_are_allowed():
    text = MINIMAL.split("members:")[0] + "members:\nschemes:\n"
    spec = parse_programme_file(text)
    assert spec.members == [] and spec.schemes == []


def test_thresholds_have_defaults_and_can_be_set():
    assert parse_programme_file(MINIMAL).programme.thresholds.underspend_risk_percent == 90
    text = edited("  channel: C0TEST", "  channel: C0TEST\n  thresholds: {underspend_risk_percent: 80}")
    assert parse_programme_file(text).programme.thresholds.underspend_risk_percent == 80
    bad = edited("  channel: C0TEST", "  channel: C0TEST\n  thresholds: {capacity_alert_level: 5}")
    assert only_problem(bad).location == "programme.thresholds.capacity_alert_level"


def test_the_new_thresholds_have_defaults_and_limits():
    thresholds = parse_programme_file(MINIMAL).programme.thresholds
    assert (thresholds.worsening_over_working_days, thresholds.discharges_rising_over_working_days) == (3, 3)
    assert thresholds.escalate_from == "high"
    text = edited(
        "  channel: C0TEST",
        "  channel: C0TEST\n  thresholds: {escalate_from: Critical, worsening_over_working_days: 20}",
    )
    assert parse_programme_file(text).programme.thresholds.model_dump(mode="json")["escalate_from"] == "critical"
    for written, field in (
        ("escalate_from: severe", "escalate_from"),
        ("worsening_over_working_days: 0", "worsening_over_working_days"),
        ("discharges_rising_over_working_days: 21", "discharges_rising_over_working_days"),
    ):
        problem = only_problem(edited("  channel: C0TEST", f"  channel: C0TEST\n  thresholds: {{{written}}}"))
        assert problem.location == f"programme.thresholds.{field}" and problem.line == 7
    assert (
        "use one of low, medium, high, critical"
        in only_problem(edited("  channel: C0TEST", "  channel: C0TEST\n  thresholds: {escalate_from: severe}")).message
    )


def test_administration_over_the_cap_is_a_warning_not_an_error():
    text = edited("    type: bed_based_intermediate_care", "    type: administration")
    spec = parse_programme_file(text, "area.yaml")
    [warning] = spec.warnings()
    assert warning.location == "schemes" and "2%" in warning.message
    assert warning.line == line_of(text, "schemes:")


# Channels on Slack and on Teams -------------------------------------------------------------


def test_a_teams_only_programme_needs_no_slack_channel():
    text = edited("  channel: C0TEST\n", '  teams_channel: "19:vale@thread.tacv2"\n')
    spec = parse_programme_file(text, "area.yaml")
    assert spec.programme.channel is None and spec.programme.teams_channel == "19:vale@thread.tacv2"


def test_a_programme_with_no_channel_at_all_is_told_to_give_one():
    problem = only_problem(edited("  channel: C0TEST\n", ""))
    assert "`channel:`" in problem.message and "`teams_channel:`" in problem.message
    assert problem.line == line_of(MINIMAL, "programme:")


def test_teams_channels_are_stored_with_the_programme(engine):
    from sqlmodel import select

    from bot.programme.loader import load_programme
    from bot.sending.escalations import leads_destinations, programme_destinations
    from models.db import session_scope
    from models.tables import Programme

    text = edited("  channel: C0TEST\n", '  channel: C0TEST\n  teams_channel: "19:vale@thread.tacv2"\n')
    load_programme(engine, parse_programme_file(text, "area.yaml"))
    with session_scope(engine) as session:
        programme = session.exec(select(Programme)).one()
        assert [(d.platform, d.address) for d in programme_destinations(programme)] == [
            ("slack", "C0TEST"),
            ("teams", "19:vale@thread.tacv2"),
        ]
        assert [(d.platform, d.address) for d in leads_destinations(programme)] == [
            ("slack", "C0TEST"),
            ("teams", "19:vale@thread.tacv2"),
        ]
