"""The programme file: every mistake refused with its location and its line, and how the problems
read."""

from __future__ import annotations

import pytest
from programme_file_support import FIXTURES, MINIMAL, edited, line_of, only_problem, problems

from bot.programme.file import (
    Problem,
    ProgrammeFile,
    ProgrammeFileError,
    parse_programme_file,
)

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
    ("{slack: U0TEST0002,", "{", "members[1]", "Bob Partner", ["say how to reach this member", "email: <address>"]),
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
