"""The web process's background runner (bot.app.background): work after an acknowledgement is
merged by key, never runs twice at once for one key, gives way to requests, and is bounded."""

from __future__ import annotations

import asyncio

from bot.app import background
from bot.app.background import Background, Workers


def run(coroutine):  # type: ignore[no-untyped-def]
    return asyncio.run(coroutine)


def test_work_waiting_under_one_key_runs_once():
    async def scenario() -> list[str]:
        done: list[str] = []
        runner = Background(at_once=1)
        gate = asyncio.Event()

        async def first() -> None:
            await gate.wait()
            done.append("first")

        runner.submit("home:U1", first)
        await asyncio.sleep(0)  # first is running now, waiting at the gate
        for n in range(5):
            runner.submit("home:U2", lambda n=n: _append(done, f"U2 #{n}"))
        gate.set()
        await runner.idle()
        assert runner.merged == 4
        return done

    assert run(scenario()) == ["first", "U2 #0"]


async def _append(done: list[str], what: str) -> None:
    done.append(what)


def test_a_key_submitted_while_it_runs_runs_again_after_never_beside_it():
    async def scenario() -> list[str]:
        seen: list[str] = []
        runner = Background(at_once=4)
        release = asyncio.Event()

        async def slow() -> None:
            seen.append("start")
            await release.wait()
            seen.append("end")

        runner.submit("home:U1", slow)
        await asyncio.sleep(0)
        runner.submit("home:U1", slow)  # the state changed while the first was running
        await asyncio.sleep(0.02)
        assert seen == ["start"], "the second must not start beside the first"
        release.set()
        await runner.idle()
        return seen

    assert run(scenario()) == ["start", "end", "start", "end"]


def test_background_work_gives_way_while_requests_are_in_hand(monkeypatch):
    monkeypatch.setattr(background, "YIELD_AT_MOST", 5.0)

    async def scenario() -> None:
        workers = Workers(request_threads=1)
        ran = asyncio.Event()

        async def refresh() -> None:
            ran.set()

        request = asyncio.ensure_future(workers.run(lambda: __import__("time").sleep(0.3)))
        await asyncio.sleep(0.05)
        workers.background.submit("home:U1", refresh)
        await asyncio.sleep(0.15)
        assert not ran.is_set(), "a request is in hand: the refresh waits"
        await request
        await asyncio.wait_for(ran.wait(), 1.0)
        workers.close()

    run(scenario())


def test_it_never_waits_for_requests_for_ever(monkeypatch):
    monkeypatch.setattr(background, "YIELD_AT_MOST", 0.1)

    async def scenario() -> None:
        runner = Background(busy=lambda: True)  # requests without end
        ran = asyncio.Event()

        async def refresh() -> None:
            ran.set()

        runner.submit("home:U1", refresh)
        await asyncio.wait_for(ran.wait(), 1.0)

    run(scenario())


def test_a_backlog_is_bounded_and_drops_the_oldest():
    async def scenario() -> list[str]:
        done: list[str] = []
        runner = Background(at_once=1, max_waiting=3, busy=lambda: False)
        gate = asyncio.Event()

        async def blocker() -> None:
            await gate.wait()

        runner.submit("blocker", blocker)
        await asyncio.sleep(0)
        for n in range(6):
            runner.submit(f"home:U{n}", lambda n=n: _append(done, f"U{n}"))
        gate.set()
        await runner.idle()
        assert runner.dropped == 3
        return done

    assert run(scenario()) == ["U3", "U4", "U5"]


def test_a_failure_is_logged_and_the_rest_carries_on(caplog):
    async def scenario() -> list[str]:
        done: list[str] = []
        runner = Background(at_once=1)

        async def broken() -> None:
            raise RuntimeError("Slack is away")

        runner.submit("answered:U1", broken)
        runner.submit("home:U1", lambda: _append(done, "home"))
        await runner.idle()
        return done

    assert run(scenario()) == ["home"]
    assert "after-acknowledgement work failed (answered)" in caplog.text
    assert "Slack is away" in caplog.text  # the exception, not the user's words
