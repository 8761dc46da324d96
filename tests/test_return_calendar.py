"""The return's calendar and its lines in the programme file: how they are written, the mistakes
refused with their line, the warnings, what the loader keeps, and the calendar read back."""

from __future__ import annotations

from datetime import date

import pytest
from programme_file_support import MINIMAL, edited, line_of, only_problem
from return_support import PROGRAMME, SLUG
from sqlmodel import select

from bot.programme.file import parse_programme_file, sample_text
from bot.programme.loader import load_programme
from bot.spend.return_calendar import NotAPeriodEnd, ReturnCalendar, return_calendar
from models.db import session_scope
from models.tables import Programme

CALENDAR = """  channel: C0TEST
  fortnightly_return:
    first_period_end: 2026-12-13
"""


def with_calendar(extra: str = "", first: str = "2026-12-13") -> str:
    return edited("  channel: C0TEST\n", CALENDAR.replace("2026-12-13", first) + extra)


def test_the_calendar_is_optional_and_a_fortnight_unless_told():
    assert parse_programme_file(MINIMAL).programme.fortnightly_return is None
    spec = parse_programme_file(with_calendar()).programme.fortnightly_return
    assert spec is not None and (spec.first_period_end, spec.every_days) == (date(2026, 12, 13), 14)
    assert all(refs == [] for refs in spec.lines.fed().values())


def test_the_sample_maps_every_line_to_a_measure_it_asks():
    spec = parse_programme_file(sample_text())
    calendar = spec.programme.fortnightly_return
    assert calendar is not None and calendar.first_period_end == date(2026, 12, 13)
    assert calendar.lines.fed() == {
        "discharges_pathway_0": ["acute_discharge.discharges_p0"],
        "discharges_pathway_1": ["acute_discharge.discharges_p1"],
        "discharges_pathway_2": ["acute_discharge.discharges_p2"],
        "discharges_pathway_3": ["acute_discharge.discharges_p3"],
        "packages_booked": ["home_care.packages_booked"],
    }
    assert spec.warnings() == []


def test_a_line_takes_one_measure_or_a_list_and_service_names_as_people_write_them():
    text = with_calendar("    lines:\n      packages_booked: [Home care.packages_booked, reablement.packages_booked]\n")
    calendar = parse_programme_file(text).programme.fortnightly_return
    assert calendar is not None
    assert calendar.lines.packages_booked == ["home_care.packages_booked", "reablement.packages_booked"]


@pytest.mark.parametrize(
    "extra, where, words",
    [
        ("    every_days: 0\n", "fortnightly_return.every_days", "greater than or equal to 1"),
        ("    evry_days: 14\n", "fortnightly_return.evry_days", "did you mean `every_days`?"),
        ("    lines:\n      discharges_p0: acute_discharge.x\n", "lines.discharges_p0", "the fields here are: disch"),
        ("    lines:\n      packages_booked: home_care\n", "lines.packages_booked[0]", "joined by a dot"),
        ("    lines:\n      packages_booked: [homecare.p]\n", "lines.packages_booked[0]", "unknown service 'homecare'"),
        ("    lines:\n      packages_booked: [home_care.Bad Key]\n", "packages_booked[0]", "not a usable measure key"),
    ],
)
def test_mistakes_in_the_calendar_are_refused_on_their_line(extra, where, words):
    text = with_calendar(extra)
    problem = only_problem(text)
    assert where in problem.location and words in problem.message
    assert problem.line == line_of(text, extra.strip().splitlines()[-1].strip())


def test_a_first_period_ending_after_the_deadline_is_refused():
    text = with_calendar(first="2027-04-02")
    problem = only_problem(text)
    assert problem.location == "programme.fortnightly_return.first_period_end"
    assert "after the spend deadline 2027-03-31" in problem.message
    assert problem.line == line_of(text, "first_period_end")


def test_a_line_fed_by_a_measure_nobody_is_asked_loads_with_a_warning():
    text = with_calendar("    lines:\n      packages_booked: home_care.packages_bookd\n")
    text += "measures:\n  home_care:\n    - {key: packages_booked, label: Packages booked}\n"
    warnings = parse_programme_file(text).warnings()
    assert [w.location for w in warnings] == ["programme.fortnightly_return.lines.packages_booked[0]"]
    assert "did you mean home_care.packages_booked?" in warnings[0].message
    unmeasured = with_calendar("    lines:\n      discharges_pathway_0: acute_discharge.discharges_p0\n")
    (warning,) = parse_programme_file(unmeasured).warnings()
    assert "acute_discharge has no measures under `measures:`" in warning.message


def test_a_measure_feeding_two_lines_is_warned_about():
    text = PROGRAMME.replace("pathway_1: [acute_discharge.discharges_p1]", "pathway_1: [acute_discharge.discharges_p0]")
    (warning,) = [w for w in parse_programme_file(text).warnings() if "fortnightly_return" in w.location]
    assert warning.location == "programme.fortnightly_return.lines.discharges_pathway_1[0]"
    assert "also feeds discharges_pathway_0: it is counted in both lines" in warning.message


def test_the_loader_keeps_the_calendar_and_a_reload_changes_nothing(engine):
    spec = parse_programme_file(PROGRAMME)
    load_programme(engine, spec)
    with session_scope(engine) as session:
        programme = session.exec(select(Programme).where(Programme.slug == SLUG)).one()
        stored = programme.settings["fortnightly_return"]
        calendar = return_calendar(programme.settings, programme.deadline)
    assert stored["first_period_end"] == "2026-12-13" and stored["every_days"] == 14
    assert stored["lines"]["discharges_pathway_1"] == ["acute_discharge.discharges_p1"]
    assert calendar is not None and calendar.lines["packages_booked"] == (("home_care", "packages_booked"),)
    assert not load_programme(engine, spec).changed
    changed = load_programme(engine, parse_programme_file(PROGRAMME.replace("every_days: 14", "every_days: 7")))
    assert changed.programme_changes == ["fortnightly_return"]
    start, end = PROGRAMME.index("  fortnightly_return:"), PROGRAMME.index("  tranches:")
    dropped = load_programme(engine, parse_programme_file(PROGRAMME[:start] + PROGRAMME[end:]))
    assert dropped.programme_changes == ["fortnightly_return"]
    with session_scope(engine) as session:
        programme = session.exec(select(Programme).where(Programme.slug == SLUG)).one()
        assert return_calendar(programme.settings, programme.deadline) is None


def test_a_programme_without_the_setting_has_no_calendar():
    assert return_calendar({"thresholds": {}}, date(2027, 3, 31)) is None
    assert return_calendar(None, date(2027, 3, 31)) is None


# The calendar itself ----------------------------------------------------------------------

FORTNIGHTS = ReturnCalendar(first_end=date(2026, 12, 13), every_days=14, deadline=date(2027, 3, 31))


def test_periods_run_to_the_one_that_holds_the_deadline():
    ends = FORTNIGHTS.ends()
    assert ends[:3] == [date(2026, 12, 13), date(2026, 12, 27), date(2027, 1, 10)]
    assert ends[-2:] == [date(2027, 3, 21), date(2027, 4, 4)]  # 22 Mar - 4 Apr holds 31 Mar
    assert len(ends) == 9
    assert FORTNIGHTS.start_of(date(2027, 1, 10)) == date(2026, 12, 28)
    ending_on_the_deadline = ReturnCalendar(date(2027, 3, 3), 14, date(2027, 3, 31))
    assert ending_on_the_deadline.ends() == [date(2027, 3, 3), date(2027, 3, 17), date(2027, 3, 31)]


def test_the_latest_period_end_by_a_day():
    assert FORTNIGHTS.latest_end(date(2026, 12, 12)) is None
    assert FORTNIGHTS.latest_end(date(2026, 12, 13)) == date(2026, 12, 13)
    assert FORTNIGHTS.latest_end(date(2027, 1, 9)) == date(2026, 12, 27)
    assert FORTNIGHTS.ends_up_to(date(2027, 1, 10)) == [date(2026, 12, 13), date(2026, 12, 27), date(2027, 1, 10)]


def test_a_period_end_is_checked_against_the_calendar_and_today():
    assert FORTNIGHTS.check_end(date(2027, 1, 10), date(2027, 1, 10)) == date(2027, 1, 10)
    with pytest.raises(NotAPeriodEnd, match=r"Sat 09 Jan 2027 does not end a return period"):
        FORTNIGHTS.check_end(date(2027, 1, 9), date(2027, 2, 1))
    with pytest.raises(NotAPeriodEnd, match=r"nearest period ends are Sun 04 Apr 2027 \(2027-04-04\) \("):
        FORTNIGHTS.check_end(date(2027, 5, 1), date(2027, 6, 1))
    with pytest.raises(NotAPeriodEnd, match="has not ended yet"):
        FORTNIGHTS.check_end(date(2027, 1, 10), date(2027, 1, 9))
