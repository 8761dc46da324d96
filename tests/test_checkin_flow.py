"""The whole daily check-in, as a partner lives it: the clock's prompt arrives in a DM,
she opens it, mistypes an amount, fixes it, and the afternoon reminder passes her by."""

from __future__ import annotations

from datetime import date
from datetime import time as clock

import pytest
import time_machine
from slack_signing import block_actions_payload
from sqlmodel import select
from test_slack_checkin import BOB, CAROL, good_answers, programme_id, scheme_ids, send, typed_into  # noqa: F401

from bot.common.calendar import local_instant
from bot.sending.jobs import JobContext
from bot.sending.jobs.daily_prompts import run_daily_prompts
from bot.sending.jobs.reminders import run_reminders
from handlers.slack.messenger import SlackMessenger, sync_client
from models.db import session_scope
from models.tables import CheckIn, Programme, SpendReport

DAY = date(2027, 1, 5)
PROMPT_AT = local_instant(DAY, clock(9, 30))


@pytest.fixture
def at_half_past_nine():
    with time_machine.travel(PROMPT_AT, tick=True):
        yield


def test_prompt_button_modal_bad_amount_good_answer_then_no_reminder(
    at_half_past_nine,
    slack_server,
    slack_settings,
    slack_api,
    engine,
    programme_id,
    scheme_ids,
):
    ctx = JobContext(engine=engine, messengers={"slack": SlackMessenger(sync_client(slack_settings))})
    with session_scope(engine) as session:
        programme = session.exec(select(Programme)).one()

    prompted = run_daily_prompts(ctx, programme, PROMPT_AT)
    assert prompted.sent == 3  # Bob, Carol and Dev are the partners
    prompt = next(c for c in slack_api.calls("chat.postMessage") if c["channel"] == BOB)
    button = next(
        e for b in prompt["blocks"] if b["type"] == "actions" for e in b["elements"] if e["action_id"] == "checkin_open"
    )
    dm = slack_api.history_all()[0]["ts"]

    pressed = slack_server.interact(
        block_actions_payload(
            "checkin_open",
            button["value"],
            BOB,
            block_id="checkin_prompt",
            channel_id="D0BOB",
            message_ts=dm,
            response_url=slack_api.response_url("prompt"),
        )
    )
    assert pressed.status_code == 200
    view = slack_api.wait_for("views.open")[-1]["view"]
    actual = f"scheme:{scheme_ids['hours']}:actual"
    assert actual in typed_into(view)

    refused = send(slack_server, view, good_answers(view, scheme_ids) | {actual: "twelve"})
    assert refused["response_action"] == "errors"
    assert list(refused["errors"]) == [actual]
    assert "twelve" in refused["errors"][actual] or "amount" in refused["errors"][actual]
    with session_scope(engine) as session:
        assert session.exec(select(CheckIn)).all() == []

    stored = send(slack_server, view, good_answers(view, scheme_ids))
    assert stored["response_action"] == "update"
    with session_scope(engine) as session:
        [checkin] = session.exec(select(CheckIn)).all()
        assert checkin.local_date == DAY
        hours = session.exec(select(SpendReport).where(SpendReport.scheme_id == scheme_ids["hours"])).one()
    assert str(hours.actual) == "12500.00"

    slack_api.clear()
    reminded = run_reminders(ctx, programme, local_instant(DAY, clock(14)))
    assert reminded.sent == 2 and reminded.skipped["answered"] == 1
    to = {c["channel"] for c in slack_api.calls("chat.postMessage") if c["text"].startswith("Reminder:")}
    assert BOB not in to and CAROL in to
