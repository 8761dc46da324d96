"""The delivery ledger as a work queue (bot.sending.deliveries.claim_next): senders on several
connections take disjoint keys, only among the keys they are given, and a key whose lease ran out
is taken again as uncertain. On PostgreSQL the claim skips rows another claim has locked."""

from __future__ import annotations

import threading
from datetime import date, time, timedelta

import pytest
from sqlalchemy import text
from sqlmodel import select

from bot.common.calendar import local_instant
from bot.programme.file import SAMPLE_PATH
from bot.programme.loader import load_path
from bot.sending import deliveries
from bot.sending.deliveries import Planned, claim_next, mark_sent, plan
from models import Delivery, Programme, make_engine, session_scope

DAY = date(2027, 1, 5)
NOW = local_instant(DAY, time(9, 30))


@pytest.fixture
def keys(engine) -> list[str]:
    load_path(engine, SAMPLE_PATH)
    with session_scope(engine) as session:
        programme = session.exec(select(Programme)).one()
    planned = [f"{programme.slug}:daily-prompts:m{n}:{DAY.isoformat()}" for n in range(40)]
    plan(engine, programme.id, "daily-prompts", DAY, [Planned(k) for k in planned], NOW)
    return planned


def test_senders_on_two_connections_drain_the_keys_between_them_each_key_once(engine, database_url, keys):
    other = make_engine(database_url)
    taken: list[list[str]] = [[], [], [], []]

    def drain(on, mine: list[str]) -> None:
        while claims := claim_next(on, keys, NOW, n=3):
            mine += [c.key for c in claims]
            for c in claims:
                assert mark_sent(on, c.key, NOW, "ref", owner=c.owner)

    threads = [threading.Thread(target=drain, args=(e, t)) for e, t in zip((engine, other) * 2, taken, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    other.dispose()
    everything = [k for mine in taken for k in mine]
    assert sorted(everything) == sorted(keys)  # each once, none left
    assert sum(1 for mine in taken if mine) >= 2  # the work was shared


def test_a_claim_takes_only_the_keys_it_is_given(engine, keys):
    mine = keys[10:15]
    claims = claim_next(engine, mine, NOW, n=10)
    assert sorted(c.key for c in claims) == sorted(mine)
    assert claim_next(engine, mine, NOW, n=10) == []  # all held now
    assert {c.key for c in claim_next(engine, keys, NOW, n=100)} == set(keys) - set(mine)


def test_a_key_whose_lease_ran_out_is_claimed_again_as_uncertain(engine, keys):
    [first] = claim_next(engine, keys[:1], NOW)
    assert not first.uncertain and first.attempt == 1
    assert claim_next(engine, keys[:1], NOW + deliveries.LEASE / 2) == []
    [again] = claim_next(engine, keys[:1], NOW + deliveries.LEASE + timedelta(seconds=1))
    assert again.uncertain and again.attempt == 2 and again.owner != first.owner
    assert not mark_sent(engine, first.key, NOW, "old", owner=first.owner)  # fenced
    assert mark_sent(engine, again.key, NOW, "new", owner=again.owner)


@pytest.mark.postgres
def test_on_postgresql_a_claim_skips_the_rows_another_claim_has_locked(engine, database_url, keys):
    if not database_url.startswith("postgresql"):
        pytest.skip("SKIP LOCKED is PostgreSQL's; SQLite has one writer at a time")
    locked = keys[:5]
    holder = make_engine(database_url)
    with holder.connect() as connection, connection.begin():
        connection.execute(
            text("SELECT id FROM delivery WHERE key = ANY(:keys) FOR UPDATE"), {"keys": locked}
        )  # another process's claim, under way
        claims = claim_next(engine, keys, NOW, n=10)
        assert len(claims) == 10 and not {c.key for c in claims} & set(locked)
        assert claim_next(engine, locked, NOW, n=5) == []  # not blocked: skipped
    assert sorted(c.key for c in claim_next(engine, locked, NOW, n=5)) == sorted(locked)  # free once released
    holder.dispose()
    with session_scope(engine) as session:
        owners = session.exec(select(Delivery.lease_owner).where(Delivery.lease_owner.is_not(None))).all()
    assert len(owners) == len(set(owners)) == 15 and all(len(o) == 32 for o in owners)


def test_keys_are_claimed_shorter_first_then_in_order(engine, keys):
    """A member's event 9 before their event 10: a reply to a blocker goes before the note that
    follows it to the same person."""
    given = list(reversed(keys[:12]))  # m0 .. m11, given backwards
    first = claim_next(engine, given, NOW, n=2)
    second = claim_next(engine, given, NOW, n=2)
    assert [c.key for c in first + second] == keys[:4]
    rest = claim_next(engine, given, NOW, n=20)
    assert [c.key for c in rest] == keys[4:12]  # m9 before m10
