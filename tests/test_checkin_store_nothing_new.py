"""The check-in against a real database (SQLite, and PostgreSQL when reachable): "nothing new
today"."""

from __future__ import annotations

from datetime import date, timedelta

from checkin_store_support import (
    BOB,
    CAROL,
    MONDAY,
    TUESDAY,
    _no_change,
    answers,
    db,  # noqa: F401 (fixtures)
    form_for,
    rows,
    stored,
)

from models.tables import Blocker, CapacityReport, CheckIn, SpendReport


def test_nothing_new_today_restates_the_last_figures_and_levels(db):
    stored(db, BOB, answers(form_for(db, BOB), blockers="No drivers"))
    result = _no_change(db, BOB, TUESDAY)
    assert result.recorded and result.no_change and result.nothing_to_reaffirm == ()
    checkin = rows(db, CheckIn, CheckIn.id == result.checkin_id)[0]
    # Monday's blocker is an item of its own, still open: "nothing new" does not say it again.
    assert checkin.no_change and checkin.local_date == date(2027, 1, 5) and checkin.blockers is None
    [blocker] = rows(db, Blocker)
    assert (blocker.text, blocker.status, blocker.raised_on) == ("No drivers", "open", date(2027, 1, 4))
    tuesday = rows(db, SpendReport, SpendReport.local_date == date(2027, 1, 5))
    monday = rows(db, SpendReport, SpendReport.local_date == date(2027, 1, 4))
    assert [(r.scheme_id, r.actual, r.committed, r.activity) for r in tuesday] == [
        (r.scheme_id, r.actual, r.committed, r.activity) for r in monday
    ]
    assert {r.source for r in tuesday} == {"no_change"} and {r.checkin_id for r in tuesday} == {checkin.id}
    levels = rows(db, CapacityReport, CapacityReport.local_date == date(2027, 1, 5))
    assert [(r.service, r.level) for r in levels] == [("home_care", 2), ("reablement", 1)]


def test_nothing_new_twice_in_a_day_records_once(db):
    first = _no_change(db, BOB, MONDAY)
    again = _no_change(db, BOB, MONDAY + timedelta(hours=2))
    assert not again.recorded and again.checkin_id == first.checkin_id and again.no_change
    assert len(rows(db, CheckIn)) == 1


def test_nothing_new_after_a_check_in_today_adds_nothing_and_says_so(db):
    done = stored(db, BOB, answers(form_for(db, BOB)))
    again = _no_change(db, BOB, MONDAY + timedelta(hours=1))
    assert not again.recorded and again.checkin_id == done.checkin_id and not again.no_change
    assert again.submitted_at.hour == 10
    assert len(rows(db, CheckIn)) == 1 and len(rows(db, SpendReport)) == 2


def test_nothing_new_with_nothing_on_record_says_what_is_missing(db):
    result = _no_change(db, BOB, MONDAY)
    assert result.recorded and result.schemes == () and result.services == ()
    assert result.nothing_to_reaffirm == ("Home care hours", "Care workers recruited", "Home care", "Reablement")
    assert rows(db, SpendReport) == [] and rows(db, CapacityReport) == []
    assert len(rows(db, CheckIn)) == 1


def test_another_members_nothing_new_does_not_count_as_yours(db):
    _no_change(db, CAROL, MONDAY)
    assert _no_change(db, BOB, MONDAY).recorded
