"""Keeping to Notify's 3,000 messages a minute, pure: a burst goes at once, beyond it requests are
spaced at the limit, from any thread."""

from __future__ import annotations

import threading

import pytest

from handlers.notify.pace import Pace


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)


def test_a_minutes_worth_goes_at_once_and_the_rest_at_the_limit():
    clock = FakeClock()
    pace = Pace(3000, clock=clock, sleep=clock.sleep)
    assert all(pace.wait() == 0.0 for _ in range(3000))
    assert [pace.wait() for _ in range(3)] == pytest.approx([0.02, 0.04, 0.06])


def test_the_bucket_fills_again_while_quiet():
    clock = FakeClock()
    pace = Pace(60, clock=clock, sleep=clock.sleep)
    for _ in range(60):
        pace.wait()
    assert pace.wait() == pytest.approx(1.0)
    clock.now += 10  # ten a second come back, less the one borrowed
    assert [pace.wait() for _ in range(9)] == [0.0] * 9
    assert pace.wait() == pytest.approx(1.0)


def test_threads_share_the_slots():
    clock = FakeClock()
    pace = Pace(60, clock=clock, sleep=clock.sleep)
    for _ in range(60):
        pace.wait()
    waits: list[float] = []
    lock = threading.Lock()

    def send() -> None:
        waited = pace.wait()
        with lock:
            waits.append(waited)

    threads = [threading.Thread(target=send) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(round(w, 6) for w in waits) == [float(i) for i in range(1, 21)]
