"""The send limits every process shares (bot.sending.limits), on the real database: no window
lets more than its cap through, whoever asks, and a full window is waited out, never refused."""

from __future__ import annotations

import itertools
import threading
import time
from collections import Counter

from slack_double import BOT_TOKEN, TEAM_ID
from sqlalchemy import text

from bot.common.config import Settings
from bot.sending.limits import KEEP_SLOTS, TIDY_EVERY, SharedLimit, Taken
from bot.sending.ports import Destination
from handlers.slack.messenger import SlackMessenger, sync_client
from models import make_engine


class FakeTime:
    """A clock that moves only when someone sleeps."""

    def __init__(self, at: float) -> None:
        self.now = at
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def used(engine, bucket: str) -> dict[int, int]:
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT slot, used FROM send_slot WHERE bucket = :b"), {"b": bucket}).all()
    return dict(rows)


def test_two_engines_and_their_threads_together_never_pass_a_windows_cap(engine, database_url):
    """Two engines stand for two processes (each its own connections); eight threads send 80."""
    other = make_engine(database_url)
    window, cap = 0.05, 3
    taken: list[tuple[Taken, float]] = []
    lock = threading.Lock()

    def sender(on) -> None:
        limit = SharedLimit(on, "slack:T0SHARED", cap / window, window=window)
        for _ in range(10):
            got = limit.wait()
            went = time.time()
            with lock:
                taken.append((got, went))

    threads = [threading.Thread(target=sender, args=(e,)) for e in (engine, other) * 4]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    other.dispose()
    per_slot = Counter(got.slot for got, _ in taken)
    assert len(taken) == 80
    assert max(per_slot.values()) <= cap
    assert len(per_slot) >= 80 / cap  # the sends beyond a window's cap went in later windows
    assert all(went >= got.slot * window for got, went in taken)  # none before its window opened
    assert all(n <= cap for n in used(engine, "slack:T0SHARED").values())
    assert sorted(got.place for got, _ in taken if got.slot == min(per_slot)) == list(
        range(1, per_slot[min(per_slot)] + 1)
    )


def test_a_full_window_is_waited_out_and_the_send_goes_in_the_next(engine):
    clock = FakeTime(1_000_000.0)
    limit = SharedLimit(engine, "teams:tenant", 10, window=0.2, clock=clock, sleep=clock.sleep)  # 2 a window
    first, second, third = limit.wait(), limit.wait(), limit.wait()
    assert (first.slot, first.place) == (5_000_000, 1)
    assert (second.slot, second.place) == (5_000_000, 2)
    assert (third.slot, third.place) == (5_000_001, 1)
    assert third.waited > 0 and clock.now >= 5_000_001 * 0.2
    assert used(engine, "teams:tenant") == {5_000_000: 2, 5_000_001: 1}


def test_a_windows_sends_are_spread_over_it_not_fired_at_its_start(engine):
    clock = FakeTime(2_000.0)
    limit = SharedLimit(engine, "notify:key", 50, window=0.2, clock=clock, sleep=clock.sleep)  # 10 a window
    starts = []
    for _ in range(10):
        limit.wait()
        starts.append(clock.now)
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert all(abs(gap - 0.02) < 1e-6 for gap in gaps)


def test_buckets_are_counted_apart(engine):
    clock = FakeTime(3_000.0)
    one = SharedLimit(engine, "slack:T1", 5, window=0.2, clock=clock, sleep=clock.sleep)  # 1 a window
    two = SharedLimit(engine, "slack:T2", 5, window=0.2, clock=clock, sleep=clock.sleep)
    assert one.wait().slot == two.wait().slot == 15_000
    assert clock.slept == []


def test_windows_long_past_are_deleted_by_whoever_opens_a_tidying_window(engine):
    clock = FakeTime(0.0)
    limit = SharedLimit(engine, "slack:T0TIDY", 5, window=0.2, clock=clock, sleep=clock.sleep)
    for slot in range(0, 3 * TIDY_EVERY + 1, 5):
        clock.now = slot * 0.2 + 0.001
        limit.wait()
    kept = used(engine, "slack:T0TIDY")
    assert min(kept) >= 3 * TIDY_EVERY - KEEP_SLOTS
    assert max(kept) == 3 * TIDY_EVERY


def test_a_slack_messenger_given_the_database_counts_its_posts_in_its_workspaces_limit(engine, slack_api):
    """The workspace (from auth.test) for every post; a channel also by itself, a DM not."""
    settings = Settings(slack_bot_token=BOT_TOKEN, slack_api_url=slack_api.url)
    messenger = SlackMessenger(sync_client(settings), engine=engine, posts_per_second=10)
    for n in range(3):
        messenger.post_notice(Destination("slack", "C0LEADS"), f"notice {n}", f"k:notice:{n}")
    messenger.post_notice(Destination("slack", "U0PARTNER", member_id=7), "to a partner", "k:dm")
    assert sum(used(engine, f"slack:{TEAM_ID}").values()) == 4
    assert sum(used(engine, f"slack:{TEAM_ID}:C0LEADS").values()) == 3
    assert used(engine, f"slack:{TEAM_ID}:U0PARTNER") == {}
    assert len(slack_api.calls("chat.postMessage")) == 4


def test_a_post_slack_refused_takes_another_place_when_it_is_tried_again(engine, slack_api):
    """A retry is a post too: counted in the workspace's limit, not let through beside it."""
    settings = Settings(slack_bot_token=BOT_TOKEN, slack_api_url=slack_api.url)
    messenger = SlackMessenger(sync_client(settings), engine=engine)
    slack_api.fail_next("chat.postMessage", 429, retry_after=1)
    messenger.post_notice(Destination("slack", "U0PARTNER", member_id=7), "to a partner", "k:dm")
    assert len(slack_api.calls("chat.postMessage")) == 2
    assert sum(used(engine, f"slack:{TEAM_ID}").values()) == 2
