"""daily-brief and weekly-digest end to end against the Slack double: on time, in the right
channel, the chart uploaded, every message within Block Kit's limits, never twice, never lost."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, timedelta

import pytest
from slack_double import BOT_TOKEN
from test_brief import BOB, all_text, at, capacity, check_in
from test_brief import programme as loaded  # noqa: F401 (a fixture)

from bot.common.config import Settings
from bot.sending.deliveries import BACKOFF
from bot.sending.jobs import JOBS, JobContext
from bot.sending.jobs.daily_brief import run_daily_brief
from bot.sending.jobs.weekly_digest import run_weekly_digest
from bot.sending.ports import Destination
from handlers.slack.blocks.limits import check_message
from handlers.slack.messenger import SlackMessenger, chart_filename, sync_client
from models.db import session_scope
from models.tables import Programme

LEADS, CHANNEL = "C0LEADS", "C0TEST"
TUE, FRI = date(2027, 1, 5), date(2027, 1, 8)


@pytest.fixture
def programme(engine, loaded) -> Programme:
    with session_scope(engine) as session:
        row = session.get(Programme, loaded.id)
        row.leads_channel = LEADS
        session.add(row)
    with session_scope(engine) as session:
        return session.get(Programme, loaded.id)


@pytest.fixture
def ctx(engine, slack_api) -> JobContext:
    settings = Settings(slack_bot_token=BOT_TOKEN, slack_api_url=slack_api.url)
    return JobContext(engine=engine, messengers={"slack": SlackMessenger(sync_client(settings))}, workers=2)


def posts(slack_api, channel: str | None = None) -> list:
    return [c for c in slack_api.calls("chat.postMessage") if channel is None or c["channel"] == channel]


def key_of(call) -> str:
    return call["metadata"]["event_payload"]["key"]


def test_the_jobs_are_registered():
    assert {"daily-brief", "weekly-digest"} <= set(JOBS)


# -- the brief ------------------------------------------------------------------------------------


def test_the_brief_goes_to_the_leads_at_half_past_eight_once(ctx, programme, engine, slack_api):
    check_in(engine, BOB, date(2027, 1, 4), comment="Two carers off sick")
    early = run_daily_brief(ctx, programme, at(TUE, 8, 29))
    assert early.note == "nothing sent: not due until 08:30" and posts(slack_api) == []

    due = run_daily_brief(ctx, programme, at(TUE, 8, 30))
    assert due.sent == 1 and due.line() == (
        "daily-brief test-fund Tue 05 Jan 2027: the brief on Mon 04 Jan, sent 1, already sent 0, failed 0"
    )
    [post] = posts(slack_api)
    assert post["channel"] == LEADS
    assert key_of(post) == "test-fund:daily-brief:slack:C0LEADS:part1:2027-01-05"
    check_message(post["blocks"])
    assert "Two carers off sick" in all_text([post]) and "— *Home Carers Ltd*" in all_text([post])

    again = run_daily_brief(ctx, programme, at(TUE, 9))
    assert (again.sent, again.already_sent) == (0, 1) and len(posts(slack_api)) == 1


def test_no_brief_on_a_bank_holiday_or_at_the_weekend(ctx, programme, slack_api):
    assert run_daily_brief(ctx, programme, at(date(2026, 12, 28), 9)).note.endswith("is a bank holiday")
    assert run_daily_brief(ctx, programme, at(date(2027, 1, 9), 9)).note == "nothing sent: a weekend"
    assert posts(slack_api) == []


@pytest.mark.slow
def test_a_long_brief_is_posted_in_parts_in_order(ctx, programme, engine, slack_api):
    check_in(engine, BOB, date(2027, 1, 4), comment="Comment 00 " + "word " * 6000)  # longer than a message
    result = run_daily_brief(ctx, programme, at(TUE, 8, 30))
    sent = posts(slack_api, LEADS)
    assert result.sent == len(sent) > 1
    assert [key_of(c) for c in sent] == [
        f"test-fund:daily-brief:slack:C0LEADS:part{n}:2027-01-05" for n in range(1, len(sent) + 1)
    ]
    for call in sent:
        check_message(call["blocks"])
    assert run_daily_brief(ctx, programme, at(TUE, 10)).already_sent == len(sent)
    assert len(posts(slack_api)) == len(sent)


# -- the digest -----------------------------------------------------------------------------------


def test_the_digest_goes_on_friday_at_three_with_the_chart_once(ctx, programme, engine, slack_api):
    capacity(engine, TUE, 3)
    thursday = run_weekly_digest(ctx, programme, at(date(2027, 1, 7), 15))
    assert thursday.note == "nothing sent: the digest goes on Fri 08 Jan"
    early = run_weekly_digest(ctx, programme, at(FRI, 14, 59))
    assert early.note == "nothing sent: not due until 15:00" and posts(slack_api) == []

    first = run_weekly_digest(ctx, programme, at(FRI, 15))
    sent = posts(slack_api, CHANNEL)
    assert len(sent) >= 2 and first.sent == len(sent) + 1  # the messages and the chart
    assert first.line().startswith(
        "weekly-digest test-fund Fri 08 Jan 2027: the digest of Tue 05 Jan to Fri 08 Jan, sent "
    )
    for call in sent:
        check_message(call["blocks"])
    [complete] = slack_api.calls("files.completeUploadExternal")
    assert complete["channel_id"] == CHANNEL
    assert slack_api.last("upload").raw.startswith(b"\x89PNG")
    assert slack_api.last("files.getUploadURLExternal")["filename"] == chart_filename(
        "test-fund:weekly-digest:slack:C0TEST:chart:2027-01-08"
    )
    # in order: the spend, then the chart, then the rest
    methods = [m for m in slack_api.methods() if m in ("chat.postMessage", "files.completeUploadExternal")]
    assert methods[:3] == ["chat.postMessage", "files.completeUploadExternal", "chat.postMessage"]
    assert "Spend against the trajectory" in all_text(sent[:1]) and "Capacity by service" in all_text(sent[1:])

    second = run_weekly_digest(ctx, programme, at(FRI, 15, 30))
    assert (second.sent, second.already_sent) == (0, first.sent)
    assert len(posts(slack_api)) == len(sent)
    assert len(slack_api.calls("files.completeUploadExternal")) == 1


def test_a_failed_upload_is_retried_and_holds_back_the_rest(ctx, programme, slack_api):
    slack_api.fail_next("upload", status=500, error="internal_error")
    first = run_weekly_digest(ctx, programme, at(FRI, 15))
    assert (first.sent, first.retrying) == (1, 1)
    assert first.skipped["waiting for an earlier part"] >= 1
    assert len(posts(slack_api)) == 1 and slack_api.calls("files.completeUploadExternal") == []

    too_soon = run_weekly_digest(ctx, programme, at(FRI, 15, 0) + BACKOFF[0] / 2)
    assert too_soon.sent == 0 and len(posts(slack_api)) == 1

    later = run_weekly_digest(ctx, programme, at(FRI, 15) + BACKOFF[0] + timedelta(seconds=1))
    assert later.sent >= 2 and later.already_sent == 1
    assert [c["channel_id"] for c in slack_api.calls("files.completeUploadExternal")] == [CHANNEL]
    assert len(posts(slack_api)) == later.sent  # part 1 earlier, the rest now: the chart is not a post
    for call in posts(slack_api):
        check_message(call["blocks"])


def test_the_digest_moves_past_good_friday_and_easter_monday(ctx, programme, slack_api):
    assert run_weekly_digest(ctx, programme, at(date(2027, 3, 26), 15)).note.endswith("is a bank holiday")
    assert run_weekly_digest(ctx, programme, at(date(2027, 3, 29), 15)).note.endswith("is a bank holiday")
    moved = run_weekly_digest(ctx, programme, at(date(2027, 3, 30), 15))
    assert moved.sent >= 3 and "the digest of Sat 20 Mar to Tue 30 Mar" in moved.line()


def test_an_uploaded_chart_is_found_by_its_key(ctx, slack_api):
    messenger = ctx.messengers["slack"]
    destination = Destination("slack", CHANNEL)
    key = "test-fund:weekly-digest:slack:C0TEST:chart:2027-01-08"
    assert messenger.find_upload(destination, key) is None
    reference = messenger.upload_chart(destination, b"\x89PNG chart", "Burn-up", key)
    assert messenger.find_upload(destination, key) == reference
    assert messenger.find_upload(destination, key.replace("01-08", "01-15")) is None


# -- the command line -------------------------------------------------------------------------------


def test_run_job_weekly_digest_prints_its_line(database_url, programme, slack_api):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))}
    env.update(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_API_URL=slack_api.url, DATABASE_URL=database_url)
    argv = [
        sys.executable,
        "-m",
        "bot",
        "run-job",
        "weekly-digest",
        "--programme",
        "test-fund",
        "--at",
        "2027-01-08T15:00",
    ]
    first = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
    second = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    parts = len(posts(slack_api, CHANNEL)) + 1
    assert first.stdout.strip() == (
        f"weekly-digest test-fund Fri 08 Jan 2027: the digest of Tue 05 Jan to Fri 08 Jan, "
        f"sent {parts}, already sent 0, failed 0"
    )
    assert second.stdout.strip() == f"weekly-digest test-fund Fri 08 Jan 2027: sent 0, already sent {parts}, failed 0"
    assert len(slack_api.calls("files.completeUploadExternal")) == 1
