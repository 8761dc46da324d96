"""Loading a programme file: create, update in place, prune, and all or nothing."""

from __future__ import annotations

from datetime import time
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError, StatementError
from sqlmodel import SQLModel, col, select

from bot.programme.file import (
    SAMPLE_PATH,
    ProgrammeFile,
    ProgrammeFileError,
    parse_programme_file,
    sample_text,
)
from bot.programme.loader import ACTION, ACTOR, load_path, load_programme
from models import AuditEvent, Member, Organisation, Programme, Scheme, Tranche, session_scope

FIXTURES = Path(__file__).with_name("fixtures")
MINIMAL = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")
SLUG = "vale-winter-2026"


def spec_of(text: str, source: str = "area.yaml") -> ProgrammeFile:
    return parse_programme_file(text, source)


def edited(old: str, new: str, text: str | None = None) -> str:
    text = sample_text() if text is None else text
    assert text.count(old) == 1, f"{old!r} is not once in the file"
    return text.replace(old, new)


def snapshot(engine, *, without: tuple[str, ...] = ()) -> dict[str, list[tuple]]:
    """Every row of every table, to show that nothing at all changed."""
    with engine.connect() as conn:
        return {
            table.name: sorted((tuple(row) for row in conn.execute(table.select())), key=repr)
            for table in SQLModel.metadata.sorted_tables
            if table.name not in without
        }


def count(engine, model) -> int:
    with session_scope(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def live(engine, model) -> list:
    with session_scope(engine) as session:
        return list(session.exec(select(model).where(col(model.archived_at).is_(None))).all())


def one(engine, model, **where):
    with session_scope(engine) as session:
        query = select(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return session.exec(query).one()


# Creating ---------------------------------------------------------------------------------


def test_the_sample_loads(engine):
    report = load_path(engine, SAMPLE_PATH)
    spec = spec_of(sample_text())
    assert report.programme_created and report.changed
    assert {kind: r.counts()["created"] for kind, r in report.kinds.items()} == {
        "tranches": len(spec.programme.tranches),
        "organisations": len(spec.organisations),
        "members": len(spec.members),
        "schemes": len(spec.schemes),
    }
    programme = one(engine, Programme, slug=SLUG)
    assert programme.timezone == "Europe/London"
    assert (programme.checkin_time, programme.reminder_time, programme.brief_time) == (
        time(9, 30),
        time(14),
        time(8, 30),
    )
    assert (programme.digest_weekday, programme.digest_time) == (4, time(15))
    assert programme.leads_channel == "C0VALELEADS"
    assert programme.settings["thresholds"]["underspend_risk_percent"] == 90
    assert count(engine, Scheme) == len(spec.schemes)

    scheme = one(engine, Scheme, key="programme-administration")
    owner = one(engine, Organisation, id=scheme.owner_organisation_id)
    assert owner.key == "vale-icb"
    assert (scheme.budget, scheme.planned, scheme.unit) == (Decimal("70000.00"), Decimal("1.50"), "staff_wte")
    tranches = live(engine, Tranche)
    assert sum(t.amount for t in tranches) == spec.allocation == Decimal("3700000.00")
    member = one(engine, Member, platform_user_id="U0VALE00020")
    assert (member.platform, member.role) == ("slack", "observer")
    assert one(engine, Organisation, key="vale-council").services == ["reablement"]


def test_the_report_reads_well(engine):
    lines = load_path(engine, SAMPLE_PATH).lines()
    assert lines[0].startswith(f"Created programme {SLUG}")
    assert "  schemes: 14 created" in lines
    assert any(line.startswith("Money: £3,700,000.00 in tranches") for line in lines)


def test_a_load_is_audited(engine):
    load_path(engine, SAMPLE_PATH)
    load_path(engine, SAMPLE_PATH)
    with session_scope(engine) as session:
        events = session.exec(select(AuditEvent).order_by(col(AuditEvent.id))).all()
    assert [(e.actor, e.action, e.subject) for e in events] == [(ACTOR, ACTION, SLUG)] * 2
    assert events[0].detail["programme"] == "created"
    assert events[0].detail["counts"]["members"]["created"] == 20
    assert events[1].detail["programme"] == "unchanged"
    assert events[1].detail["counts"]["members"] == {
        "created": 0,
        "updated": 0,
        "restored": 0,
        "archived": 0,
        "unchanged": 20,
        "not_in_file": 0,
    }


# Loading again ----------------------------------------------------------------------------


def test_loading_twice_changes_nothing(engine):
    load_path(engine, SAMPLE_PATH)
    before = snapshot(engine, without=("audit_event",))
    report = load_path(engine, SAMPLE_PATH)
    assert not report.changed
    assert not report.programme_created and report.programme_changes == []
    for kind in report.kinds.values():
        assert (kind.counts()["created"], kind.counts()["updated"], kind.counts()["archived"]) == (0, 0, 0)
    assert "no changes" in report.lines()[0].lower()
    assert snapshot(engine, without=("audit_event",)) == before


def test_a_changed_budget_is_updated_in_place(engine):
    load_path(engine, SAMPLE_PATH)
    first = one(engine, Scheme, key="home-care-hours")
    stamped = one(engine, Programme, slug=SLUG).updated_at
    text = edited('budget: "£420,000"', 'budget: "£400,000.50"')
    report = load_programme(engine, spec_of(text))
    assert report.changed
    assert report.kinds["schemes"].updated == {"home-care-hours": ["budget"]}
    assert report.kinds["schemes"].unchanged == 13
    assert not report.kinds["members"].changed
    after = one(engine, Scheme, key="home-care-hours")
    assert after.id == first.id and after.budget == Decimal("400000.50")
    assert count(engine, Scheme) == 14
    assert one(engine, Programme, slug=SLUG).updated_at > stamped
    assert any("home-care-hours: budget" in line for line in report.lines())


def test_updated_at_moves_only_when_something_changed(engine):
    load_path(engine, SAMPLE_PATH)
    stamped = one(engine, Programme, slug=SLUG).updated_at
    load_path(engine, SAMPLE_PATH)
    assert one(engine, Programme, slug=SLUG).updated_at == stamped


def test_programme_fields_and_thresholds_update(engine):
    load_path(engine, SAMPLE_PATH)
    text = edited('digest: "Friday 15:00"', 'digest: "Thursday 16:30"')
    text = edited("underspend_risk_percent: 90", "underspend_risk_percent: 85", text)
    report = load_programme(engine, spec_of(text))
    assert report.programme_changes == ["cadence.digest", "thresholds"]
    programme = one(engine, Programme, slug=SLUG)
    assert (programme.digest_weekday, programme.digest_time) == (3, time(16, 30))
    assert programme.settings["thresholds"]["underspend_risk_percent"] == 85


def test_measures_are_stored_in_settings_in_file_order(engine):
    load_path(engine, SAMPLE_PATH)
    measures = one(engine, Programme, slug=SLUG).settings["measures"]
    assert list(measures) == ["home_care", "gp", "vcs", "community_nursing", "acute_discharge"]
    assert measures["home_care"] == [
        {"key": "hours_not_delivered", "label": "Care hours that could not be delivered yesterday", "unit": "hours"},
        {"key": "people_waiting", "label": "People waiting for a package of care", "unit": "people"},
        {"key": "packages_booked", "label": "Packages of care booked since your last check-in", "unit": "packages"},
    ]
    assert measures["acute_discharge"][0] == {
        "key": "discharges",
        "label": "People discharged yesterday",
        "unit": "people",
    }
    assert [m["key"] for m in measures["acute_discharge"][1:]] == [f"discharges_p{n}" for n in range(4)]
    thresholds = one(engine, Programme, slug=SLUG).settings["thresholds"]
    assert thresholds["escalate_from"] == "high"
    assert thresholds["worsening_over_working_days"] == thresholds["discharges_rising_over_working_days"] == 3


def test_a_changed_measure_is_reported_and_a_reload_changes_nothing(engine):
    load_path(engine, SAMPLE_PATH)
    text = edited("label: Visits deferred yesterday, unit: visits", "label: Visits put off yesterday")
    report = load_programme(engine, spec_of(text))
    assert report.programme_changes == ["measures"] and report.changed
    assert "changed measures" in report.lines()[0]
    stored = one(engine, Programme, slug=SLUG).settings["measures"]["community_nursing"]
    assert stored == [{"key": "visits_deferred", "label": "Visits put off yesterday", "unit": None}]
    again = load_programme(engine, spec_of(text))
    assert again.programme_changes == [] and not again.changed


def test_a_file_without_measures_clears_them(engine):
    load_path(engine, SAMPLE_PATH)
    start, end = sample_text().index("measures:\n"), sample_text().index("# The people")
    report = load_programme(engine, spec_of(sample_text()[:start] + sample_text()[end:]))
    assert report.programme_changes == ["measures"]
    assert one(engine, Programme, slug=SLUG).settings["measures"] == {}


def test_a_programme_loaded_before_measures_existed_reloads_without_a_change(engine):
    load_programme(engine, spec_of(MINIMAL))
    with session_scope(engine) as session:
        programme = session.exec(select(Programme).where(Programme.slug == "test-fund")).one()
        programme.settings = {"thresholds": programme.settings["thresholds"]}
    assert not load_programme(engine, spec_of(MINIMAL)).changed


def test_a_member_who_moves_organisation_is_updated(engine):
    load_path(engine, SAMPLE_PATH)
    text = edited("name: Lucy Chen, organisation: vale-north-pcn", "name: Lucy Chen, organisation: vale-icb")
    report = load_programme(engine, spec_of(text))
    assert report.kinds["members"].updated == {"Lucy Chen (U0VALE00015)": ["organisation"]}
    member = one(engine, Member, platform_user_id="U0VALE00015")
    assert member.organisation_id == one(engine, Organisation, key="vale-icb").id


def test_settings_kept_by_others_survive_a_load(engine):
    load_path(engine, SAMPLE_PATH)
    with session_scope(engine) as session:
        programme = session.exec(select(Programme).where(Programme.slug == SLUG)).one()
        programme.settings = {**programme.settings, "other": {"kept": True}}
    load_path(engine, SAMPLE_PATH)
    assert one(engine, Programme, slug=SLUG).settings["other"] == {"kept": True}


# Rows missing from the file ---------------------------------------------------------------

OBSERVER = "  - {slack: U0VALE00020, name: Graham Taylor, organisation: healthwatch-vale, role: observer}\n"
HOSPICE_SCHEME = """  - key: hospice-at-home
    name: Rapid end-of-life discharge with hospice at home care
    owner: st-aidans-hospice
    type: home_care
    source: icb_allocation
    budget: "£120,000"
    unit: packages
    planned: 80
"""


def without_two() -> str:
    return edited(HOSPICE_SCHEME, "", edited(OBSERVER, ""))


def test_without_prune_missing_rows_are_left_as_they_were(engine):
    load_path(engine, SAMPLE_PATH)
    before = snapshot(engine, without=("audit_event",))
    report = load_programme(engine, spec_of(without_two()))
    assert not report.changed
    assert (report.kinds["members"].not_in_file, report.kinds["schemes"].not_in_file) == (1, 1)
    assert any("not in the file, left as they were" in line for line in report.lines())
    assert snapshot(engine, without=("audit_event",)) == before


def test_prune_archives_and_a_later_file_restores(engine):
    load_path(engine, SAMPLE_PATH)
    report = load_programme(engine, spec_of(without_two()), prune=True)
    assert report.kinds["members"].archived == ["Graham Taylor (U0VALE00020)"]
    assert report.kinds["schemes"].archived == ["hospice-at-home"]
    assert count(engine, Member) == 20 and len(live(engine, Member)) == 19
    assert one(engine, Scheme, key="hospice-at-home").archived_at is not None

    again = load_programme(engine, spec_of(without_two()), prune=True)
    assert not again.changed

    restored = load_path(engine, SAMPLE_PATH)
    assert restored.kinds["members"].restored == ["Graham Taylor (U0VALE00020)"]
    assert restored.kinds["schemes"].restored == ["hospice-at-home"]
    assert len(live(engine, Member)) == 20 and len(live(engine, Scheme)) == 14
    assert one(engine, Scheme, key="hospice-at-home").archived_at is None
    assert count(engine, Scheme) == 14


def test_two_programmes_live_side_by_side(engine):
    load_path(engine, SAMPLE_PATH)
    report = load_programme(engine, spec_of(MINIMAL), prune=True)
    assert report.programme_created
    assert not any(kind.archived for kind in report.kinds.values())
    assert count(engine, Programme) == 2
    assert len(live(engine, Scheme)) == 14 + 2


# All or nothing ---------------------------------------------------------------------------


def test_a_bad_file_leaves_the_database_exactly_as_it_was(engine, tmp_path):
    empty = snapshot(engine)
    bad = tmp_path / "bad.yaml"
    bad.write_text(edited("role: observer}", "role: boss}"), encoding="utf-8")
    with pytest.raises(ProgrammeFileError):
        load_path(engine, bad)
    assert snapshot(engine) == empty

    load_path(engine, SAMPLE_PATH)
    loaded = snapshot(engine)
    with pytest.raises(ProgrammeFileError) as caught:
        load_path(engine, bad)
    assert caught.value.problems[0].source == str(bad)
    assert snapshot(engine) == loaded


def test_a_failure_while_loading_rolls_everything_back(engine):
    """Checks pass, then the database refuses a value half-way: nothing of the load remains."""
    spec = spec_of(sample_text())
    spec.schemes[-1].budget = Decimal("0.001")
    empty = snapshot(engine)
    with pytest.raises(StatementError):
        load_programme(engine, spec)
    assert snapshot(engine) == empty


def test_a_constraint_failure_on_an_update_rolls_everything_back(engine):
    load_path(engine, SAMPLE_PATH)
    loaded = snapshot(engine)
    spec = spec_of(edited('budget: "£420,000"', 'budget: "£400,000"'))
    spec.programme.name = "Renamed"
    newcomer = spec.members[0].model_copy(update={"slack": "U0VALE00099", "name": "New starter"})
    spec.members += [newcomer, newcomer.model_copy(update={"name": "The same id again"})]
    with pytest.raises(IntegrityError):
        load_programme(engine, spec)
    assert snapshot(engine) == loaded
    assert one(engine, Programme, slug=SLUG).name != "Renamed"


def test_an_unreadable_file_is_a_programme_file_error(engine, tmp_path):
    with pytest.raises(ProgrammeFileError) as caught:
        load_path(engine, tmp_path / "nowhere.yaml")
    assert "cannot read" in str(caught.value)
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"\xff\xfe\x00programme")
    with pytest.raises(ProgrammeFileError) as caught:
        load_path(engine, binary)
    assert "UTF-8" in str(caught.value)
    assert count(engine, Programme) == 0
