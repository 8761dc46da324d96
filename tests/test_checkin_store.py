"""The check-in against a real database (SQLite, and PostgreSQL when reachable): the form's
prefill, storing, amending, "nothing new today", who may answer, and the local date."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from bot.checkin import (
    BLOCKERS,
    COMMENT,
    CORRECTION,
    CheckinForm,
    CheckinResult,
    Refusal,
    Rejected,
    Submission,
    build_form,
    checkin_member,
    checkin_no_change,
    initial_values,
    measure_key,
    open_checkin,
    record,
    scheme_key,
    service_key,
    submit_checkin,
    validate,
)
from bot.common.asking import JOIN_TEXT
from bot.common.redact import REPLACEMENT
from bot.programme.file import parse_programme_file
from bot.programme.loader import load_path, load_programme
from models.db import session_scope
from models.tables import CapacityReport, CheckIn, Member, Programme, SpendReport

PROGRAMME = Path(__file__).with_name("fixtures") / "checkin.yaml"
BOB, CAROL, LEAD, WATCHER, OBSERVER = "U0TEST0002", "U0TEST0003", "U0TEST0001", "U0TEST0004", "U0TEST0005"
UTC = UTC
MONDAY = datetime(2027, 1, 4, 10, 0, tzinfo=UTC)
ON_MONDAY = MONDAY.date()
TUESDAY = MONDAY + timedelta(days=1)


@pytest.fixture
def db(engine):
    load_path(engine, PROGRAMME)
    return engine


def member(session, user_id: str) -> Member:
    return session.exec(select(Member).where(Member.platform_user_id == user_id)).one()


def form_for(db, user_id: str, day: date = ON_MONDAY) -> CheckinForm:
    with session_scope(db) as session:
        return build_form(session, member(session, user_id), day)


def keys(form: CheckinForm) -> dict[str, int]:
    return {s.name: s.id for s in form.schemes}


def answers(form: CheckinForm, hours=("£12,500", "£3,000", "400"), staff=("20k", "0", "4"), levels=("2", "1"), **extra):
    ids = keys(form)
    found = {}
    for name, figures in (("Home care hours", hours), ("Care workers recruited", staff)):
        for figure, typed in zip(("actual", "committed", "activity"), figures, strict=False):
            found[scheme_key(ids[name], figure)] = typed
    found[service_key("home_care")], found[service_key("reablement")] = levels
    return found | extra


def submit(db, user_id: str, typed: dict, now: datetime = MONDAY) -> CheckinResult | Rejected | Refusal:
    with session_scope(db) as session:
        return submit_checkin(session, "slack", user_id, None, typed, now)


def stored(db, user_id: str, typed: dict, now: datetime = MONDAY) -> CheckinResult:
    outcome = submit(db, user_id, typed, now)
    assert isinstance(outcome, CheckinResult), outcome
    return outcome


def rows(db, model, *where):
    with session_scope(db) as session:
        return session.exec(select(model).where(*where).order_by(col(model.id))).all()


def test_a_first_form_has_the_organisations_schemes_and_services_and_nothing_prefilled(db):
    form = form_for(db, BOB)
    assert [s.name for s in form.schemes] == ["Home care hours", "Care workers recruited"]
    hours, staff = form.schemes
    assert (hours.budget, hours.planned, hours.unit) == (Decimal("90000.00"), Decimal("3000.00"), "hours")
    assert staff.counts_staff and staff.activity_label == "Staff recruited to date (WTE)"
    assert [(s.service, s.last_level) for s in form.services] == [("home_care", None), ("reablement", None)]
    assert hours.last is None and form.today is None and form.blockers is None
    assert form.local_date == date(2027, 1, 4) and form.timezone == "Europe/London"


def test_a_check_in_is_one_row_plus_a_ledger_row_per_scheme_and_service(db):
    form = form_for(db, BOB)
    result = stored(db, BOB, answers(form, blockers="No drivers", comment="All well"))
    assert result.recorded and not result.amended and not result.no_change
    assert result.local_date == date(2027, 1, 4) and result.submitted_at.hour == 10
    (checkin,) = rows(db, CheckIn)
    assert (checkin.local_date, checkin.blockers, checkin.comment, checkin.supersedes_id) == (
        date(2027, 1, 4),
        "No drivers",
        "All well",
        None,
    )
    assert checkin.submitted_at == MONDAY
    spend = rows(db, SpendReport)
    assert [(r.scheme_id, r.actual, r.committed, r.activity, r.source, r.checkin_id) for r in spend] == [
        (
            keys(form)["Home care hours"],
            Decimal("12500.00"),
            Decimal("3000.00"),
            Decimal("400.00"),
            "checkin",
            checkin.id,
        ),
        (
            keys(form)["Care workers recruited"],
            Decimal("20000.00"),
            Decimal("0.00"),
            Decimal("4.00"),
            "checkin",
            checkin.id,
        ),
    ]
    capacity = rows(db, CapacityReport)
    assert [(r.service, r.level, r.checkin_id, r.organisation_id) for r in capacity] == [
        ("home_care", 2, checkin.id, checkin.organisation_id),
        ("reablement", 1, checkin.id, checkin.organisation_id),
    ]
    assert all(r.local_date == date(2027, 1, 4) and r.member_id == checkin.member_id for r in [*spend, *capacity])


def test_the_next_form_is_prefilled_with_the_organisations_last_answer_whoever_gave_it(db):
    stored(db, BOB, answers(form_for(db, BOB), blockers="No drivers", comment="Said on Monday"))
    form = form_for(db, CAROL, TUESDAY.date())
    hours = form.schemes[0]
    assert (hours.last.actual, hours.last.committed, hours.last.activity) == (
        Decimal("12500.00"),
        Decimal("3000.00"),
        Decimal("400.00"),
    )
    assert hours.last.local_date == date(2027, 1, 4)
    assert [(s.service, s.last_level, s.last_date) for s in form.services] == [
        ("home_care", 2, date(2027, 1, 4)),
        ("reablement", 1, date(2027, 1, 4)),
    ]
    assert form.blockers == "No drivers"
    assert form.today is None  # Carol has not checked in; Monday's comment is not offered again


def test_a_form_built_for_an_earlier_day_ignores_later_answers(db):
    stored(db, BOB, answers(form_for(db, BOB, TUESDAY.date())), now=TUESDAY)
    form = form_for(db, BOB, MONDAY.date())
    assert form.schemes[0].last is None and form.services[0].last_level is None


def test_amending_today_adds_a_superseding_check_in_and_keeps_the_history(db):
    first = stored(db, BOB, answers(form_for(db, BOB), comment="first go"))
    form = form_for(db, BOB)
    assert form.amending and form.today.id == first.checkin_id and form.today.comment == "first go"
    later = MONDAY + timedelta(minutes=20)
    second = stored(db, BOB, answers(form, hours=("£13,000", "£2,500", "420"), comment="second go"), now=later)
    assert second.amended and second.checkin_id != first.checkin_id
    checkins = rows(db, CheckIn)
    assert [(c.id, c.supersedes_id, c.comment) for c in checkins] == [
        (first.checkin_id, None, "first go"),
        (second.checkin_id, first.checkin_id, "second go"),
    ]
    hours = keys(form)["Home care hours"]
    assert [r.actual for r in rows(db, SpendReport, SpendReport.scheme_id == hours)] == [
        Decimal("12500.00"),
        Decimal("13000.00"),
    ]
    assert len(rows(db, CapacityReport)) == 4
    third = stored(
        db, BOB, answers(form_for(db, BOB), hours=("£13,000", "£2,500", "420")), now=later + timedelta(minutes=5)
    )
    assert rows(db, CheckIn, CheckIn.id == third.checkin_id)[0].supersedes_id == second.checkin_id


def test_a_check_in_the_next_day_supersedes_nothing(db):
    stored(db, BOB, answers(form_for(db, BOB)))
    tuesday = stored(db, BOB, answers(form_for(db, BOB, TUESDAY.date())), now=TUESDAY)
    assert not tuesday.amended
    assert rows(db, CheckIn, CheckIn.id == tuesday.checkin_id)[0].supersedes_id is None


def test_a_lower_figure_the_next_day_is_refused_without_a_reason_and_kept_with_one(db):
    stored(db, BOB, answers(form_for(db, BOB)))
    form = form_for(db, BOB, TUESDAY.date())
    lower = answers(form, hours=("£11,000", "£0", "400"))
    refused = submit(db, BOB, lower, now=TUESDAY)
    assert isinstance(refused, Rejected)
    assert set(refused.errors) == {scheme_key(keys(form)["Home care hours"], "actual"), CORRECTION}
    assert len(rows(db, CheckIn)) == 1
    kept = stored(db, BOB, lower | {CORRECTION: "A December invoice was counted twice"}, now=TUESDAY)
    hours, staff = kept.schemes
    assert hours.correction_reason == "A December invoice was counted twice" and staff.correction_reason is None
    tuesday_rows = rows(db, SpendReport, SpendReport.local_date == date(2027, 1, 5))
    assert [(r.actual, r.correction_reason) for r in tuesday_rows] == [
        (Decimal("11000.00"), "A December invoice was counted twice"),
        (Decimal("20000.00"), None),
    ]


def test_refused_answers_come_back_with_the_whole_form_to_show_again(db):
    """Answers are checked on a form without what is only shown; a refusal shows the whole one."""
    stored(db, BOB, answers(form_for(db, BOB), blockers="No drivers after 4pm"))
    refused = submit(db, BOB, answers(form_for(db, BOB, TUESDAY.date()), levels=("9", "1")), now=TUESDAY)
    assert isinstance(refused, Rejected) and set(refused.errors) == {service_key("home_care")}
    assert refused.form == form_for(db, BOB, TUESDAY.date())
    assert refused.form.blockers == "No drivers after 4pm"


def test_answers_are_checked_against_the_figures_on_record_when_sent_not_when_opened(db):
    opened_by_bob = form_for(db, BOB)
    stored(db, CAROL, answers(form_for(db, CAROL), hours=("£15,000", "0", "500")))
    outcome = submit(db, BOB, answers(opened_by_bob, hours=("£12,500", "0", "500")))
    assert isinstance(outcome, Rejected)
    assert "£15,000" in outcome.errors[scheme_key(keys(opened_by_bob)["Home care hours"], "actual")]


def test_nhs_numbers_are_stored_redacted_and_counted(db):
    result = stored(
        db, BOB, answers(form_for(db, BOB), comment="Mr A 943 476 5919 is stuck", blockers="and 9434765919")
    )
    (checkin,) = rows(db, CheckIn)
    assert checkin.comment == f"Mr A {REPLACEMENT} is stuck" and checkin.blockers == f"and {REPLACEMENT}"
    assert checkin.redactions == 2 == result.redactions
    assert "943" not in (checkin.comment + checkin.blockers)


def test_nothing_new_today_restates_the_last_figures_and_levels(db):
    stored(db, BOB, answers(form_for(db, BOB), blockers="No drivers"))
    result = _no_change(db, BOB, TUESDAY)
    assert result.recorded and result.no_change and result.nothing_to_reaffirm == ()
    checkin = rows(db, CheckIn, CheckIn.id == result.checkin_id)[0]
    assert checkin.no_change and checkin.local_date == date(2027, 1, 5) and checkin.blockers == "No drivers"
    tuesday = rows(db, SpendReport, SpendReport.local_date == date(2027, 1, 5))
    monday = rows(db, SpendReport, SpendReport.local_date == date(2027, 1, 4))
    assert [(r.scheme_id, r.actual, r.committed, r.activity) for r in tuesday] == [
        (r.scheme_id, r.actual, r.committed, r.activity) for r in monday
    ]
    assert {r.source for r in tuesday} == {"no_change"} and {r.checkin_id for r in tuesday} == {checkin.id}
    levels = rows(db, CapacityReport, CapacityReport.local_date == date(2027, 1, 5))
    assert [(r.service, r.level) for r in levels] == [("home_care", 2), ("reablement", 1)]


def _no_change(db, user_id: str, now: datetime) -> CheckinResult:
    with session_scope(db) as session:
        outcome = checkin_no_change(session, "slack", user_id, None, now)
    assert isinstance(outcome, CheckinResult), outcome
    return outcome


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


def test_a_submission_is_stored_only_for_the_member_whose_form_it_is(db):
    form = form_for(db, BOB)
    submission = validate(form, answers(form))
    assert isinstance(submission, Submission)
    with session_scope(db) as session, pytest.raises(ValueError, match="only for the member"):
        record(session, member(session, CAROL), submission, MONDAY)


def test_a_failure_midway_stores_nothing(db):
    form = form_for(db, BOB)
    submission = validate(form, answers(form))
    broken = replace(
        submission,
        schemes=(*submission.schemes, replace(submission.schemes[0], scheme=replace(form.schemes[0], id=9999))),
    )
    with pytest.raises(IntegrityError), session_scope(db) as session:
        record(session, member(session, BOB), broken, MONDAY)
    assert rows(db, CheckIn) == [] and rows(db, SpendReport) == [] and rows(db, CapacityReport) == []


def test_today_is_the_programmes_date_across_the_clock_change(db):
    late_monday_utc = datetime(2027, 3, 29, 23, 30, tzinfo=UTC)  # 00:30 BST on Tuesday 30 March
    result = stored(db, BOB, answers(form_for(db, BOB)), now=late_monday_utc)
    assert result.local_date == date(2027, 3, 30)
    assert (result.submitted_at.hour, result.submitted_at.minute) == (0, 30)
    winter_evening = datetime(2027, 1, 4, 23, 30, tzinfo=UTC)  # 23:30 GMT, still Monday
    assert stored(db, CAROL, answers(form_for(db, CAROL)), now=winter_evening).local_date == date(2027, 1, 4)


def test_an_organisation_with_no_schemes_or_services_checks_in_with_words(db):
    result = stored(db, WATCHER, {BLOCKERS: "", COMMENT: "Families say discharge letters are late"})
    assert result.schemes == () and result.services == ()
    assert rows(db, CheckIn)[0].comment == "Families say discharge letters are late"


@pytest.mark.parametrize(
    ("user_id", "says"),
    [
        (LEAD, "You are a lead on Test fund"),
        (OBSERVER, "You are an observer on Test fund"),
        ("U0STRANGER", JOIN_TEXT),
    ],
)
def test_only_partners_check_in(db, user_id, says):
    with session_scope(db) as session:
        for outcome in (
            open_checkin(session, "slack", user_id, MONDAY),
            submit_checkin(session, "slack", user_id, None, {}, MONDAY),
            checkin_no_change(session, "slack", user_id, None, MONDAY),
        ):
            assert isinstance(outcome, Refusal) and says in outcome.reason
    assert rows(db, CheckIn) == []


def test_a_partner_is_a_stranger_on_another_platform_and_another_programme(db):
    with session_scope(db) as session:
        assert isinstance(checkin_member(session, "teams", BOB), Refusal)
        other = session.exec(select(Programme)).one().id + 1
        refusal = checkin_member(session, "slack", BOB, programme_id=other)
        assert isinstance(refusal, Refusal) and "no longer on that programme" in refusal.reason


def test_an_archived_member_is_not_asked(db):
    with session_scope(db) as session:
        member(session, BOB).archived_at = MONDAY
    with session_scope(db) as session:
        assert isinstance(open_checkin(session, "slack", BOB, MONDAY), Refusal)


def test_someone_partnering_on_two_programmes_names_one(db, tmp_path):
    second = tmp_path / "second.yaml"
    second.write_text(
        PROGRAMME.read_text()
        .replace("slug: test-fund", "slug: other-fund")
        .replace("name: Test fund", "name: Other fund")
    )
    load_path(db, second)
    with session_scope(db) as session:
        unsure = open_checkin(session, "slack", BOB, MONDAY)
        assert isinstance(unsure, Refusal) and "test-fund or other-fund" in unsure.reason
        chosen = open_checkin(session, "slack", BOB, MONDAY, slug="other-fund")
        assert isinstance(chosen, CheckinForm) and chosen.scope.programme_name == "Other fund"
        wrong = open_checkin(session, "slack", BOB, MONDAY, slug="nope")
        assert isinstance(wrong, Refusal) and "'nope'" in wrong.reason


def test_two_presses_at_once_record_one_check_in(db):
    """Two devices, or a double click: the member's row lock lets one through first."""
    if db.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time and no row locks to wait on")
    start = threading.Barrier(2)
    outcomes: list[CheckinResult] = []

    def press() -> None:
        start.wait()
        outcomes.append(_no_change(db, BOB, MONDAY))

    threads = [threading.Thread(target=press) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(o.recorded for o in outcomes) == [False, True]
    assert len(rows(db, CheckIn)) == 1


# Optional measures ------------------------------------------------------------------------

MEASURES = """measures:
  home_care:
    - {key: hours_not_delivered, label: Care hours that could not be delivered yesterday, unit: hours}
    - {key: people_waiting, label: People waiting for a package of care, unit: people}
"""
HOURS_LOST = measure_key("home_care", "hours_not_delivered")
WAITING = measure_key("home_care", "people_waiting")


@pytest.fixture
def measured(engine):
    text = PROGRAMME.read_text(encoding="utf-8") + MEASURES
    load_programme(engine, parse_programme_file(text, "checkin.yaml"))
    return engine


def capacity_measures(db, day: date) -> dict[str, dict]:
    return {r.service: r.measures for r in rows(db, CapacityReport, CapacityReport.local_date == day)}


def test_the_form_carries_the_services_measures_and_nothing_for_the_others(measured):
    form = form_for(measured, BOB)
    home_care, reablement = form.services
    assert [m.key for m in home_care.measures] == [HOURS_LOST, WAITING]
    assert home_care.measures[0].measure.question == "Care hours that could not be delivered yesterday (hours)"
    assert home_care.measures[0].last_value is None and reablement.measures == ()
    assert HOURS_LOST in form.keys and WAITING in form.keys


def test_measures_are_stored_as_text_of_exact_decimals_and_blank_ones_are_left_out(measured):
    form = form_for(measured, BOB)
    result = stored(measured, BOB, answers(form, **{HOURS_LOST: "1,212.5", WAITING: ""}))
    assert capacity_measures(measured, MONDAY.date()) == {
        "home_care": {"hours_not_delivered": "1212.5"},
        "reablement": {},
    }
    (home_care, reablement) = result.services
    assert [(m.key, m.label, m.unit, m.value) for m in home_care.measures] == [
        ("hours_not_delivered", "Care hours that could not be delivered yesterday", "hours", Decimal("1212.5"))
    ]
    assert reablement.measures == ()


def test_a_measure_of_zero_is_a_figure_not_a_blank(measured):
    stored(measured, BOB, answers(form_for(measured, BOB), **{HOURS_LOST: "0", WAITING: "0.50"}))
    assert capacity_measures(measured, MONDAY.date())["home_care"] == {
        "hours_not_delivered": "0",
        "people_waiting": "0.5",
    }


def test_a_bad_measure_is_rejected_on_its_field_and_nothing_is_stored(measured):
    outcome = submit(measured, BOB, answers(form_for(measured, BOB), **{HOURS_LOST: "-4", WAITING: "1.234"}))
    assert isinstance(outcome, Rejected) and set(outcome.errors) == {HOURS_LOST, WAITING}
    assert rows(measured, CheckIn) == []


def test_the_next_form_shows_the_last_values_given_without_prefilling_them(measured):
    stored(measured, BOB, answers(form_for(measured, BOB), **{HOURS_LOST: "12.5", WAITING: "4"}))
    stored(measured, BOB, answers(form_for(measured, BOB, TUESDAY.date()), **{WAITING: "6"}), now=TUESDAY)
    wednesday = TUESDAY.date() + timedelta(days=1)
    form = form_for(measured, CAROL, wednesday)
    hours, waiting = form.services[0].measures
    assert (hours.last_value, hours.last_date) == (Decimal("12.5"), MONDAY.date())
    assert (waiting.last_value, waiting.last_date) == (Decimal(6), TUESDAY.date())
    assert HOURS_LOST not in initial_values(form) and WAITING not in initial_values(form)


def test_an_amendment_that_blanks_a_measure_is_not_undone_by_the_earlier_answer(measured):
    stored(measured, BOB, answers(form_for(measured, BOB), **{HOURS_LOST: "12.5"}))
    amending = form_for(measured, BOB)
    assert initial_values(amending)[HOURS_LOST] == "12.5"  # today's figure, offered again to amend
    stored(measured, BOB, answers(amending, **{HOURS_LOST: ""}), now=MONDAY + timedelta(minutes=5))
    hours = form_for(measured, BOB, TUESDAY.date()).services[0].measures[0]
    assert hours.last_value is None


def test_nothing_new_today_copies_the_last_reports_measures(measured):
    stored(measured, BOB, answers(form_for(measured, BOB), **{HOURS_LOST: "12.5", WAITING: "4"}))
    result = _no_change(measured, BOB, TUESDAY)
    assert capacity_measures(measured, TUESDAY.date()) == {
        "home_care": {"hours_not_delivered": "12.5", "people_waiting": "4"},
        "reablement": {},
    }
    home_care = result.services[0]
    assert [(m.key, m.value) for m in home_care.measures] == [
        ("hours_not_delivered", Decimal("12.5")),
        ("people_waiting", Decimal(4)),
    ]
