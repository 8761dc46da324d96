"""You said, we did (bot/reports/you_said.py): the week's blockers and what answered them, as the
weekly digest says it to the whole programme channel."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

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
)
from sqlmodel import select

from bot.checkin.blockers import blockers_command
from bot.reports.decisions import record_decision
from bot.reports.digest import compose_digest, digest_markdown
from bot.reports.leads_view import home_for
from bot.reports.you_said import you_said
from bot.reports.you_said_words import you_said_lines
from handlers.slack.blocks.digest import digest_messages
from handlers.slack.blocks.home import home_view
from handlers.teams.cards.reports import report_cards
from models.db import session_scope
from models.tables import Blocker, Programme

SAT_2_JAN, FRI_8_JAN = date(2027, 1, 2), date(2027, 1, 8)
DEC_21 = datetime(2026, 12, 21, 10, tzinfo=MONDAY.tzinfo)


def lead(db, rest: str, now: datetime = TUESDAY) -> None:
    with session_scope(db) as session:
        blockers_command(session, "slack", LEAD, rest, now)


def week(db):
    with session_scope(db) as session:
        return you_said(session, session.exec(select(Programme)).one(), SAT_2_JAN, FRI_8_JAN)


def test_the_week_s_blockers_with_what_answered_them_and_what_still_waits(db):
    stored(db, WATCHER, {"blockers": "Volunteer drivers need DBS checks"}, now=DEC_21)  # before the week
    stored(db, BOB, answers(form_for(db, BOB), blockers="No drivers after 4pm"))  # Mon 4 Jan
    stored(db, CAROL, answers(form_for(db, CAROL, TUESDAY.date()), blockers="Keysafe codes missing"), now=TUESDAY)
    drivers = next(b.id for b in rows(db, Blocker) if b.text.startswith("No drivers"))
    lead(db, f"reply {drivers} Wards will send lists by 2pm")
    with session_scope(db) as session:
        record_decision(
            session, "slack", LEAD, f"Fund a second driver, answers {drivers}", TUESDAY + timedelta(hours=1)
        )
    ys = week(db)
    assert [i.text for i in ys.raised] == ["No drivers after 4pm", "Keysafe codes missing"]
    assert [i.text for i in ys.waiting] == ["Volunteer drivers need DBS checks"]
    lines = you_said_lines(ys)
    assert lines[0] == (
        "“No drivers after 4pm” (Home Carers Ltd, Mon 4 Jan): Alice Lead (Council) replied: “Wards will send "
        "lists by 2pm”; Alice Lead (Council) decided: “Fund a second driver”. Now open."
    )
    assert lines[1] == "“Keysafe codes missing” (Home Carers Ltd, Tue 5 Jan): no answer yet, 3 working days on."
    # From Tue 22 Dec to Fri 8 Jan: 22, 23, 24, 29, 30, 31 Dec and 4 to 8 Jan.
    assert lines[2:] == [
        "Still open from before:",
        "“Volunteer drivers need DBS checks” (Healthwatch, Mon 21 Dec): no answer yet, 11 working days on.",
    ]


def test_a_confidential_organisation_s_words_are_left_out_of_the_channel_s_digest(db):
    stored(db, WATCHER, {"blockers": "Two GPs off sick"})
    stored(db, BOB, answers(form_for(db, BOB), blockers="No drivers after 4pm"))
    with session_scope(db) as session:
        programme = session.exec(select(Programme)).one()
        programme.settings = {**(programme.settings or {}), "confidential": {"watch": "all"}}
        session.add(programme)
    assert [i.text for i in week(db).raised] == ["No drivers after 4pm"]
    with session_scope(db) as session:
        digest = compose_digest(session, session.exec(select(Programme)).one(), FRI_8_JAN, chart=False)
    text = digest_markdown(digest)
    assert "## You said, we did" in text and "No drivers after 4pm" in text and "Two GPs off sick" not in text


def test_the_app_home_says_it_to_each_as_they_may_read_it(db):
    stored(db, BOB, answers(form_for(db, BOB), blockers="No drivers after 4pm"))
    stored(db, WATCHER, {"blockers": "Two GPs off sick"})
    drivers = next(b.id for b in rows(db, Blocker) if b.text.startswith("No drivers"))
    lead(db, f"reply {drivers} Wards will send lists by 2pm")
    with session_scope(db) as session:
        programme = session.exec(select(Programme)).one()
        programme.settings = {**(programme.settings or {}), "confidential": {"watch": "all"}}
        session.add(programme)

    def home_text(user_id: str) -> str:
        with session_scope(db) as session:
            return json.dumps(home_view(home_for(session, "slack", user_id, TUESDAY)))

    carol = home_text(CAROL)  # Bob's colleague: her organisation's blockers and the answer
    assert "You said, we did" in carol and "Wards will send lists by 2pm" in carol and "Two GPs" not in carol
    lead_sees = home_text(LEAD)
    assert "No drivers after 4pm" in lead_sees and "Two GPs off sick" in lead_sees  # the leads read all
    observer = home_text(OBSERVER)
    assert "No drivers after 4pm" in observer and "Two GPs off sick" not in observer
    assert "Two GPs off sick" in home_text(WATCHER)  # their own words


def test_a_lead_s_home_offers_a_reply_to_each_blocker_still_waiting(db):
    stored(db, BOB, answers(form_for(db, BOB), blockers="No drivers after 4pm"))
    stored(db, CAROL, answers(form_for(db, CAROL), blockers="Keysafe codes missing"))
    keysafe = next(b.id for b in rows(db, Blocker) if b.text.startswith("Keysafe"))
    drivers = next(b.id for b in rows(db, Blocker) if b.text.startswith("No drivers"))
    lead(db, f"reply {drivers} Wards will send lists by 2pm")

    def buttons(user_id: str) -> list[str]:
        with session_scope(db) as session:
            view = home_view(home_for(session, "slack", user_id, TUESDAY))
        return [b["accessory"]["action_id"] for b in view["blocks"] if "accessory" in b]

    assert buttons(LEAD) == [f"blocker_reply:{keysafe}"]  # the answered one has no button
    assert buttons(OBSERVER) == [] and buttons(BOB) == []


def test_a_blocker_its_partner_resolved_unanswered_is_not_said_to_be_waiting(db):
    stored(db, BOB, answers(form_for(db, BOB), blockers="No drivers after 4pm"))
    drivers = rows(db, Blocker)[0].id
    with session_scope(db) as session:
        blockers_command(session, "slack", BOB, f"resolve {drivers}", TUESDAY)
    [line] = you_said_lines(week(db))
    assert (
        line == "“No drivers after 4pm” (Home Carers Ltd, Mon 4 Jan): resolved by the partner, with no answer needed."
    )


def test_the_digest_offers_a_reply_on_each_blocker_still_waiting_in_slack_and_teams(db):
    stored(db, BOB, answers(form_for(db, BOB), blockers="No drivers after 4pm"))
    stored(db, CAROL, answers(form_for(db, CAROL), blockers="Keysafe codes missing"))
    keysafe = next(b.id for b in rows(db, Blocker) if b.text.startswith("Keysafe"))
    drivers = next(b.id for b in rows(db, Blocker) if b.text.startswith("No drivers"))
    lead(db, f"reply {drivers} Wards will send lists by 2pm")
    with session_scope(db) as session:
        digest = compose_digest(session, session.exec(select(Programme)).one(), FRI_8_JAN, chart=False)
    blocks = [b for m in digest_messages(digest) for b in m.blocks]
    assert [b["accessory"]["action_id"] for b in blocks if "accessory" in b] == [f"blocker_reply:{keysafe}"]
    cards = json.dumps(report_cards(digest))
    assert f'"blocker_id": {keysafe}' in cards and f'"blocker_id": {drivers}' not in cards
