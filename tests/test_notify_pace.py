"""Keeping to Notify's 3,000 requests a minute, pure: a minute's worth goes at once, and the next
waits until the oldest of them is a minute old, from any thread."""

from __future__ import annotations

import threading

import pytest

from handlers.notify.pace import Pace, SharedPace


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)


def test_a_minutes_worth_goes_at_once_and_the_next_when_the_first_is_a_minute_old():
    clock = FakeClock()
    pace = Pace(3000, clock=clock, sleep=clock.sleep, window=60.0)
    assert all(pace.wait() == 0.0 for _ in range(3000))
    clock.now += 15
    assert pace.wait() == pytest.approx(45.0)


def test_in_any_minute_no_more_than_the_limit_go():
    clock = FakeClock()
    pace = Pace(10, clock=clock, sleep=clock.sleep, window=60.0)
    went = []
    for step in range(40):
        clock.now = 100.0 + step * 2.5  # a request every 2.5 s, and a burst at the start
        for _ in range(3 if step == 0 else 1):
            went.append(clock.now + pace.wait())
    for start in went:
        assert sum(1 for t in went if start <= t < start + 60) <= 10


def test_threads_share_the_minute():
    clock = FakeClock()
    pace = Pace(5, clock=clock, sleep=clock.sleep, window=60.0)
    waits: list[float] = []
    lock = threading.Lock()

    def send() -> None:
        waited = pace.wait()
        with lock:
            waits.append(waited)

    threads = [threading.Thread(target=send) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(waits) == [0.0] * 5 + [60.0] * 5 + [120.0] * 2


def test_processes_sharing_a_key_share_its_minute_and_any_60_seconds_hold_no_more_than_3000(engine):
    """Two SharedPaces stand for two processes with one API key: a second lets 49 through between
    them (any 60 seconds overlap at most 61 such seconds: 2,989), and the 50th waits."""
    clock = FakeClock()
    clock.now = 1_000_000.0

    def sleep(seconds: float) -> None:
        clock.now += seconds

    one, two = (SharedPace(engine, "key-abc", clock=clock, sleep=sleep) for _ in range(2))
    went = []
    for n in range(200):
        (one if n % 2 else two).wait()
        went.append(clock.now)
    assert one.limit.cap == 49
    assert max(sum(1 for t in went if start <= t < start + 1.0) for start in went) <= 49
    other_key = SharedPace(engine, "key-xyz", clock=clock, sleep=sleep)
    assert one.limit.bucket == two.limit.bucket != other_key.limit.bucket  # another key's minute is its own
    assert "key-abc" not in one.limit.bucket  # a secret is never written down
