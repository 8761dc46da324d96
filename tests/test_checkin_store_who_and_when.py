"""The check-in against a real database (SQLite, and PostgreSQL when reachable): who may answer,
a failure midway, the local date, and two presses at once."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from checkin_store_support import (
    BOB,
    CAROL,
    LEAD,
    MONDAY,
    OBSERVER,
    PROGRAMME,
    UTC,
    WATCHER,
    _no_change,
    answers,
    db,  # noqa: F401 (fixtures)
    form_for,
    member,
    rows,
    stored,
)
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from bot.checkin import (
    BLOCKERS,
    COMMENT,
    CheckinForm,
    CheckinResult,
    Refusal,
    Submission,
    checkin_member,
    checkin_no_change,
    open_checkin,
    record,
    submit_checkin,
    validate,
)
from bot.common.asking import JOIN_TEXT
from bot.programme.loader import load_path
from models.db import session_scope
from models.tables import CapacityReport, CheckIn, Programme, SpendReport


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
