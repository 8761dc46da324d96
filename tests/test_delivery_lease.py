"""Exactly once however long a fan-out takes: each key leased just before its send, the lease
kept while the send is under way, and outcomes fenced on the lease's owner."""

from __future__ import annotations

import threading
import time as wall
from datetime import date, datetime, time, timedelta

import pytest
from slack_double import BOT_TOKEN
from sqlmodel import select

from bot.common.calendar import local_instant
from bot.common.config import Settings
from bot.programme.file import SAMPLE_PATH
from bot.programme.loader import load_path
from bot.sending import deliveries
from bot.sending.deliveries import FENCES_LOST, Planned, claim, mark_failed, mark_sent, plan
from bot.sending.jobs import JobContext
from bot.sending.jobs.daily_prompts import run_daily_prompts
from handlers.slack.messenger import SlackMessenger, sync_client
from models import Delivery, Programme, make_engine, session_scope

PARTNERS = 14  # in the bundled sample
DAY = date(2027, 1, 5)


@pytest.fixture
def programme(engine) -> Programme:
    load_path(engine, SAMPLE_PATH)
    with session_scope(engine) as session:
        return session.exec(select(Programme)).one()


def context(engine, slack_api, workers: int) -> JobContext:
    settings = Settings(slack_bot_token=BOT_TOKEN, slack_api_url=slack_api.url)
    return JobContext(engine=engine, messengers={"slack": SlackMessenger(sync_client(settings))}, workers=workers)


def prompt_keys(slack_api) -> list[str]:
    return [
        c["metadata"]["event_payload"]["key"]
        for c in slack_api.calls("chat.postMessage")
        if ":daily-prompts:" in c["metadata"]["event_payload"]["key"]
    ]


@pytest.mark.slow
def test_two_clocks_against_a_slow_slack_send_each_prompt_once_though_sends_outlast_the_lease(
    engine, database_url, programme, slack_api, monkeypatch
):
    """Each post takes half as long again as a lease: a fan-out that leased every key up front,
    or did not keep its leases, would see the second clock take keys over and both send them.
    The lease is 2 s, renewed every 0.67 s, so a keeper held up by a busy machine for over a
    second still keeps it (a 1 s lease lost to a stall of 0.7 s, and the test failed under load)."""
    monkeypatch.setattr(deliveries, "LEASE", timedelta(seconds=2))
    slack_api.slow("chat.postMessage", 3.0)
    start = local_instant(DAY, time(9, 30))
    began = wall.monotonic()
    first = context(engine, slack_api, workers=PARTNERS)
    second = context(make_engine(database_url), slack_api, workers=PARTNERS)
    results = []

    def clock_a() -> None:
        results.append(run_daily_prompts(first, programme, start))

    a = threading.Thread(target=clock_a)
    a.start()
    wall.sleep(2.3)  # past the first leases' end, every prompt still on its way
    while a.is_alive() or not results:
        results.append(run_daily_prompts(second, programme, start + timedelta(seconds=wall.monotonic() - began)))
        wall.sleep(0.3)
    a.join(30)
    keys = prompt_keys(slack_api)
    assert len(keys) == len(set(keys)) == PARTNERS
    assert sum(r.sent for r in results) == PARTNERS
    with session_scope(engine) as session:
        assert {d.state for d in session.exec(select(Delivery).where(Delivery.job == "daily-prompts"))} == {"sent"}
    second.engine.dispose()


def _one_key(engine, programme: Programme, now: datetime) -> str:
    key = f"{programme.slug}:daily-prompts:m1:{DAY.isoformat()}"
    plan(engine, programme.id, "daily-prompts", DAY, [Planned(key)], now)
    return key


def test_an_outcome_from_a_sender_that_lost_its_lease_does_not_overwrite_the_new_owners(engine, programme):
    now = local_instant(DAY, time(9, 30))
    key = _one_key(engine, programme, now)
    [old] = claim(engine, [key], now)
    assert claim(engine, [key], now + deliveries.LEASE / 2) == []  # held
    [new] = claim(engine, [key], now + deliveries.LEASE + timedelta(seconds=1))
    assert new.uncertain and not old.uncertain and new.owner != old.owner
    lost_before = FENCES_LOST.value
    assert mark_sent(engine, key, now, "D1:new", owner=new.owner)
    assert not mark_sent(engine, key, now, "D1:old", owner=old.owner)
    mark_failed(engine, key, now, "Slack said fatal_error", attempt=old.attempt, permanent=True, owner=old.owner)
    assert FENCES_LOST.value == lost_before + 2
    with session_scope(engine) as session:
        row = session.exec(select(Delivery).where(Delivery.key == key)).one()
    assert (row.state, row.platform_ref, row.last_error, row.lease_owner) == ("sent", "D1:new", None, new.owner)


def test_a_failure_recorded_by_a_sender_that_lost_its_lease_does_not_undo_the_lease(engine, programme):
    now = local_instant(DAY, time(9, 30))
    key = _one_key(engine, programme, now)
    [old] = claim(engine, [key], now)
    [new] = claim(engine, [key], now + deliveries.LEASE + timedelta(seconds=1))
    mark_failed(engine, key, now, "Slack said fatal_error", attempt=old.attempt, permanent=False, owner=old.owner)
    assert claim(engine, [key], now + deliveries.LEASE + timedelta(seconds=2)) == []  # still the new owner's
    assert mark_sent(engine, key, now, "D1:new", owner=new.owner)


def test_a_claim_writes_a_fresh_owner_each_time(engine, programme):
    now = local_instant(DAY, time(9, 30))
    key = _one_key(engine, programme, now)
    owners = set()
    for n in range(3):
        [held] = claim(engine, [key], now + n * (deliveries.LEASE + timedelta(seconds=1)))
        owners.add(held.owner)
    with session_scope(engine) as session:
        assert session.exec(select(Delivery.lease_owner).where(Delivery.key == key)).one() == held.owner
    assert len(owners) == 3 and all(len(o) == 32 for o in owners)
