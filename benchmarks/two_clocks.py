"""Two clocks, a slow Slack, and every partner prompted exactly once (issue 14, finding 2).

On PostgreSQL (--pg URL, or TEST_DATABASE_URL) in a fresh schema, dropped afterwards, it loads
the bundled sample programme and adds partners up to --partners (300), then starts two real
`winterbot clock` processes, as production would run them (benchmarks/harness.py: each under
time-machine at Tue 05 Jan 2027 09:30 Europe/London, ticking), against the loopback Slack
double limited to --rate chat.postMessage a minute (50, Slack's pace for a steady fan-out)
and conversations.open and conversations.history at Tier 3 (50 a minute). At 50 a minute 300
prompts take six minutes: three leases of two minutes, so the clocks' fan-outs overlap and
outlast their leases, as on the day 46 and 8 duplicates were seen.

It waits until every partner has had their prompt (or --timeout), then one more tick, and
prints: delivered (partners with a prompt), duplicates (prompts beyond one a partner), lost
(partners with none), how long it took, the 429s the double answered, and what the clocks
logged about leases (outcomes not recorded because the lease had gone, sends left to the
other clock). Expected: 300, 0, 0.

Run: python benchmarks/two_clocks.py [--pg URL] [--partners 300] [--rate 50] [--timeout 900]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import date
from datetime import time as clock_time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from slack_double import SlackDouble
from sqlmodel import select

from benchmarks.harness import (
    SetupError,
    Travel,
    database,
    winterbot_clock,
    winterbot_env,
)
from bot.common.calendar import local_instant
from bot.programme.file import SAMPLE_PATH
from bot.programme.loader import load_path
from models.db import make_engine, migrate, session_scope
from models.tables import Member

DAY = date(2027, 1, 5)  # a Tuesday
JOB = "daily-prompts"
TIER_3 = ("conversations.open", "conversations.history")
GRACE_SECONDS = 40  # one more tick after the last prompt, for a late duplicate to show


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def build(url: str, partners: int) -> int:
    """The sample programme with partners added up to `partners`; returns how many there are."""
    engine = make_engine(url)
    try:
        migrate(engine)
        load_path(engine, SAMPLE_PATH)
        with session_scope(engine) as session:
            present = session.exec(select(Member).where(Member.role == "partner").order_by(Member.id)).all()
            model = present[0]
            session.add_all(
                Member(
                    programme_id=model.programme_id,
                    organisation_id=model.organisation_id,
                    platform="slack",
                    platform_user_id=f"U0BENCH{n:05d}",
                    name=f"Bench Partner {n}",
                    role="partner",
                )
                for n in range(partners - len(present))
            )
        with session_scope(engine) as session:
            return len(session.exec(select(Member.id).where(Member.role == "partner")).all())
    finally:
        engine.dispose()


def prompt_keys(double: SlackDouble) -> list[str]:
    """The keys of the prompts Slack accepted (a refused post is not in its history)."""
    keys = [(m.get("metadata") or {}).get("event_payload", {}).get("key", "") for m in double.history_all()]
    return [k for k in keys if k.split(":")[1:2] == [JOB]]


def count_in_logs(logs: list[Path], text: str) -> int:
    return sum(log.read_text(errors="replace").count(text) for log in logs)


def run(url: str, args: argparse.Namespace, workdir: Path) -> int:
    expected = build(url, args.partners)
    say(f"programme built: {expected} partners; two clocks at {args.rate} posts a minute")
    with SlackDouble() as double, ExitStack() as stack:
        double.rate_limit("chat.postMessage", args.rate, 60.0)
        for method in TIER_3:
            double.rate_limit(method, 50, 60.0)
        travel = Travel.starting(local_instant(DAY, clock_time(9, 30)))
        env = winterbot_env(url, double)
        logs = [workdir / f"clock{n}.log" for n in (1, 2)]
        began = time.monotonic()
        for log in logs:
            stack.enter_context(winterbot_clock(travel, env, log))
        last_new, seen = began, 0
        while time.monotonic() - began < args.timeout:
            distinct = len(set(prompt_keys(double)))
            if distinct != seen:
                seen, last_new = distinct, time.monotonic()
                say(f"{time.monotonic() - began:6.0f} s: {distinct} of {expected} partners prompted")
            if distinct >= expected:
                break
            time.sleep(2)
        took = last_new - began
        time.sleep(GRACE_SECONDS)
        keys = prompt_keys(double)
        refused = sum(1 for c in double.calls("chat.postMessage")) - len(double.history_all())
    delivered = len(set(keys))
    print(f"two clocks, PostgreSQL, {expected} partners, Slack double at {args.rate} chat.postMessage a minute")
    print(f"delivered   {delivered}")
    print(f"duplicates  {len(keys) - delivered}")
    print(f"lost        {expected - delivered}")
    print(f"took        {took:.0f} s to the last first prompt (floor {expected / args.rate * 60:.0f} s)")
    print(f"429s        {refused} chat.postMessage refused and retried")
    print(f"fenced      {count_in_logs(logs, 'another sender holds its lease')} outcomes not recorded (lease gone)")
    print(f"left        {count_in_logs(logs, 'its lease ran out before the send')} sends left to the other clock")
    return 0 if (delivered, len(keys) - delivered) == (expected, 0) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pg", default=os.environ.get("TEST_DATABASE_URL"), help="PostgreSQL URL")
    parser.add_argument("--partners", type=int, default=300)
    parser.add_argument("--rate", type=int, default=50, help="chat.postMessage accepted a minute")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds to wait for every prompt")
    args = parser.parse_args(argv)
    if not args.pg:
        print("give a PostgreSQL URL with --pg or TEST_DATABASE_URL", file=sys.stderr)
        return 2
    try:
        with database(args.pg) as (_, url), tempfile.TemporaryDirectory(prefix="winterbot-two-clocks-") as tmp:
            return run(url, args, Path(tmp))
    except SetupError as error:
        print(f"could not set up: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
