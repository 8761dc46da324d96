"""Blockers as things with a life (bot/checkin/blockers.py) on a real database: raised at
check-in, changed by an amendment, answered by the leads, resolved by the partner, each seen only
by whom it concerns; and the words every platform says of them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from checkin_store_support import (
    BOB,
    CAROL,
    LEAD,
    MONDAY,
    OBSERVER,
    TUESDAY,
    WATCHER,
    answers,
    db,  # noqa: F401 (fixtures)
    form_for,
    rows,
    stored,
    submit,
)
from sqlmodel import select

from bot.checkin.blockers import (
    BlockerActed,
    BlockerRefused,
    BlockersList,
    answer_standing,
    blockers_command,
    unanswered_of,
)
from bot.checkin.blockers_words import acted_sentence, heading, listing_intro, thread
from bot.checkin.field_keys import blocker_key
from bot.checkin.flow import Rejected
from bot.checkin.form import initial_values
from bot.common.redact import REPLACEMENT
from bot.people.lead_commands import NotForYou
from bot.reports.decisions import DecisionRecorded, answered_blockers, record_decision
from bot.risks.requests import risks_command
from bot.risks.scan import findings, scan
from models.db import session_scope
from models.tables import Blocker, BlockerEvent, CheckIn, Decision, Member, Programme

FRIDAY_8_JAN = datetime(2027, 1, 8, 10, tzinfo=UTC)


def said(db, user_id: str, rest: str = "", now=TUESDAY):
    with session_scope(db) as session:
        return blockers_command(session, "slack", user_id, rest, now)


def test_a_blocker_raised_at_check_in_is_an_item_and_a_new_day_starts_blank(db):
    stored(db, BOB, answers(form_for(db, BOB), blockers="No drivers after 4pm"))
    [blocker] = rows(db, Blocker)
    assert (blocker.text, blocker.status, blocker.raised_on) == ("No drivers after 4pm", "open", MONDAY.date())
    assert [e.action for e in rows(db, BlockerEvent)] == ["raised"]
    tuesday = form_for(db, CAROL, TUESDAY.date())
    assert tuesday.blockers is None  # not yesterday's words again
    assert [b.blocker_id for b in tuesday.open_blockers] == [blocker.id]


def test_amending_the_day_s_check_in_changes_its_blocker_not_a_second_one(db):
    stored(db, BOB, answers(form_for(db, BOB), blockers="No drivers"))
    assert form_for(db, BOB).blockers == "No drivers"  # amending shows today's words again
    stored(db, BOB, answers(form_for(db, BOB), blockers="No drivers on the east side"), now=MONDAY + timedelta(hours=1))
    [blocker] = rows(db, Blocker)
    assert blocker.text == "No drivers on the east side"
    stored(db, BOB, answers(form_for(db, BOB), blockers=""), now=MONDAY + timedelta(hours=2))
    assert rows(db, Blocker)[0].status == "resolved"  # emptied: withdrawn
    assert [e.action for e in rows(db, BlockerEvent)] == ["raised", "changed", "resolve"]


def test_a_lead_replies_takes_it_on_and_the_partner_resolves_it(db):
    stored(db, BOB, answers(form_for(db, BOB), blockers="Referrals after 4pm with no medication list"))
    blocker_id = rows(db, Blocker)[0].id
    replied = said(db, LEAD, f"reply {blocker_id} We have asked the wards to send lists by 2pm")
    assert isinstance(replied, BlockerActed) and replied.raiser_member_id == rows(db, Blocker)[0].raised_by_member_id
    assert replied.blocker.status == "open" and replied.blocker.answered
    taken = said(db, LEAD, f"take #{blocker_id}")
    assert isinstance(taken, BlockerActed) and taken.blocker.status == "working" and taken.blocker.owner == "Council"
    assert thread(taken.blocker) == [
        "Alice Lead (Council) replied: We have asked the wards to send lists by 2pm",
        "Alice Lead (Council) took it on",
    ]
    done = said(db, CAROL, f"resolve {blocker_id} Lists arrive by 2pm now")
    assert isinstance(done, BlockerActed) and done.blocker.status == "resolved"
    assert acted_sentence(done).startswith(
        f"You marked resolved blocker #{blocker_id} from Home Carers Ltd; it is resolved."
    )
    listing = said(db, LEAD)
    assert isinstance(listing, BlockersList) and listing.blockers == ()


def test_who_may_do_what(db):
    stored(db, BOB, answers(form_for(db, BOB), blockers="No drivers"))
    blocker_id = rows(db, Blocker)[0].id
    assert isinstance(said(db, BOB, f"reply {blocker_id} thanks"), BlockerRefused)  # partners do not answer
    assert isinstance(said(db, WATCHER, f"resolve {blocker_id}"), BlockerRefused)  # not their organisation's
    assert isinstance(said(db, "U0STRANGER", ""), BlockerRefused)
    refused = said(db, LEAD, f"wontfix {blocker_id}")
    assert isinstance(refused, BlockerRefused) and "needs a note" in refused.message
    assert "not something you can do" in said(db, LEAD, "shout 1").message
    assert "by its number" in said(db, LEAD, "reply soon").message
    assert "no blocker 999" in said(db, LEAD, "take 999").message
    assert rows(db, Blocker)[0].status == "open"  # nothing refused changed it


def test_each_sees_only_what_concerns_them(db):
    stored(db, BOB, answers(form_for(db, BOB), blockers="No drivers"))
    lead, carol, watcher = said(db, LEAD), said(db, CAROL), said(db, WATCHER)
    assert [b.text for b in lead.blockers] == ["No drivers"] and lead.may_answer
    assert [b.text for b in carol.blockers] == ["No drivers"] and not carol.may_answer  # her organisation's
    assert watcher.blockers == ()
    assert listing_intro(carol).startswith("1 blocker open on ")
    assert listing_intro(carol).endswith(" raised by your organisation, oldest first.")
    observer = said(db, OBSERVER)
    assert isinstance(observer, BlockerRefused) and "observer" in observer.message


def test_a_lead_s_note_is_redacted_before_it_is_stored(db):
    stored(db, BOB, answers(form_for(db, BOB), blockers="No drivers"))
    blocker_id = rows(db, Blocker)[0].id
    said(db, LEAD, f"reply {blocker_id} Mr A 943 476 5919 has a driver now")
    notes = [e.note for e in rows(db, BlockerEvent) if e.action == "reply"]
    assert notes == [f"Mr A {REPLACEMENT} has a driver now"]


def test_the_heading_says_whose_since_when_and_where_it_stands(db):
    stored(db, BOB, answers(form_for(db, BOB), blockers="No drivers"))
    blocker_id = rows(db, Blocker)[0].id
    taken = said(db, LEAD, f"take {blocker_id}")
    assert (
        heading(taken.blocker)
        == f"#{blocker_id} Home Carers Ltd, since Mon 4 Jan (being worked on, taken on by Council)"
    )
    assert taken.blocker.raised_on == date(2027, 1, 4)


# -- asked after at the next check-in ---------------------------------------------------------------


def test_the_next_check_in_asks_after_each_open_blocker_and_resolving_it_there_closes_it(db):
    stored(db, BOB, answers(form_for(db, BOB), blockers="No drivers"))
    blocker_id = rows(db, Blocker)[0].id
    tuesday = form_for(db, CAROL, TUESDAY.date())
    assert initial_values(tuesday)[blocker_key(blocker_id)] == "still"  # still a problem unless said
    stored(db, CAROL, answers(tuesday) | {blocker_key(blocker_id): "resolved"}, now=TUESDAY)
    [blocker] = rows(db, Blocker)
    assert blocker.status == "resolved"
    [event] = [e for e in rows(db, BlockerEvent) if e.action == "resolve"]
    assert event.note == "solved, said at check-in" and event.member_id != blocker.raised_by_member_id
    assert form_for(db, BOB, TUESDAY.date() + timedelta(days=1)).open_blockers == ()


def test_still_a_problem_leaves_it_open_and_changed_needs_the_new_words(db):
    stored(db, BOB, answers(form_for(db, BOB), blockers="No drivers"))
    blocker_id = rows(db, Blocker)[0].id
    stored(db, BOB, answers(form_for(db, BOB, TUESDAY.date())), now=TUESDAY)  # "still" by default
    assert rows(db, Blocker)[0].status == "open"
    wednesday = TUESDAY + timedelta(days=1)
    form = form_for(db, BOB, wednesday.date())
    refused = submit(db, BOB, answers(form) | {blocker_key(blocker_id): "changed"}, now=wednesday)
    assert isinstance(refused, Rejected) and "under New blockers" in refused.errors[blocker_key(blocker_id)]
    nonsense = submit(db, BOB, answers(form) | {blocker_key(blocker_id): "maybe"}, now=wednesday)
    assert isinstance(nonsense, Rejected) and blocker_key(blocker_id) in nonsense.errors
    changed = answers(form, blockers="Drivers back, but no keysafe codes") | {blocker_key(blocker_id): "changed"}
    stored(db, BOB, changed, now=wednesday)
    old, new = rows(db, Blocker)
    assert (old.status, new.status, new.text) == ("resolved", "open", "Drivers back, but no keysafe codes")


def test_an_answer_about_another_organisation_s_blocker_changes_nothing(db):
    stored(db, BOB, answers(form_for(db, BOB), blockers="No drivers"))
    blocker_id = rows(db, Blocker)[0].id
    with session_scope(db) as session:
        watcher = session.exec(select(Member).where(Member.platform_user_id == WATCHER)).one()
        checkin = CheckIn(
            programme_id=watcher.programme_id,
            member_id=watcher.id,
            organisation_id=watcher.organisation_id,
            local_date=TUESDAY.date(),
        )
        session.add(checkin)
        session.flush()
        assert answer_standing(session, checkin, ((blocker_id, "resolved"),), TUESDAY) == 0
    assert rows(db, Blocker)[0].status == "open"


# -- unanswered: a risk for the leads --------------------------------------------------------------


def test_a_blocker_nobody_answers_is_raised_as_one_risk_for_the_same_words(db):
    stored(db, BOB, answers(form_for(db, BOB), blockers="No drivers after 4pm"))
    stored(db, WATCHER, {"blockers": "no drivers  after 4PM"})  # the same words, another organisation
    stored(db, CAROL, answers(form_for(db, CAROL), blockers="Keysafe codes missing"))

    def unanswered_on(day: date) -> list:
        with session_scope(db) as session:
            programme = session.exec(select(Programme)).one()
            return [f for f in findings(session, programme, day) if f.rule == "blocker_unanswered"]

    # Raised Mon 4 Jan: Tue 5, Wed 6 and Thu 7 Jan are the three working days with no answer.
    assert unanswered_on(date(2027, 1, 7)) == []
    found = unanswered_on(date(2027, 1, 8))
    assert sorted(f.title for f in found) == [
        "A blocker from Home Carers Ltd and 1 more has had no answer",
        "A blocker from Home Carers Ltd has had no answer",
    ]
    first = rows(db, Blocker)[0].id
    said(db, LEAD, f"reply {first} Wards are sending lists by 2pm")
    assert [f.title for f in unanswered_on(date(2027, 1, 8))] == ["A blocker from Home Carers Ltd has had no answer"]


# -- a decision that answers a blocker ---------------------------------------------------------------


def test_a_decision_can_answer_blockers_and_their_raisers_are_told(db):
    stored(db, BOB, answers(form_for(db, BOB), blockers="No drivers after 4pm"))
    blocker_id = rows(db, Blocker)[0].id
    with session_scope(db) as session:
        refused = record_decision(session, "slack", LEAD, "Fund a second driver answers 999", TUESDAY)
    assert isinstance(refused, NotForYou) and "no blocker 999" in refused.message
    assert rows(db, Decision) == []  # nothing stored when a number is wrong
    with session_scope(db) as session:
        done = record_decision(
            session, "slack", LEAD, f"Fund a second driver to 31 March, answers #{blocker_id}.", TUESDAY
        )
    assert isinstance(done, DecisionRecorded) and done.answers == (blocker_id,)
    assert done.text == "Fund a second driver to 31 March" and "It answers blocker #" in done.message
    [event] = [e for e in rows(db, BlockerEvent) if e.action == "decided"]
    assert event.note == "Fund a second driver to 31 March"
    assert unanswered_of_programme(db) == []  # a decision is an answer


def unanswered_of_programme(db) -> list:
    with session_scope(db) as session:
        return unanswered_of(session, session.exec(select(Programme)).one().id)


def test_the_closing_answers_are_read_however_they_are_written():
    assert answered_blockers("Do it answers 12") == ("Do it", (12,))
    assert answered_blockers("Do it, answers #12, #14 and 15.") == ("Do it", (12, 14, 15))
    assert answered_blockers("Answers 12 are in the minutes") == ("Answers 12 are in the minutes", ())


def test_a_confidential_organisation_s_unanswered_blocker_is_a_risk_only_the_leads_read(db):
    with session_scope(db) as session:
        programme = session.exec(select(Programme)).one()
        programme.settings = {**(programme.settings or {}), "confidential": {"watch": "all"}}
        session.add(programme)
    stored(db, WATCHER, {"blockers": "Two GPs off sick"})
    with session_scope(db) as session:
        scan(session, session.exec(select(Programme)).one(), FRIDAY_8_JAN)

    def register_of(user_id: str) -> str:
        with session_scope(db) as session:
            result = risks_command(session, "slack", user_id, FRIDAY_8_JAN)
        return " ".join(f"{r.title} {r.detail}" for register in result.registers for r in register.risks)

    assert "Two GPs off sick" in register_of(LEAD) and "Healthwatch" in register_of(LEAD)
    for user_id in (BOB, OBSERVER):
        assert "Two GPs off sick" not in register_of(user_id) and "Healthwatch" not in register_of(user_id)


def test_the_same_words_from_several_organisations_are_listed_once_with_how_many(db):
    stored(db, BOB, answers(form_for(db, BOB), blockers="No drivers after 4pm"))
    stored(db, WATCHER, {"blockers": "no drivers after 4pm"})
    listing = said(db, LEAD)
    [view] = listing.blockers
    assert view.also == ("Healthwatch",)
    assert heading(view).startswith(f"#{view.blocker_id} Home Carers Ltd and 1 other (Healthwatch), since Mon 4 Jan")
