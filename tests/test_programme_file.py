"""The programme file: what it accepts, and how it says what to fix."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.common.money import format_money
from bot.programme.file import (
    SAMPLE_PATH,
    Problem,
    ProgrammeFile,
    ProgrammeFileError,
    parse_money,
    parse_programme_file,
    sample_text,
)
from models.vocabulary import STATUTORY_KINDS, OrganisationKind, Platform, Role, SchemeType, Service, Unit

FIXTURES = Path(__file__).with_name("fixtures")
MINIMAL = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")


def edited(old: str, new: str, text: str = MINIMAL) -> str:
    assert text.count(old) == 1, f"{old!r} is not once in the file"
    return text.replace(old, new)


def problems(text: str) -> list[Problem]:
    with pytest.raises(ProgrammeFileError) as caught:
        parse_programme_file(text, "area.yaml")
    return caught.value.problems


def line_of(text: str, needle: str, *, last: bool = False) -> int:
    found = [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]
    return found[-1] if last else found[0]


def only_problem(text: str) -> Problem:
    found = problems(text)
    assert len(found) == 1, "\n".join(map(str, found))
    return found[0]


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


# Every mistake, with its line ---------------------------------------------------------------

CASES = [
    # (old, new, location, text on the line it is on (the last such line), words the message must contain)
    ("  slug: test-fund", "  slug: Test Fund", "programme.slug", "slug:", ["lower-case"]),
    ("  deadline: 2027-03-31", "  deadline: 2027-02-30", "programme.deadline", "deadline:", ["YYYY-MM-DD"]),
    ("  deadline: 2027-03-31", "  deadline: 31/03/2027", "programme.deadline", "deadline:", ["not a date"]),
    (
        "  channel: C0TEST",
        "  channel: C0TEST\n  timezone: Europe/Londn",
        "programme.timezone",
        "timezone:",
        ["Europe/London"],
    ),
    (
        "  channel: C0TEST",
        '  channel: C0TEST\n  cadence: {checkin: "25:00"}',
        "programme.cadence.checkin",
        "cadence:",
        ["24-hour"],
    ),
    (
        "  channel: C0TEST",
        "  channel: C0TEST\n  cadence: {digest: Funday 15:00}",
        "programme.cadence.digest",
        "cadence:",
        ["day of the week"],
    ),
    (
        "  channel: C0TEST",
        '  channel: C0TEST\n  cadence: {checkin: "09:30", reminder: "09:00"}',
        "programme.cadence.reminder",
        "cadence:",
        ["after the check-in"],
    ),
    ("      amount: 100000", "      amount: -100000", "programme.tranches[0].amount", "amount: -100000", ["negative"]),
    ("      amount: 100000", "      amount: 0", "programme.tranches[0].amount", "amount: 0", ["more than £0"]),
    (
        "source: icb_allocation, announced",
        "source: lottery, announced",
        "programme.tranches[1].source",
        "key: icb,",
        ["local_authority_grant, icb_allocation, other"],
    ),
    (
        "      available: 2026-12-07",
        "      available: 2027-04-01",
        "programme.tranches[0].available",
        "available: 2027-04-01",
        ["after the spend deadline 2027-03-31"],
    ),
    (
        "      announced: 2026-11-16",
        "      announced: 2026-12-16",
        "programme.tranches[0].available",
        "      available: 2026-12-07",
        ["before it is announced (2026-12-16)"],
    ),
    (
        "{key: icb, name: ICB",
        "{key: la, name: ICB",
        "programme.tranches[1].key",
        "name: ICB",
        ["given twice", "line 8"],
    ),
    (
        "amount: 200000, source",
        "amount: £1,200,000, source",
        "programme.tranches[1]",
        "key: icb,",
        ["quote values that contain commas"],
    ),
    (
        "kind: home_care}",
        "kind: domiciliary}",
        "organisations[1].kind",
        "key: carers,",
        ["'domiciliary'", "local_authority, acute_trust, icb, vcs, home_care"],
    ),
    (
        "kind: home_care}",
        "kind: home_care, services: [home_care, nursing]}",
        "organisations[1].services[1]",
        "key: carers,",
        ["'nursing'", "community_nursing"],
    ),
    (
        "kind: home_care}",
        "kind: home_care, services: [home_care, home_care]}",
        "organisations[1].services",
        "key: carers,",
        ["more than once"],
    ),
    (
        "kind: home_care}",
        "kind: home_care}\n  - {key: council, name: Again, kind: icb}",
        "organisations[2].key",
        "name: Again",
        ["organisation key 'council' is given twice"],
    ),
    ("role: partner}", "role: boss}", "members[1].role", "Bob Partner", ["'boss'", "admin, lead, partner, observer"]),
    (
        "organisation: carers, role",
        "organisation: carerz, role",
        "members[1].organisation",
        "Bob Partner",
        ["'carerz'", "did you mean 'carers'"],
    ),
    ("{slack: U0TEST0002,", "{slack: U0TEST0002, teams: 29:abc,", "members[1]", "Bob Partner", ["both"]),
    ("{slack: U0TEST0002,", "{", "members[1]", "Bob Partner", ["neither"]),
    ("{slack: U0TEST0002,", "{slack: bob,", "members[1].slack", "Bob Partner", ["Slack user id"]),
    (
        "{slack: U0TEST0002,",
        "{slack: U0TEST0001,",
        "members[1].slack",
        "Bob Partner",
        ["Slack user 'U0TEST0001' is given twice", "line 19"],
    ),
    ("    owner: carers", "    owner: carer", "schemes[0].owner", "owner: carer", ["did you mean 'carers'"]),
    (
        "    type: home_care",
        "    type: domiciliary",
        "schemes[0].type",
        "type: domiciliary",
        ["'domiciliary'", "bed_based_intermediate_care"],
    ),
    ("    unit: hours", "    unit: hourz", "schemes[0].unit", "unit: hourz", ["did you mean hours", "bed_weeks"]),
    ("    budget: 90000", "    budget: -90000", "schemes[0].budget", "budget: -90000", ["negative"]),
    ("    budget: 90000", "    budget: 900.001", "schemes[0].budget", "budget: 900.001", ["penny"]),
    ("    budget: 90000", "    budget: lots", "schemes[0].budget", "budget: lots", ["not an amount"]),
    ("    planned: 3000", "    planned: 0", "schemes[0].planned", "planned: 0", ["more than 0"]),
    ("    planned: 3000", "    planned: 30.125", "schemes[0].planned", "planned: 30.125", ["two decimal places"]),
    ("    budget: 90000", "    budgt: 90000", "schemes[0].budgt", "budgt:", ["did you mean `budget`"]),
    ("    budget: 90000\n", "", "schemes[0].budget", "key: hours", ["`budget` is missing"]),
    (
        "    budget: 90000",
        "    budget: 90000\n    budget: 80000",
        "schemes[0].budget",
        "budget: 80000",
        ["given twice", "line 27"],
    ),
    ("  - key: beds", "  - key: hours", "schemes[1].key", "key: hours", ["scheme key 'hours' is given twice"]),
    (
        "    source: icb_allocation\n    budget: 150000",
        "    source: other\n    budget: 150000",
        "schemes[1].source",
        "source: other",
        ["no tranche is funded by other"],
    ),
    (
        "    budget: 90000",
        "    budget: 100000.01",
        "schemes",
        "schemes:",
        ["local_authority_grant add up to £100,000.01", "more than the £100,000.00", "£0.01 over"],
    ),
    ("schemes:", "scheme:", "scheme", "scheme:", ["did you mean `schemes`"]),
]


@pytest.mark.parametrize("old, new, location, needle, words", CASES, ids=[f"{c[2]}:{c[1].strip()[:30]}" for c in CASES])
def test_a_mistake_is_refused_with_its_location_and_line(old, new, location, needle, words):
    text = edited(old, new)
    found = problems(text)
    matching = [p for p in found if p.location == location]
    assert matching, f"no problem at {location}: " + "\n".join(map(str, found))
    problem = matching[0]
    assert problem.line == line_of(text, needle, last=True), str(problem)
    for word in words:
        assert word in problem.message, str(problem)
    assert problem.source == "area.yaml"


def test_three_mistakes_are_three_problems_in_line_order():
    found = problems((FIXTURES / "three_mistakes.yaml").read_text(encoding="utf-8"))
    assert [(p.line, p.location) for p in found] == [
        (11, "organisations[1].kind"),
        (14, "members[1].organisation"),
        (23, "schemes[0].planned"),
    ]


def test_mistakes_in_every_section_are_all_listed():
    text = edited("  deadline: 2027-03-31", "  deadline: 2027-13-01")
    text = edited("kind: home_care}", "kind: charity}", text)
    text = edited("role: lead}", "role: chief}", text)
    text = edited("    unit: bed_weeks", "    unit: beds_weeks", text)
    text = edited("    owner: carers", "    owner: nobody", text)
    found = problems(text)
    assert [p.location for p in found] == [
        "programme.deadline",
        "organisations[1].kind",
        "members[0].role",
        "schemes[0].owner",
        "schemes[1].unit",
    ]


def test_an_invalid_item_does_not_hide_a_reference_to_it():
    """A bad organisation's key still counts, so its members are not reported as orphans."""
    found = problems(edited("kind: home_care}", "kind: charity}"))
    assert [p.location for p in found] == ["organisations[1].kind"]


def test_malformed_yaml_gives_the_line_yaml_stopped_at():
    text = edited("kind: local_authority}", "kind: local_authority")
    problem = only_problem(text)
    assert problem.line == line_of(text, "key: carers")
    assert problem.location == ""
    assert "not valid YAML" in problem.message
    assert f"started on line {line_of(text, 'key: council')}" in problem.message


def test_a_tab_is_named():
    problem = only_problem(edited("    owner: carers", "\towner: carers"))
    assert problem.line == line_of(MINIMAL, "owner: carers")
    assert "tabs" in problem.message


@pytest.mark.parametrize(
    "text, words",
    [
        ("", "empty"),
        ("# only a comment\n", "empty"),
        ("- a\n- b\n", "sections"),
        ("programme: x\norganisations: []\n", "`programme` is missing or empty"),
    ],
)
def test_a_file_without_the_sections(text, words):
    found = problems(text)
    assert any(words in p.message for p in found), "\n".join(map(str, found))


def test_problems_read_as_file_line_location_message():
    problem = Problem(line=12, location="schemes[3].owner", message="no such organisation", source="area.yaml")
    assert str(problem) == "area.yaml:12: schemes[3].owner: no such organisation"
    assert str(Problem(None, "", "cannot read", "x.yaml")) == "x.yaml: cannot read"
    error = ProgrammeFileError([problem, problem], "area.yaml")
    assert str(error).startswith("2 problems in area.yaml:")


def test_a_programme_file_built_in_code_is_checked_too():
    data = parse_programme_file(MINIMAL).model_dump()
    data["schemes"][0]["owner"] = "nobody"
    with pytest.raises(ProgrammeFileError) as caught:
        ProgrammeFile.model_validate(data)
    assert [p.location for p in caught.value.problems] == ["schemes[0].owner"]


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


# Money, exact to the penny ----------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    ['"£1,234,567.89"', "1234567.89", '"1234567.89"', "£1,234,567.89", "1_234_567.89", '" £ 1,234,567.89 "'],
)
def test_money_is_exact_to_the_penny(written):
    text = edited("      amount: 100000", f"      amount: {written}")
    assert parse_programme_file(text).programme.tranches[0].amount == Decimal("1234567.89")


def test_an_unquoted_decimal_never_passes_through_float():
    # 0.1 + 0.2 style: as a float 1200000.10 would not survive sums exactly.
    text = edited("      amount: 100000", "      amount: 1200000.10")
    amount = parse_programme_file(text).programme.tranches[0].amount
    assert isinstance(amount, Decimal) and amount == Decimal("1200000.10")


@pytest.mark.parametrize("written", ["1234567.891", '"£1,234,567.891"', "0.001"])
def test_more_than_two_decimal_places_are_refused(written):
    problem = only_problem(edited("      amount: 100000", f"      amount: {written}"))
    assert problem.location == "programme.tranches[0].amount"
    assert "penny" in problem.message


@pytest.mark.parametrize("written", ["1e6", ".inf", ".nan", "[1]", "true", "2026-12-01"])
def test_things_that_are_not_money_are_refused(written):
    problem = only_problem(edited("      amount: 100000", f"      amount: {written}"))
    assert problem.location == "programme.tranches[0].amount"


pennies = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999999999.99"), places=2)


@given(pennies)
def test_money_written_any_way_reads_back_exactly(amount):
    for written in (f"{amount}", f'"{amount}"', f'"{format_money(amount, pence=True)}"'):
        text = edited("      amount: 100000", f"      amount: {written}")
        text = edited(
            "    source: local_authority_grant\n    budget: 90000", "    source: icb_allocation\n    budget: 0", text
        )
        assert parse_programme_file(text).programme.tranches[0].amount == amount


@given(st.decimals(min_value=Decimal("0"), max_value=Decimal("999999999.99"), places=2))
def test_parse_money_round_trips_format_money(amount):
    assert parse_money(format_money(amount, pence=True)) == amount
    assert parse_money(str(amount)) == amount


# Measures ---------------------------------------------------------------------------------

MEASURES = """measures:
  Home care:
    - {key: hours_not_delivered, label: Care hours that could not be delivered yesterday, unit: hours}
    - key: people_waiting
      label: People waiting for a package of care
  reablement:
    - {key: starts, label: Reablement starts yesterday, unit: "%"}
"""


def test_measures_are_optional():
    assert parse_programme_file(MINIMAL).measures == {}
    assert parse_programme_file(MINIMAL + "measures:\n").measures == {}


def test_measures_parse_per_service_in_file_order():
    spec = parse_programme_file(MINIMAL + MEASURES)
    assert list(spec.measures) == [Service.HOME_CARE, Service.REABLEMENT]
    first, second = spec.measures[Service.HOME_CARE]
    assert (first.key, first.label, first.unit) == (
        "hours_not_delivered",
        "Care hours that could not be delivered yesterday",
        "hours",
    )
    assert (second.key, second.unit) == ("people_waiting", None)
    assert spec.measures[Service.REABLEMENT][0].unit == "%"
    assert spec.warnings() == []


def test_measures_for_a_service_nobody_reports_are_a_warning():
    text = MINIMAL + "measures:\n  gp:\n    - {key: same_day, label: Same-day appointments used}\n"
    [warning] = parse_programme_file(text, "area.yaml").warnings()
    assert warning.location == "measures.gp" and "no organisation reports gp" in warning.message
    assert warning.line == line_of(text, "  gp:")


def test_every_bad_measure_is_reported_on_its_line():
    bad = (
        MINIMAL
        + """measures:
  home_care:
    - {key: hours_not_delivered, label: Care hours that could not be delivered yesterday, unit: hours}
    - {key: hours_not_delivered, label: Again}
    - {key: Bad Key, label: Spaces}
    - {key: fine, label: Fine, colour: red}
    - {key: long, label: "%s"}
    - {label: No key}
  gpp:
    - {key: same_day, label: Same-day}
  vcs:
  reablement: 3
"""
        % ("x" * 71)
    )
    found = {p.location: p for p in problems(bad)}
    assert set(found) == {
        "measures.home_care",
        "measures.home_care[1].key",
        "measures.home_care[2].key",
        "measures.home_care[3].colour",
        "measures.home_care[4].label",
        "measures.home_care[5].key",
        "measures.gpp",
        "measures.vcs",
        "measures.reablement",
    }
    assert "6 measures: give at most 5" in found["measures.home_care"].message
    assert found["measures.home_care"].line == line_of(bad, "  home_care:")
    duplicate = found["measures.home_care[1].key"]
    assert duplicate.line == line_of(bad, "label: Again")
    assert f"first at line {line_of(bad, 'unit: hours}')}" in duplicate.message
    assert "hours_not_delivered" in found["measures.home_care[2].key"].message
    assert found["measures.home_care[2].key"].line == line_of(bad, "Bad Key")
    assert "keep it to 70 characters" in found["measures.home_care[4].label"].message
    assert found["measures.home_care[5].key"].message == "`key` is missing"
    assert "did you mean gp?" in found["measures.gpp"].message and found["measures.gpp"].line == line_of(bad, "gpp:")
    assert "at least one measure" in found["measures.vcs"].message
    assert "should be a list" in found["measures.reablement"].message
    assert str(found["measures.gpp"]).startswith(f"area.yaml:{line_of(bad, 'gpp:')}: measures.gpp: unknown service")


def test_a_service_written_two_ways_is_listed_once():
    text = MINIMAL + "measures:\n  home-care:\n    - {key: a, label: A}\n  home_care:\n    - {key: b, label: B}\n"
    problem = only_problem(text)
    assert problem.location == "measures.home_care" and "same service as 'home-care'" in problem.message


def test_measures_must_be_a_mapping():
    problem = only_problem(MINIMAL + "measures: [home_care]\n")
    assert problem.location == "measures" and "mapping of `service:` lines" in problem.message


def test_a_file_built_in_code_is_checked_too():
    spec = parse_programme_file(MINIMAL + MEASURES)
    data = spec.model_dump()
    data["measures"]["home_care"] = data["measures"]["home_care"] * 3
    with pytest.raises(ProgrammeFileError, match="6 measures"):
        ProgrammeFile.model_validate(data)
    data["measures"]["home_care"] = data["measures"]["home_care"][:2] + data["measures"]["home_care"][:1]
    with pytest.raises(ProgrammeFileError, match="measure key 'hours_not_delivered' is given twice"):
        ProgrammeFile.model_validate(data)


def test_the_sample_defines_the_measures_the_rules_read():
    spec = parse_programme_file(sample_text())
    keys = {service.value: [m.key for m in measures] for service, measures in spec.measures.items()}
    assert keys == {
        "home_care": ["hours_not_delivered", "people_waiting"],
        "gp": ["same_day_capacity_used"],
        "vcs": ["referrals_turned_away"],
        "community_nursing": ["visits_deferred"],
        "acute_discharge": ["discharges"],
    }
    assert spec.measures[Service.GP][0].unit == "%"


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
