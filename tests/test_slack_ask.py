"""`/winter ask` end to end: signed requests to the real ASGI app, the Slack double answering its
Web API calls, on a clock set to Wednesday 20 January 2027 at 10:00 in London. A lead asks; Bob's
check-in modal shows the question under "The leads ask"; Bob answers it in his check-in; the
lead's `/winter ask` shows the answer quoted and attributed. Partners asking are refused politely.
And the renderer (pure) stays within Block Kit's limits however many answers there are.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from fixtures_slack import said
from sqlmodel import col, select
from test_slack_checkin import good_answers, send, texts, typed_into

from bot.checkin.questions import AnswerView, Asked, AskRefused, QuestionsView, QuestionWithAnswers
from bot.common.asking import JOIN_TEXT
from bot.programme.loader import load_path
from handlers.slack.blocks.ask import answers_blocks, ask_blocks, ask_text
from handlers.slack.blocks.limits import MESSAGE_BLOCKS, check_message, check_modal
from models.db import session_scope
from models.tables import Question, QuestionAnswer, Scheme

PROGRAMME = Path(__file__).with_name("fixtures") / "checkin.yaml"
LEAD, BOB, DEV, OBSERVER, STRANGER = "U0TEST0001", "U0TEST0002", "U0TEST0004", "U0TEST0005", "U0NOBODY"
WED_20_JAN_10AM = datetime(2027, 1, 20, 10, 0, tzinfo=ZoneInfo("Europe/London"))
QUESTION = "How many people are waiting for a package of care?"


@pytest.fixture
def january(engine):
    load_path(engine, PROGRAMME)
    with time_machine.travel(WED_20_JAN_10AM, tick=True):
        yield


@pytest.fixture
def scheme_ids(engine, january) -> dict[str, int]:
    with session_scope(engine) as session:
        return {s.key: s.id for s in session.exec(select(Scheme))}


def open_checkin(server, slack_api, user_id: str = BOB) -> dict:
    count = len(slack_api.calls("views.open"))
    response = server.command("checkin", user_id)
    assert response.status_code == 200, response.text
    view = slack_api.wait_for("views.open", count + 1)[-1]["view"]
    check_modal(view)
    return view


def questions(engine) -> list[Question]:
    with session_scope(engine) as session:
        return session.exec(select(Question).order_by(col(Question.id))).all()


def test_a_lead_asks_a_partner_answers_in_the_check_in_and_the_lead_sees_the_answer(
    slack_server, slack_api, engine, january, scheme_ids
):
    shown, fallback = said(slack_server.command(f"ask {QUESTION}", LEAD))
    assert "Question asked on Test fund: 3 partners will see it at their next check-in, until Wed 27 Jan." in shown
    assert f"> {QUESTION}" in shown and "Asked of every partner. Shown only to you." in shown
    assert fallback.startswith("Question asked on Test fund")
    (question,) = questions(engine)
    key = f"question:{question.id}"

    view = open_checkin(slack_server, slack_api)
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert "*The leads ask*" in texts(view["blocks"])
    field = blocks[key]
    assert field["type"] == "input" and field["optional"] is True
    assert field["label"]["text"] == QUESTION
    assert field["element"]["multiline"] is True and "initial_value" not in field["element"]
    assert field["hint"]["text"] == "Asked by Alice Lead (Council) on Wed 20 Jan; open until Wed 27 Jan"
    order = [b.get("block_id") for b in view["blocks"]]
    assert order.index("service:reablement") < order.index(key) < order.index("correction")

    answered = send(
        slack_server, view, good_answers(view, scheme_ids, **{key: "Six: four for home care, two for beds"})
    )
    assert answered["response_action"] == "update"
    check_modal(answered["view"])
    assert "You answered 1 of the leads' questions" in texts(answered["view"]["blocks"])
    with session_scope(engine) as session:
        (answer,) = session.exec(select(QuestionAnswer)).all()
    assert answer.text == "Six: four for home care, two for beds"

    again = open_checkin(slack_server, slack_api)  # amending today shows the answer again
    assert typed_into(again)[key] == "Six: four for home care, two for beds"

    shown, fallback = said(slack_server.command("ask", LEAD))
    assert "The leads' questions: Test fund" in shown
    assert f"> {QUESTION}" in shown
    assert (
        "Asked by Alice Lead (Council) on Wed 20 Jan of every partner, open until Wed 27 Jan. 1 of 3 answered." in shown
    )
    assert "*Home Carers Ltd* (Bob Partner), Wed 20 Jan\n> Six: four for home care, two for beds" in shown
    assert fallback == "1 question asked of partners on Test fund in the last 14 days; 1 answer so far."


def test_a_sector_question_reaches_only_that_sector(slack_server, slack_api, engine, january):
    shown, _ = said(slack_server.command("ask statutory: Are the discharge-to-assess beds free?", LEAD))
    assert "no statutory partner is on the programme yet" in shown
    view = open_checkin(slack_server, slack_api)
    assert not any((b.get("block_id") or "").startswith("question:") for b in view["blocks"])
    assert "The leads ask" not in texts(view["blocks"])


@pytest.mark.parametrize(("user_id", "role"), [(BOB, "a partner"), (OBSERVER, "an observer")])
def test_partners_and_observers_asking_are_refused_politely(slack_server, engine, january, user_id, role):
    for text in (f"ask {QUESTION}", "ask"):
        shown, fallback = said(slack_server.command(text, user_id))
        assert shown.startswith(f"Only the programme's leads ask partners questions; you are {role}.")
        assert "tell one of them, or say it in your check-in" in shown and fallback == shown
    assert questions(engine) == []


def test_a_stranger_is_told_how_to_join(slack_server, engine, january):
    assert said(slack_server.command(f"ask {QUESTION}", STRANGER)) == (JOIN_TEXT, JOIN_TEXT)
    assert questions(engine) == []


def test_help_lists_ask_for_leads_only(slack_server, january):
    lead, _ = said(slack_server.command("help", LEAD))
    partner, _ = said(slack_server.command("help", BOB))
    assert "`/winter ask QUESTION`" in lead and "community:" in lead
    assert "`/winter ask QUESTION`" not in partner


def test_ask_alone_with_no_questions_says_how_to_ask(slack_server, january):
    shown, fallback = said(slack_server.command("ask", LEAD))
    assert "No questions in the last 14 days" in shown and "`/winter ask QUESTION`" in shown
    assert fallback == "No questions asked of partners on Test fund in the last 14 days."


# the renderer, pure


def _answer(n: int, length: int = 990) -> AnswerView:
    text = (f"Answer {n} " + "waiting for care, " * 80)[:length]
    when = datetime(2027, 1, 20, 11, tzinfo=UTC)
    return AnswerView(f"Person {n}", f"Organisation {n}", text, date(2027, 1, 20), when)


def _question(n: int, answers: int) -> QuestionWithAnswers:
    return QuestionWithAnswers(
        id=n,
        text=f"Question {n}: " + "x" * 480,
        audience="community" if n % 2 else "all",
        asked_by="Alice Lead",
        asked_by_organisation="Council",
        asked_on=date(2027, 1, 20),
        closes_on=date(2027, 1, 27) if n % 3 else date(2027, 1, 19),
        answers=tuple(_answer(i) for i in range(answers)),
        asked=max(answers, 60),
    )


def test_many_long_answers_fit_one_message_and_the_rest_are_counted_not_cut():
    view = QuestionsView(1, "Vale", date(2027, 1, 20), date(2027, 1, 7), tuple(_question(n, 40) for n in range(14)))
    blocks = answers_blocks(view)
    check_message(blocks)
    assert len(blocks) <= MESSAGE_BLOCKS
    words = "\n".join(b["text"]["text"] if "text" in b else b.get("elements", [{}])[0].get("text", "") for b in blocks)
    assert "4 older questions not shown." in words
    assert words.count("more answers not shown here: the message is full.") == 10
    shown_answers = words.count("waiting for care")
    assert shown_answers >= 10  # every question shows at least one answer
    for block in blocks:  # every answer shown is shown whole
        if block["type"] == "section" and "Answer " in block["text"]["text"]:
            assert not block["text"]["text"].endswith("…")


def test_the_confirmation_and_refusal_are_short_and_escaped():
    asked = Asked(
        1, 1, "Vale", "Is <!channel> & co ready?", "statutory", date(2027, 1, 20), date(2027, 1, 27), 2, 0, "Asked."
    )
    blocks = ask_blocks(asked)
    check_message(blocks)
    assert "&lt;!channel&gt; &amp; co" in blocks[1]["text"]["text"]
    assert "Asked of statutory partners" in blocks[2]["elements"][0]["text"]
    refused = AskRefused("not_lead", "Only the leads.")
    assert ask_blocks(refused) == [{"type": "section", "text": {"type": "mrkdwn", "text": "Only the leads."}}]
    assert ask_text(refused) == "Only the leads."
