"""The check-in against a real database (SQLite, and PostgreSQL when reachable): the form's
prefill, storing, amending, lower figures and their reasons, and NHS numbers stored redacted."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from checkin_store_support import (
    BOB,
    CAROL,
    MONDAY,
    TUESDAY,
    answers,
    db,  # noqa: F401 (fixtures)
    form_for,
    keys,
    rows,
    stored,
    submit,
)

from bot.checkin import (
    CORRECTION,
    Rejected,
    scheme_key,
    service_key,
)
from bot.common.redact import REPLACEMENT
from models.tables import CapacityReport, CheckIn, SpendReport


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
    # Monday's blocker is an item now: Carol's box starts blank and the form lists it as still open.
    assert form.blockers is None
    assert [(b.text, b.raised_on, b.status) for b in form.open_blockers] == [("No drivers", date(2027, 1, 4), "open")]
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
    assert [b.text for b in refused.form.open_blockers] == ["No drivers after 4pm"]


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
