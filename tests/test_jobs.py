"""daily-prompts and reminders against the Slack double: on time, never twice, never lost."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, time, timedelta

import pytest
from slack_double import BOT_TOKEN
from sqlmodel import select

from bot.checkin.prompts import Prompt, checkin_scope
from bot.common.config import Settings
from bot.programme.file import SAMPLE_PATH
from bot.programme.loader import load_path
from bot.sending.deliveries import LEASE, Planned, claim, delivery_key, plan
from bot.sending.jobs import JobContext
from bot.sending.jobs.daily_prompts import run_daily_prompts
from bot.sending.jobs.prompting import recipient
from bot.sending.jobs.reminders import run_reminders
from bot.sending.scheduler import build_clock, tick
from handlers.slack.messenger import SlackMessenger, sync_client
from models import CheckIn, Delivery, Member, Programme, make_engine, session_scope

PARTNERS = 14  # in the bundled sample


def london(day: date, hh: int, mm: int = 0) -> datetime:
    from bot.common.calendar import local_instant

    return local_instant(day, time(hh, mm))


@pytest.fixture
def programme(engine) -> Programme:
    load_path(engine, SAMPLE_PATH)
    with session_scope(engine) as session:
        return session.exec(select(Programme)).one()


def context(engine, slack_api, workers: int = 4) -> JobContext:
    settings = Settings(slack_bot_token=BOT_TOKEN, slack_api_url=slack_api.url)
    return JobContext(engine=engine, messengers={"slack": SlackMessenger(sync_client(settings))}, workers=workers)


@pytest.fixture
def ctx(engine, slack_api) -> JobContext:
    return context(engine, slack_api)


def posts(slack_api) -> list:
    return slack_api.calls("chat.postMessage")


@pytest.mark.parametrize("day", [date(2026, 12, 25), date(2026, 12, 28), date(2027, 3, 26), date(2027, 3, 29)])
def test_no_prompts_on_bank_holidays(ctx, programme, slack_api, day):
    result = run_daily_prompts(ctx, programme, london(day, 10))
    assert result.sent == 0 and "bank holiday" in result.note
    assert posts(slack_api) == []


def test_no_prompts_at_the_weekend(ctx, programme, slack_api):
    result = run_daily_prompts(ctx, programme, london(date(2027, 1, 9), 10))
    assert result.note == "nothing sent: a weekend"
    assert posts(slack_api) == []


def test_after_the_clock_change_the_prompt_goes_at_half_past_nine_bst(ctx, programme, slack_api):
    early = run_daily_prompts(ctx, programme, datetime(2027, 3, 30, 8, 29, 59, tzinfo=UTC))
    assert early.note == "nothing sent: not due until 09:30" and posts(slack_api) == []
    due = run_daily_prompts(ctx, programme, datetime(2027, 3, 30, 8, 30, tzinfo=UTC))
    assert due.sent == PARTNERS
    assert len(posts(slack_api)) == PARTNERS
    again = run_daily_prompts(ctx, programme, datetime(2027, 3, 30, 8, 31, tzinfo=UTC))
    assert again.sent == 0 and again.already_sent == PARTNERS
    assert len(posts(slack_api)) == PARTNERS


def test_before_the_clock_change_half_past_nine_is_gmt(ctx, programme, slack_api):
    assert run_daily_prompts(ctx, programme, datetime(2027, 3, 25, 9, 29, tzinfo=UTC)).sent == 0
    assert run_daily_prompts(ctx, programme, datetime(2027, 3, 25, 9, 30, tzinfo=UTC)).sent == PARTNERS


def test_the_prompt_is_a_dm_with_the_two_buttons_and_a_key(ctx, programme, slack_api):
    run_daily_prompts(ctx, programme, london(date(2026, 12, 29), 9, 30))
    to = {c["channel"] for c in posts(slack_api)}
    assert len(to) == PARTNERS and all(u.startswith("U0VALE") for u in to)
    assert slack_api.calls("conversations.open") == []
    first = posts(slack_api)[0]
    actions = next(b for b in first["blocks"] if b["type"] == "actions")
    assert [e["action_id"] for e in actions["elements"]] == ["checkin_open", "checkin_no_change"]
    assert first["metadata"]["event_payload"]["key"].startswith("vale-winter-2026:daily-prompts:m")
    assert "Tuesday 29 December" in first["text"]


def test_downtime_is_caught_up_the_same_day_but_never_the_next(ctx, programme, slack_api):
    late = run_daily_prompts(ctx, programme, london(date(2026, 12, 29), 15, 45))
    assert late.sent == PARTNERS
    slack_api.clear()
    next_morning = run_daily_prompts(ctx, programme, london(date(2026, 12, 30), 8, 0))
    assert next_morning.note == "nothing sent: not due until 09:30"
    assert posts(slack_api) == []


def test_away_and_already_answered_members_are_not_prompted(ctx, programme, slack_api, engine):
    today = date(2027, 1, 5)
    with session_scope(engine) as session:
        partners = session.exec(select(Member).where(Member.role == "partner").order_by(Member.id)).all()
        away, answered, back_today = partners[0], partners[1], partners[2]
        away.away_until = today + timedelta(days=1)
        back_today.away_until = today
        session.add_all([away, back_today])
        session.add(
            CheckIn(
                programme_id=programme.id,
                member_id=answered.id,
                organisation_id=answered.organisation_id,
                local_date=today,
                submitted_at=london(today, 8),
            )
        )
    result = run_daily_prompts(ctx, programme, london(today, 9, 30))
    assert result.sent == PARTNERS - 2
    assert result.skipped["checked in already"] == 1
    sent_to = {c["channel"] for c in posts(slack_api)}
    assert away.platform_user_id not in sent_to and answered.platform_user_id not in sent_to
    assert back_today.platform_user_id in sent_to


def test_a_failed_send_is_retried_after_backoff_and_not_lost(programme, slack_api, engine):
    ctx = context(engine, slack_api, workers=1)
    slack_api.fail_next("chat.postMessage", status=500, times=3)  # the client retries twice itself
    now = london(date(2027, 1, 5), 9, 30)
    first = run_daily_prompts(ctx, programme, now)
    assert first.sent == PARTNERS - 1 and first.retrying == 1
    soon = run_daily_prompts(ctx, programme, now + timedelta(seconds=30))
    assert soon.sent == 0 and sum(soon.skipped.values()) == 1
    later = run_daily_prompts(ctx, programme, now + timedelta(minutes=1))
    assert later.sent == 1 and later.already_sent == PARTNERS - 1
    delivered = [c for c in posts(slack_api) if c.get("channel")]
    keys = [c["metadata"]["event_payload"]["key"] for c in delivered]
    assert len(set(keys)) == PARTNERS


def test_a_user_who_left_is_reported_failed_and_not_retried_for_ever(ctx, programme, slack_api, engine):
    with session_scope(engine) as session:
        gone = session.exec(select(Member).where(Member.role == "partner").order_by(Member.id)).first()
    slack_api.answer(
        "chat.postMessage",
        lambda call: (
            {"ok": False, "error": "user_not_found"}
            if call["channel"] == gone.platform_user_id
            else {"ok": True, "channel": "D" + call["channel"], "ts": "1.000001"}
        ),
    )
    now = london(date(2027, 1, 5), 9, 30)
    assert run_daily_prompts(ctx, programme, now).failed == 1
    again = run_daily_prompts(ctx, programme, now + timedelta(hours=2))
    assert again.failed == 1 and again.sent == 0
    with session_scope(engine) as session:
        row = session.exec(select(Delivery).where(Delivery.member_id == gone.id)).one()
    assert row.state == "failed" and "user_not_found" in row.last_error


def test_a_send_whose_outcome_was_lost_is_found_not_repeated(ctx, programme, slack_api, engine):
    """A clock dies after Slack took the message but before it wrote 'sent'."""
    now = london(date(2027, 1, 5), 9, 30)
    with session_scope(engine) as session:
        member = session.exec(select(Member).where(Member.role == "partner").order_by(Member.id)).first()
        scope = checkin_scope(session, member)
    key = delivery_key(programme.slug, "daily-prompts", f"m{member.id}", now.date())
    plan(engine, programme.id, "daily-prompts", now.date(), [Planned(key, member.id)], now)
    assert len(claim(engine, [key], now)) == 1
    ctx.messengers["slack"].send_prompt(recipient(member), Prompt("prompt", scope, now.date()), key)
    # ... and the process is gone. Within the lease nobody touches it:
    during = run_daily_prompts(ctx, programme, now + LEASE / 2)
    assert during.sent == PARTNERS - 1
    after = run_daily_prompts(ctx, programme, now + LEASE + timedelta(seconds=1))
    assert after.sent == 0 and after.already_sent == PARTNERS
    to_member = [c for c in posts(slack_api) if c["metadata"]["event_payload"]["key"] == key]
    assert len(to_member) == 1
    assert slack_api.calls("conversations.history")


def test_two_clocks_at_once_send_each_prompt_once(engine, database_url, programme, slack_api):
    now = london(date(2027, 1, 5), 9, 30)
    contexts = [context(make_engine(database_url), slack_api) for _ in range(2)]
    barrier = threading.Barrier(2)
    results = []

    def run(c):
        barrier.wait()
        results.append(run_daily_prompts(c, programme, now))

    threads = [threading.Thread(target=run, args=(c,)) for c in contexts]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sum(r.sent for r in results) == PARTNERS
    keys = [c["metadata"]["event_payload"]["key"] for c in posts(slack_api)]
    assert len(keys) == len(set(keys)) == PARTNERS
    for c in contexts:
        c.engine.dispose()


def test_reminders_go_to_those_who_have_not_answered(ctx, programme, slack_api, engine):
    today = date(2027, 1, 6)
    run_daily_prompts(ctx, programme, london(today, 9, 30))
    with session_scope(engine) as session:
        answered = session.exec(select(Member).where(Member.role == "partner").order_by(Member.id)).first()
        session.add(
            CheckIn(
                programme_id=programme.id,
                member_id=answered.id,
                organisation_id=answered.organisation_id,
                local_date=today,
                submitted_at=london(today, 10),
            )
        )
    slack_api.clear()
    assert run_reminders(ctx, programme, london(today, 13, 59)).note == "nothing sent: not due until 14:00"
    result = run_reminders(ctx, programme, london(today, 14))
    assert result.sent == PARTNERS - 1 and result.skipped["answered"] == 1
    reminded = {c["channel"] for c in posts(slack_api)}
    assert answered.platform_user_id not in reminded
    assert all(c["text"].startswith("Reminder:") for c in posts(slack_api))
    assert run_reminders(ctx, programme, london(today, 14, 30)).already_sent == PARTNERS - 1


def test_a_late_prompt_is_not_chased_within_the_hour(ctx, programme, slack_api):
    today = date(2027, 1, 6)
    run_daily_prompts(ctx, programme, london(today, 13, 30))
    early = run_reminders(ctx, programme, london(today, 14))
    assert early.sent == 0 and early.skipped["prompted under an hour ago"] == PARTNERS
    assert run_reminders(ctx, programme, london(today, 14, 30)).sent == PARTNERS


def test_a_tick_runs_every_due_job(ctx, programme, slack_api):
    results = tick(ctx, london(date(2027, 1, 6), 9, 45))
    assert [r.job for r in results] == ["daily-prompts", "reminders", "risk-scan", "daily-brief", "weekly-digest"]
    assert results[0].sent == PARTNERS and results[1].note == "nothing sent: not due until 14:00"
    assert results[2].note == "nothing sent: not due until 14:00"
    assert results[3].sent == 1  # the leads' brief, due since 08:30
    assert results[4].note == "nothing sent: the digest goes on Fri 08 Jan"


def test_the_clock_ticks_and_stops(ctx, programme, slack_api):
    scheduler = build_clock(ctx, tick_seconds=0.2, now=lambda: london(date(2027, 1, 6), 9, 45))
    thread = threading.Thread(target=scheduler.start, daemon=True)
    thread.start()
    try:
        slack_api.wait_for("chat.postMessage", count=PARTNERS + 1, timeout=20)  # and the leads' brief
        import time as _time

        _time.sleep(0.6)  # a few more ticks: nothing more is sent
    finally:
        scheduler.shutdown(wait=True)
        thread.join(5)
    assert len(posts(slack_api)) == PARTNERS + 1
    assert len([c for c in posts(slack_api) if ":daily-brief:" in c["metadata"]["event_payload"]["key"]]) == 1
    assert not scheduler.running


def _cli_env(database_url: str, slack_api) -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))}
    env.update(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_API_URL=slack_api.url, DATABASE_URL=database_url)
    return env


def test_run_job_twice_sends_once(database_url, programme, slack_api):
    import subprocess
    import sys

    argv = [sys.executable, "-m", "bot", "run-job", "daily-prompts", "--at", "2027-03-30T09:30"]
    first = subprocess.run(
        argv, env=_cli_env(database_url, slack_api), capture_output=True, text=True, timeout=120, check=False
    )
    second = subprocess.run(
        argv, env=_cli_env(database_url, slack_api), capture_output=True, text=True, timeout=120, check=False
    )
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == (
        f"daily-prompts vale-winter-2026 Tue 30 Mar 2027: sent {PARTNERS}, already sent 0, failed 0"
    )
    assert f"sent 0, already sent {PARTNERS}," in second.stdout
    assert len(posts(slack_api)) == PARTNERS
    assert BOT_TOKEN not in first.stdout + first.stderr + second.stderr


def test_two_clock_processes_send_once(database_url, programme, slack_api):
    import subprocess
    import sys

    argv = [sys.executable, "-m", "bot", "clock", "--once", "--at", "2027-01-05T09:31"]
    env = _cli_env(database_url, slack_api)
    processes = [
        subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120) for p in processes]
    assert [p.returncode for p in processes] == [0, 0], outputs
    keys = [c["metadata"]["event_payload"]["key"] for c in posts(slack_api)]
    assert len(keys) == len(set(keys)) == PARTNERS + 1  # the prompts and the leads' brief, each once
    assert len([k for k in keys if ":daily-brief:" in k]) == 1
    sent = sum(
        int(line.split("sent ")[1].split(",")[0])
        for out, _ in outputs
        for line in out.splitlines()
        if line.startswith("daily-prompts")
    )
    assert sent == PARTNERS


# -- a tick with nothing new to do does nothing ------------------------------------------------------


def statements(engine, work) -> list[str]:
    from sqlalchemy import event

    seen: list[str] = []

    def count(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        work()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return seen


def test_prompts_done_at_this_data_version_are_not_planned_again_until_something_changes(
    ctx, programme, slack_api, engine
):
    today = date(2027, 1, 6)
    assert run_daily_prompts(ctx, programme, london(today, 9, 30)).sent == PARTNERS
    again: list = []
    seen = statements(engine, lambda: again.append(run_daily_prompts(ctx, programme, london(today, 9, 31))))
    assert again[0].sent == 0 and again[0].already_sent == PARTNERS
    assert len(seen) <= 4, seen  # the version, the last run, the count: no planning, no claims
    assert not [s for s in seen if s.lstrip().upper().startswith(("INSERT", "UPDATE"))]
    with session_scope(engine) as session:
        first = session.exec(select(Member).where(Member.role == "partner")).first()
        session.add(
            Member(
                programme_id=programme.id,
                organisation_id=first.organisation_id,
                platform="slack",
                platform_user_id="U0NEWCOMER",
                name="New Partner",
                role="partner",
            )
        )
    later = run_daily_prompts(ctx, programme, london(today, 9, 32))
    assert later.sent == 1 and later.already_sent == PARTNERS  # the newcomer, the moment the data moved
    assert posts(slack_api)[-1]["channel"] == "U0NEWCOMER"


def test_reminders_are_not_done_while_a_prompt_is_still_to_be_sent(programme, slack_api, engine):
    """The delivery ledger is not part of the data version: a prompt sent late must still be
    chased an hour later, though nothing else changed."""
    ctx = context(engine, slack_api, workers=1)
    today = date(2027, 1, 6)
    slack_api.fail_next("chat.postMessage", status=500, times=3)  # one prompt fails, to be retried
    assert run_daily_prompts(ctx, programme, london(today, 9, 30)).retrying == 1
    early = run_reminders(ctx, programme, london(today, 14))
    assert early.sent == PARTNERS - 1 and early.skipped["no prompt sent today"] == 1
    assert run_daily_prompts(ctx, programme, london(today, 14, 1)).sent == 1
    assert run_reminders(ctx, programme, london(today, 14, 30)).sent == 0  # prompted under an hour ago
    assert run_reminders(ctx, programme, london(today, 15, 2)).sent == 1
