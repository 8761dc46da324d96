"""The leads' questions on SQLite and PostgreSQL: who may ask, to which sector, until when (five
working days, bank holidays skipped), NHS numbers redacted, the question on a partner's check-in,
the answer stored with the check-in (amending replaces it, "nothing new today" answers nothing),
and the answers read back for the leads, attributed.

The programme (tests/fixtures/checkin.yaml): Alice leads (Council, statutory); Bob and Carol are
partners at Home Carers Ltd (community); Dev is a partner at Healthwatch (community, nothing to
report but free text); Olu observes. An admin and a statutory partner (Sam, Council) are added.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from fixtures_slack import insert_member
from sqlmodel import col, select

from bot.checkin import (
    CheckinResult,
    Rejected,
    build_form,
    checkin_no_change,
    initial_values,
    scheme_key,
    service_key,
    submit_checkin,
    validate,
)
from bot.checkin.field_keys import question_key
from bot.checkin.questions import (
    MAX_TEXT,
    Asked,
    AskRefused,
    QuestionsView,
    answers_to,
    ask_or_show,
    ask_question,
    closing_date,
    split_audience,
)
from bot.checkin.questions_on_form import MAX_ANSWER, open_questions_for
from bot.common.asking import JOIN_TEXT
from bot.common.redact import REPLACEMENT
from bot.programme.loader import load_path
from models.db import session_scope
from models.tables import AuditEvent, CheckIn, Member, Question, QuestionAnswer

PROGRAMME = Path(__file__).with_name("fixtures") / "checkin.yaml"
LEAD, BOB, CAROL, DEV, OBSERVER = "U0TEST0001", "U0TEST0002", "U0TEST0003", "U0TEST0004", "U0TEST0005"
ADMIN, SAM, STRANGER = "U0ADMIN01", "U0SAMSTAT", "U0NOBODY"
UTC = UTC
MONDAY = datetime(2027, 1, 11, 10, 0, tzinfo=UTC)  # 10:00 in London, GMT
ON_MONDAY = MONDAY.date()
NHS = "943 476 5919"  # a valid Modulus 11 check digit
QUESTION = "How many people are waiting for a package of care?"


@pytest.fixture
def db(engine):
    load_path(engine, PROGRAMME)
    insert_member(engine, ADMIN, "admin", name="Ada Admin", programme="test-fund", organisation="council")
    insert_member(engine, SAM, "partner", name="Sam Social", programme="test-fund", organisation="council")
    return engine


def ask(db, user_id, text, now=MONDAY):
    with session_scope(db) as session:
        return ask_question(session, "slack", user_id, text, now)


def asked(db, text=QUESTION, user_id=LEAD, now=MONDAY) -> Asked:
    result = ask(db, user_id, text, now)
    assert isinstance(result, Asked), result
    return result


def on_form(db, user_id, day=ON_MONDAY) -> list[int]:
    with session_scope(db) as session:
        member = session.exec(select(Member).where(Member.platform_user_id == user_id)).one()
        return [q.id for q in open_questions_for(session, member, day)]


def form_for(db, user_id, day=ON_MONDAY):
    with session_scope(db) as session:
        member = session.exec(select(Member).where(Member.platform_user_id == user_id)).one()
        return build_form(session, member, day)


def bobs_answers(form, **extra):
    ids = {s.name: s.id for s in form.schemes}
    found = {}
    for name in ("Home care hours", "Care workers recruited"):
        found |= {scheme_key(ids[name], f): "0" for f in ("actual", "committed", "activity")}
    found[service_key("home_care")], found[service_key("reablement")] = "2", "1"
    return found | extra


def submit(db, user_id, typed, now=MONDAY):
    with session_scope(db) as session:
        return submit_checkin(session, "slack", user_id, None, typed, now)


def stored(db, user_id, typed, now=MONDAY) -> CheckinResult:
    outcome = submit(db, user_id, typed, now)
    assert isinstance(outcome, CheckinResult), outcome
    return outcome


def rows(db, model):
    with session_scope(db) as session:
        return session.exec(select(model).order_by(col(model.id))).all()


def answers_since(db, since=ON_MONDAY - timedelta(days=13)):
    with session_scope(db) as session:
        programme_id = session.exec(select(Question.programme_id)).first()
        return answers_to(session, programme_id, since)


# asking


@pytest.mark.parametrize("user_id", [LEAD, ADMIN])
def test_leads_and_admins_ask_every_partner_with_an_audit_row(db, user_id):
    result = asked(db, f"  {QUESTION}  ", user_id)
    assert (result.text, result.audience, result.local_date) == (QUESTION, "all", date(2027, 1, 11))
    assert result.closes_on == date(2027, 1, 18)  # five working days after Monday 11 January
    assert result.partners == 4  # Bob, Carol, Dev and Sam; not the lead, the admin or the observer
    assert "4 partners will see it at their next check-in, until Mon 18 Jan" in result.message
    (question,) = rows(db, Question)
    assert (question.text, question.audience, question.asked_at) == (QUESTION, "all", MONDAY)
    (audit,) = [a for a in rows(db, AuditEvent) if a.action == "question.asked"]
    assert (audit.subject, audit.actor, audit.member_id) == (
        f"question:{question.id}",
        f"slack:{user_id}",
        question.member_id,
    )
    assert audit.detail["audience"] == "all" and audit.detail["redactions"] == 0 and audit.at == MONDAY


def test_a_sector_prefix_asks_one_sector_and_only_its_partners_see_it(db):
    community = asked(db, f"community: {QUESTION}")
    statutory = asked(db, "Statutory:Are discharge-to-assess beds free?")
    everyone = asked(db, "all: Anything we should know?")
    assert (community.audience, community.text, community.partners) == ("community", QUESTION, 3)
    assert (statutory.audience, statutory.text, statutory.partners) == (
        "statutory",
        "Are discharge-to-assess beds free?",
        1,
    )
    assert "1 statutory partner will see it" in statutory.message
    assert on_form(db, BOB) == on_form(db, DEV) == [community.question_id, everyone.question_id]
    assert on_form(db, SAM) == [statutory.question_id, everyone.question_id]


def test_split_audience_reads_only_a_leading_sector():
    assert split_audience("community: How many?") == ("community", "How many?")
    assert split_audience("How is the community: coping?") == ("all", "How is the community: coping?")
    assert split_audience("  ") == ("all", "")


def test_a_question_closes_after_the_fifth_working_day_across_christmas(db):
    # Wednesday 23 December 2026: Christmas (Fri), Boxing Day (moved to Mon 28), the weekends and
    # New Year's Day are not working days: 24, 29, 30, 31 December and Monday 4 January are.
    before_christmas = datetime(2026, 12, 23, 16, 0, tzinfo=UTC)
    assert closing_date(date(2026, 12, 23)) == date(2027, 1, 4)
    result = asked(db, now=before_christmas)
    assert result.closes_on == date(2027, 1, 4)
    assert on_form(db, BOB, date(2026, 12, 22)) == []  # not before it is asked
    assert on_form(db, BOB, date(2026, 12, 23)) == [result.question_id]
    assert on_form(db, BOB, date(2027, 1, 4)) == [result.question_id]
    assert on_form(db, BOB, date(2027, 1, 5)) == []


def test_the_local_date_decides_the_day_asked(db):
    late = datetime(2027, 1, 15, 23, 30, tzinfo=UTC)  # still Friday 15th in London
    result = asked(db, now=late)
    assert (result.local_date, result.closes_on) == (date(2027, 1, 15), date(2027, 1, 22))


@pytest.mark.parametrize(("user_id", "role"), [(BOB, "a partner"), (OBSERVER, "an observer")])
def test_partners_and_observers_are_told_only_leads_ask(db, user_id, role):
    result = ask(db, user_id, QUESTION)
    assert isinstance(result, AskRefused) and result.reason == "not_lead"
    assert result.message.startswith(f"Only the programme's leads ask partners questions; you are {role}.")
    assert rows(db, Question) == []


def test_someone_not_on_a_programme_is_told_how_to_join(db):
    assert ask(db, STRANGER, QUESTION) == AskRefused("not_member", JOIN_TEXT)
    with session_scope(db) as session:
        assert ask_or_show(session, "slack", STRANGER, "", MONDAY) == AskRefused("not_member", JOIN_TEXT)
    assert rows(db, Question) == []


def test_an_empty_or_too_long_question_is_refused(db):
    empty = ask(db, LEAD, "community:  ")
    assert isinstance(empty, AskRefused) and empty.reason == "empty"
    assert "Write the question after the command" in empty.message
    long = ask(db, LEAD, "x" * (MAX_TEXT + 1))
    assert isinstance(long, AskRefused) and long.reason == "too_long"
    assert "501 characters; the most is 500" in long.message
    assert rows(db, Question) == []
    assert isinstance(ask(db, LEAD, "x" * MAX_TEXT), Asked)


def test_a_lead_of_two_programmes_names_one(db):
    insert_member(db, LEAD, "lead", programme="vale", organisation="vale-council")
    which = ask(db, LEAD, QUESTION)
    assert isinstance(which, AskRefused) and which.reason == "which_programme"
    assert "test-fund" in which.message and "vale" in which.message
    result = asked(db, f"vale community: {QUESTION}")
    assert (result.programme_name, result.audience, result.partners) == ("Vale winter discharge fund", "community", 0)
    assert "nobody will see it" in result.message
    assert on_form(db, BOB) == []  # a question of another programme


def test_nhs_numbers_are_removed_from_the_question(db):
    result = asked(db, f"Is patient {NHS} home yet?")
    assert result.text == f"Is patient {REPLACEMENT} home yet?" and result.redactions == 1
    assert "1 NHS number was removed" in result.message
    (question,) = rows(db, Question)
    assert NHS not in question.text
    (audit,) = [a for a in rows(db, AuditEvent) if a.action == "question.asked"]
    assert audit.detail["redactions"] == 1 and NHS not in audit.detail["text"]


# answering in the check-in


def test_the_question_is_an_optional_field_on_the_form(db):
    question = asked(db)
    form = form_for(db, BOB)
    (on,) = form.questions
    assert (on.id, on.text, on.asked_by, on.asked_by_organisation, on.answer) == (
        question.question_id,
        QUESTION,
        "Alice Lead",
        "Council",
        None,
    )
    assert on.key == question_key(question.question_id) == f"question:{question.question_id}"
    assert on.key in form.keys
    assert on.key not in initial_values(form)
    outcome = validate(form, bobs_answers(form))
    assert not isinstance(outcome, dict) and outcome.questions == ()


def test_an_answer_is_stored_with_the_check_in_and_leaves_the_next_days_form(db):
    question = asked(db)
    key = question_key(question.question_id)
    result = stored(db, DEV, {key: "  Six, mostly waiting for home care  "})
    assert result.questions_answered == 1
    (answer,) = rows(db, QuestionAnswer)
    (checkin,) = rows(db, CheckIn)
    assert (answer.question_id, answer.checkin_id, answer.text) == (
        question.question_id,
        checkin.id,
        "Six, mostly waiting for home care",
    )
    assert (answer.member_id, answer.organisation_id, answer.answered_at) == (
        checkin.member_id,
        checkin.organisation_id,
        MONDAY,
    )
    assert on_form(db, DEV, date(2027, 1, 12)) == []
    assert on_form(db, BOB, date(2027, 1, 12)) == [question.question_id]  # Bob has not answered


def test_amending_shows_the_answer_again_and_the_newest_answer_counts(db):
    question = asked(db)
    key = question_key(question.question_id)
    stored(db, BOB, bobs_answers(form_for(db, BOB), **{key: "Four"}))
    form = form_for(db, BOB)
    assert [q.answer for q in form.questions] == ["Four"]
    assert initial_values(form)[key] == "Four"
    amended = stored(db, BOB, bobs_answers(form, **{key: "Five, sorry"}), MONDAY + timedelta(hours=1))
    assert amended.amended and amended.questions_answered == 1
    assert [a.text for a in rows(db, QuestionAnswer)] == ["Four", "Five, sorry"]  # both on record
    (shown,) = answers_since(db)
    assert [(a.member_name, a.text) for a in shown.answers] == [("Bob Partner", "Five, sorry")]


def test_nothing_new_today_answers_no_question_and_leaves_it_open(db):
    question = asked(db)
    with session_scope(db) as session:
        result = checkin_no_change(session, "slack", BOB, None, MONDAY)
    assert result.recorded and result.no_change and result.questions_answered == 0
    assert rows(db, QuestionAnswer) == []
    assert on_form(db, BOB) == [question.question_id]
    assert on_form(db, BOB, date(2027, 1, 12)) == [question.question_id]


def test_a_blank_answer_stores_nothing_and_a_long_one_is_refused_on_its_field(db):
    question = asked(db)
    key = question_key(question.question_id)
    assert stored(db, DEV, {key: "   "}).questions_answered == 0
    assert rows(db, QuestionAnswer) == []
    refused = submit(db, DEV, {key: "y" * (MAX_ANSWER + 1)})
    assert isinstance(refused, Rejected) and list(refused.errors) == [key]
    assert "under 1,000 characters" in refused.errors[key]


def test_nhs_numbers_are_removed_from_an_answer(db):
    question = asked(db)
    key = question_key(question.question_id)
    result = stored(db, DEV, {key: f"One: {NHS} is still waiting"})
    assert result.redactions == 1
    (answer,) = rows(db, QuestionAnswer)
    assert answer.text == f"One: {REPLACEMENT} is still waiting"
    (checkin,) = rows(db, CheckIn)
    assert checkin.redactions == 1


# the leads' view


def test_answers_are_attributed_and_counted_newest_question_first(db):
    old = asked(db, "An old question", now=MONDAY - timedelta(days=14))
    first = asked(db, f"community: {QUESTION}")
    second = asked(db, "Anything else?", now=MONDAY + timedelta(minutes=5))
    stored(db, DEV, {question_key(first.question_id): "Two"}, MONDAY + timedelta(minutes=10))
    stored(
        db,
        BOB,
        bobs_answers(form_for(db, BOB), **{question_key(first.question_id): "Four"}),
        MONDAY + timedelta(minutes=20),
    )
    shown = answers_since(db)
    assert [q.id for q in shown] == [second.question_id, first.question_id]  # the old one is past the fortnight
    assert old.question_id not in [q.id for q in shown]
    newest, community = shown
    assert (newest.answered, newest.asked) == (0, 4)
    assert (community.audience, community.answered, community.asked) == ("community", 2, 3)
    assert [(a.organisation, a.member_name, a.text, a.answered_on) for a in community.answers] == [
        ("Healthwatch", "Dev Watcher", "Two", date(2027, 1, 11)),
        ("Home Carers Ltd", "Bob Partner", "Four", date(2027, 1, 11)),
    ]
    assert (community.asked_by, community.asked_by_organisation) == ("Alice Lead", "Council")


def test_ask_alone_shows_the_answers_to_leads_and_refuses_partners(db):
    asked(db)
    with session_scope(db) as session:
        view = ask_or_show(session, "slack", LEAD, "", MONDAY)
        named = ask_or_show(session, "slack", LEAD, "test-fund", MONDAY)
        refused = ask_or_show(session, "slack", BOB, "", MONDAY)
    assert isinstance(view, QuestionsView) and isinstance(named, QuestionsView)
    assert (view.programme_name, view.today, view.since) == ("Test fund", date(2027, 1, 11), date(2026, 12, 29))
    assert [q.text for q in view.questions] == [QUESTION] == [q.text for q in named.questions]
    assert isinstance(refused, AskRefused) and refused.reason == "not_lead"
