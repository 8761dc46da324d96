"""The brief answers blockers, in Teams end to end: real activities posted to the real ASGI app,
the Bot Connector double capturing what it sends. A partner raises a blocker on the check-in card;
the brief's card in the leads' channel unfolds a Reply… form under it; Send runs as the Teams user
who pressed it (a partner is refused, whatever the card's data says); the partner is told in their
chat by the clock's watch, and resolves it on their next check-in."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlmodel import select
from teams_activities import card_action, installed, message, team_installed
from teams_double import strings
from test_teams_e2e import (  # noqa: F401 (fixtures)
    ALICE,
    BOB,
    TEAMS_CHANNEL,
    TEAMS_LEADS,
    action,
    jobs,
    post,
    scheme_id,
    server,
    settings,
    teams_api,
)

from bot.checkin.field_keys import blocker_key
from bot.sending.scheduler import run_job, watch_pass
from handlers.teams.cards.reports import BLOCKER_REPLY
from models.db import session_scope
from models.tables import Blocker, BlockerEvent

LONDON = ZoneInfo("Europe/London")
MON_1000 = datetime(2027, 1, 4, 10, 0, tzinfo=LONDON)
TUE_0830 = datetime(2027, 1, 5, 8, 30, tzinfo=LONDON)
TUE_1000 = datetime(2027, 1, 5, 10, 0, tzinfo=LONDON)
FRI_1501 = datetime(2027, 1, 8, 15, 1, tzinfo=LONDON)
WORDS = "No drivers after 4pm"


@pytest.fixture
def installed_all(server, teams_api) -> Iterator[None]:
    with time_machine.travel(MON_1000, tick=True):
        for user in (ALICE, BOB):
            post(server, installed(teams_api.url, user))
        post(server, team_installed(teams_api.url, ALICE, TEAMS_LEADS, "Mixed fund leads"))
    yield


def check_in(server, teams_api, engine, **extra: str) -> dict[str, Any]:
    """Bob types `checkin` and sends the card it opens; the form as it was shown."""
    before = len(teams_api.sent(BOB.conversation_id))
    post(server, message(teams_api.url, BOB, "checkin"))
    form = teams_api.wait_for(before + 1, BOB.conversation_id)[-1].cards[0]
    hours = scheme_id(engine, "hours")
    answers = {
        **action(form, "checkin:submit")["data"],
        f"scheme:{hours}:actual": "1000",
        f"scheme:{hours}:committed": "0",
        f"scheme:{hours}:activity": "10",
        "service:home_care": "2",
        "service:reablement": "2",
        **extra,
    }
    stored = post(server, card_action(teams_api.url, BOB, "checkin:submit", answers)).json()
    assert "is in" in strings(stored["value"]), strings(stored["value"])
    return form


def reply_forms(card: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for e in card["body"] if e["type"] == "ActionSet" for a in e["actions"]]


def the_blocker(engine) -> Blocker:
    with session_scope(engine) as session:
        return session.exec(select(Blocker)).one()


def test_a_lead_answers_from_the_brief_card_and_the_partner_is_told_then_resolves_it(
    server, teams_api, engine, jobs, installed_all
):
    with time_machine.travel(MON_1000, tick=True):
        check_in(server, teams_api, engine, blockers=WORDS)
    blocker = the_blocker(engine)

    with time_machine.travel(TUE_0830, tick=True):
        run_job(jobs, "daily-brief", TUE_0830.astimezone(UTC), "mixed-fund")
        [brief] = [s for s in teams_api.sent(TEAMS_LEADS) if "Daily brief" in s.card_text]
        card = brief.cards[0]
        assert f"#{blocker.id} Home Carers Ltd: “{WORDS}” (new)" in brief.card_text
        [form] = reply_forms(card)
        assert form["type"] == "Action.ShowCard" and form["title"] == "Reply…"
        [send] = form["card"]["actions"]
        assert send["verb"] == BLOCKER_REPLY

        typed = {**send["data"], f"note:{blocker.id}": "Council drivers from Thursday", f"action:{blocker.id}": "reply"}
        refused = post(server, card_action(teams_api.url, BOB, BLOCKER_REPLY, typed)).json()
        assert "Only the programme's leads can reply" in strings(refused["value"])
        done = post(server, card_action(teams_api.url, ALICE, BLOCKER_REPLY, typed, brief.activity_id)).json()
        shown = strings(done["value"])
        assert f"You replied to blocker #{blocker.id} from Home Carers Ltd" in shown
        assert "Alice Lead (Council) replied: Council drivers from Thursday" in shown
        with session_scope(engine) as session:
            events = session.exec(select(BlockerEvent).where(BlockerEvent.blocker_id == blocker.id)).all()
        assert [(e.action, e.note) for e in events] == [("raised", None), ("reply", "Council drivers from Thursday")]

        watch_pass(jobs, datetime.now(UTC))
        told = [s for s in teams_api.sent(BOB.conversation_id) if "replied to your blocker" in (s.text + s.card_text)]
        assert len(told) == 1 and "Council drivers from Thursday" in told[0].text + told[0].card_text

    with time_machine.travel(TUE_1000, tick=True):
        check_in(server, teams_api, engine, **{blocker_key(blocker.id): "resolved"})
    assert the_blocker(engine).status == "resolved"

    # The weekly digest in the programme's Teams channel says it: you said, we did.
    with time_machine.travel(FRI_1501, tick=True):
        run_job(jobs, "weekly-digest", FRI_1501.astimezone(UTC), "mixed-fund")
    said = " ".join(s.card_text for s in teams_api.sent(TEAMS_CHANNEL) if "You said, we did" in s.card_text)
    assert f"“{WORDS}” (Home Carers Ltd, Mon 4 Jan)" in said
    assert "Alice Lead (Council) replied: “Council drivers from Thursday”" in said and "resolved" in said


def test_a_send_with_no_blocker_or_no_note_changes_nothing(server, teams_api, engine, jobs, installed_all):
    with time_machine.travel(MON_1000, tick=True):
        check_in(server, teams_api, engine, blockers=WORDS)
        blocker = the_blocker(engine)
        stale = post(server, card_action(teams_api.url, ALICE, BLOCKER_REPLY, {"verb": BLOCKER_REPLY})).json()
        assert "no longer points" in strings(stale["value"])
        bare = {"verb": BLOCKER_REPLY, "blocker_id": blocker.id, f"action:{blocker.id}": "wontfix"}
        refused = post(server, card_action(teams_api.url, ALICE, BLOCKER_REPLY, bare)).json()
        assert "needs a note" in strings(refused["value"])
        taken = {"verb": BLOCKER_REPLY, "blocker_id": blocker.id, f"action:{blocker.id}": "take"}
        post(server, card_action(teams_api.url, ALICE, BLOCKER_REPLY, taken))
    assert the_blocker(engine).status == "working"
