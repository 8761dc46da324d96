"""No patient details and no hidden controls get into a check-in (on Slack end to end, on SQLite
and on PostgreSQL when TEST_DATABASE_URL is set, and on the Teams card), a lead's spend entry,
or a decision on its way to the digest."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import select
from test_checkin_validate import HOURS, answers_for
from test_slack_checkin import (
    HOURS_LOST,
    MEASURES,
    PROGRAMME,
    checkins,
    good_answers,
    open_modal,
    send,
    texts,
)
from test_slack_checkin_blocks import a_form, all_text

from bot.checkin import (
    BLOCKERS,
    COMMENT,
    CheckinForm,
    open_checkin,
    scheme_key,
    submit_checkin,
    validate,
)
from bot.people.away import UntilError, parse_until
from bot.programme.file import parse_programme_file
from bot.programme.loader import load_path, load_programme
from bot.reports.decisions import DecisionRecorded, decisions_between, record_decision
from bot.spend.entry import EntryRefused, LeadEntry, record_lead_entry
from handlers.teams.cards.checkin import checkin_card
from models.db import session_scope
from models.tables import (
    CapacityReport,
    CheckIn,
    Decision,
    Member,
    Programme,
    Scheme,
    SpendReport,
)

BOB, LEAD = "U0TEST0002", "U0TEST0001"
MONDAY = datetime(2027, 1, 4, 10, 0, tzinfo=UTC)
NHS_ADVICE = "That looks like an NHS number. Enter the number of hours, not a patient's details"


@pytest.fixture
def measured_programme(engine) -> dict[str, int]:
    load_programme(engine, parse_programme_file(PROGRAMME.read_text(encoding="utf-8") + MEASURES, "checkin.yaml"))
    with session_scope(engine) as session:
        return {"programme": session.exec(select(Programme.id)).one()} | {
            s.key: s.id for s in session.exec(select(Scheme))
        }


@pytest.fixture
def plain_programme(engine) -> dict[str, int]:
    load_path(engine, PROGRAMME)
    with session_scope(engine) as session:
        return {"programme": session.exec(select(Programme.id)).one()} | {
            s.key: s.id for s in session.exec(select(Scheme))
        }


def stored_rows(engine) -> int:
    with session_scope(engine) as session:
        return len(session.exec(select(SpendReport)).all()) + len(session.exec(select(CapacityReport)).all())


def test_an_nhs_number_in_a_numeric_field_is_refused_saying_why_and_nothing_is_stored(
    slack_server, slack_api, engine, measured_programme
):
    ids = measured_programme
    view = open_modal(slack_server, slack_api, ids["programme"])
    activity = f"scheme:{ids['hours']}:activity"
    typed = good_answers(
        view, ids, **{activity: "943 476 5919", HOURS_LOST: "943\u00a0476\u00a05919", "comment": "Rota is short"}
    )

    refused = send(slack_server, view, typed)
    assert refused["response_action"] == "errors"
    assert set(refused["errors"]) == {activity, HOURS_LOST}
    assert refused["errors"][activity] == NHS_ADVICE
    assert refused["errors"][HOURS_LOST].startswith(NHS_ADVICE)
    assert "5919" not in texts(refused)
    assert checkins(engine) == [] and stored_rows(engine) == 0

    answered = send(slack_server, view, typed | {activity: "1,200", HOURS_LOST: "12"})
    assert answered["response_action"] == "update"
    (checkin,) = checkins(engine)
    assert checkin.comment == "Rota is short"


def test_nul_and_bidi_controls_in_free_text_are_stored_cleaned(slack_server, slack_api, engine, plain_programme):
    """PostgreSQL refuses a NUL outright: the whole check-in used to be lost."""
    ids = plain_programme
    view = open_modal(slack_server, slack_api, ids["programme"])
    answered = send(
        slack_server,
        view,
        good_answers(
            view,
            ids,
            comment="No\x00 drivers \u202eon Thursday\u202c\u200b",
            blockers="\ufeffBed\x00 gap\u2066 9434765919\u2069",
        ),
    )
    assert answered["response_action"] == "update"
    (checkin,) = checkins(engine)
    assert checkin.comment == "No drivers on Thursday"
    assert checkin.blockers == "Bed gap [NHS number removed]"
    assert "\u202e" not in texts(answered) and "\x00" not in texts(answered)


def test_the_teams_card_refuses_an_nhs_number_in_a_figure_and_keeps_every_answer():
    form = a_form()
    activity = scheme_key(HOURS, "activity")
    typed = answers_for(form) | {activity: "943-476-5919", COMMENT: "Short of drivers"}
    errors = validate(form, typed)
    assert isinstance(errors, dict) and list(errors) == [activity]
    card = checkin_card(form, typed=typed, errors=errors)
    assert "That looks like an NHS number. Enter the number of hours" in all_text(card["body"])
    fields = {e["id"]: e for e in card["body"] if e["type"].startswith("Input.")}
    assert fields[COMMENT]["value"] == "Short of drivers"
    assert fields[activity]["value"] == "943-476-5919"  # kept for the person to correct, never stored


def test_a_check_in_with_a_nul_and_an_override_is_stored_clean_in_the_database(engine, plain_programme):
    """Through the domain's own entry point, so it runs on PostgreSQL (which refuses a NUL)."""
    with session_scope(engine) as session:
        form = open_checkin(session, "slack", BOB, MONDAY, programme_id=plain_programme["programme"])
        assert isinstance(form, CheckinForm)
        answers = answers_for(form) | {COMMENT: "Two\x00 carers off\u202e\u200b", BLOCKERS: "\u2067No\x00 van\u2069"}
        submit_checkin(session, "slack", BOB, plain_programme["programme"], answers, MONDAY)
    with session_scope(engine) as session:
        (checkin,) = session.exec(select(CheckIn)).all()
        assert (checkin.comment, checkin.blockers) == ("Two carers off", "No van")


def lead_enters(engine, activity: str | None, reason: str | None = None) -> LeadEntry | EntryRefused:
    with session_scope(engine) as session:
        lead = session.exec(select(Member).where(Member.platform_user_id == LEAD)).one()
        return record_lead_entry(session, lead, "hours", "£1,000", None, activity, reason, MONDAY)


def test_a_leads_spend_entry_with_an_nhs_number_as_activity_is_refused_saying_why(engine, plain_programme):
    refused = lead_enters(engine, "943.476.5919")
    assert isinstance(refused, EntryRefused)
    assert refused.reason == f"{NHS_ADVICE}. Nothing was recorded."
    assert stored_rows(engine) == 0


def test_a_long_reason_is_redacted_before_it_is_cut_so_no_half_number_survives(engine, plain_programme):
    entry = lead_enters(engine, "10", reason="x" * 490 + " 943 476 5919 was double counted")
    assert isinstance(entry, LeadEntry) and entry.redactions == 1
    assert entry.correction_reason is not None and "943" not in entry.correction_reason
    assert len(entry.correction_reason) == 500


def test_a_decision_reaches_the_digest_without_controls_or_numbers(engine, plain_programme):
    with session_scope(engine) as session:
        recorded = record_decision(session, "slack", LEAD, "Fund\u202e 10 beds\x00 for 943 476 5919\u200b", MONDAY)
        assert isinstance(recorded, DecisionRecorded) and recorded.redactions == 1
        session.add(
            Decision(
                programme_id=plain_programme["programme"],
                member_id=None,
                text="stored before the fix \u202e9434765919",
                local_date=MONDAY.date(),
                decided_at=MONDAY,
            )
        )
    with session_scope(engine) as session:
        shown = [d.text for d in decisions_between(session, plain_programme["programme"], MONDAY.date(), MONDAY.date())]
    assert sorted(shown) == ["Fund 10 beds for [NHS number removed]", "stored before the fix [NHS number removed]"]


def test_an_away_date_that_cannot_be_read_is_echoed_without_the_nhs_number():
    with pytest.raises(UntilError) as refused:
        parse_until("after 943 476 5919 is discharged", date(2027, 1, 5))
    assert "5919" not in str(refused.value) and "[NHS number removed]" in str(refused.value)
