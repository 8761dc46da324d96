"""The programme file: the optional measures per service."""

from __future__ import annotations

import pytest
from programme_file_support import MINIMAL, line_of, only_problem, problems

from bot.programme.file import (
    ProgrammeFile,
    ProgrammeFileError,
    parse_programme_file,
    sample_text,
)
from models.vocabulary import Service

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
        "home_care": ["hours_not_delivered", "people_waiting", "packages_booked"],
        "gp": ["same_day_capacity_used"],
        "vcs": ["referrals_turned_away"],
        "community_nursing": ["visits_deferred"],
        "acute_discharge": ["discharges", "discharges_p0", "discharges_p1", "discharges_p2", "discharges_p3"],
    }
    assert spec.measures[Service.GP][0].unit == "%"
