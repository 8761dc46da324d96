"""Fan-out of the daily prompt to 1,000 partners against the loopback Slack double, which
rate-limits chat.postMessage and answers some calls with 429 + Retry-After.

Prints, for each worker count: wall time, sends per second, delivered, duplicates, 429s.
Every prompt must be delivered exactly once. Run: python benchmarks/fanout.py [--members N]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from datetime import date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from slack_double import BOT_TOKEN, SlackDouble
from sqlmodel import Session

from bot.common.calendar import local_instant
from bot.common.config import Settings
from bot.sending.jobs import JobContext
from bot.sending.jobs.daily_prompts import run_daily_prompts
from handlers.slack.messenger import SlackMessenger, sync_client
from models import Member, Organisation, Programme, Scheme, make_engine, migrate, session_scope
from models.tables import row_id

DAY = date(2027, 1, 5)


def build_programme(url: str, members: int) -> Programme:
    engine = make_engine(url)
    migrate(engine)
    with session_scope(engine) as session:
        programme = Programme(
            slug="bench",
            name="Benchmark winter fund",
            deadline=date(2027, 3, 31),
            channel="C0BENCH",
            checkin_time=clock(9, 30),
            reminder_time=clock(14),
            brief_time=clock(8, 30),
            digest_time=clock(15),
        )
        session.add(programme)
        session.flush()
        add_partners(session, row_id(programme), members)
    engine.dispose()
    return programme


def add_partners(session: Session, programme_id: int, members: int, first: int = 0) -> None:
    """Home care providers of ten partners each (a scheme apiece), and `members` partners on
    Slack numbered from `first` (U00000000, U00000001, ...)."""
    organisations = [
        Organisation(
            programme_id=programme_id,
            key=f"org-{i}",
            name=f"Home care provider {i}",
            kind="home_care",
            services=["home_care"],
        )
        for i in range(max(1, members // 10))
    ]
    session.add_all(organisations)
    session.flush()
    session.add_all(
        Scheme(
            programme_id=programme_id,
            owner_organisation_id=row_id(o),
            key=f"s-{o.key}",
            name=f"Hours {o.key}",
            scheme_type="home_care",
            funding_source="icb_allocation",
            budget=Decimal("10000"),
            unit="hours",
            planned=Decimal("400"),
        )
        for o in organisations
    )
    session.add_all(
        Member(
            programme_id=programme_id,
            organisation_id=row_id(organisations[i % len(organisations)]),
            platform="slack",
            platform_user_id=f"U{first + i:08d}",
            name=f"Partner {first + i}",
            role="partner",
        )
        for i in range(members)
    )


def prompt_until_all_sent(ctx: JobContext, programme: Programme, members: int) -> tuple[float, int]:
    """The daily prompt from 09:30, then the clock's next ticks a minute apart (once the back-off
    has passed) until every member's prompt is out, or 20 runs: (wall seconds, runs)."""
    now = local_instant(DAY, clock(9, 30))
    started = time.perf_counter()
    runs = 0
    while True:
        runs += 1
        result = run_daily_prompts(ctx, programme, now)
        if result.already_sent + result.sent >= members or runs > 20:
            return time.perf_counter() - started, runs
        now += timedelta(minutes=1)


def run(members: int, workers: int, limit_per_second: int, every: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as folder, SlackDouble() as double:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        programme = build_programme(url, members)
        double.rate_limit("chat.postMessage", most=limit_per_second, per_seconds=1)
        double.flaky("chat.postMessage", every=every, retry_after=1)
        settings = Settings(slack_bot_token=BOT_TOKEN, slack_api_url=double.url)
        engine = make_engine(url)
        ctx = JobContext(engine=engine, messengers={"slack": SlackMessenger(sync_client(settings))}, workers=workers)
        wall, runs = prompt_until_all_sent(ctx, programme, members)
        engine.dispose()
        calls = double.calls("chat.postMessage")
        keys = Counter(c["metadata"]["event_payload"]["key"] for c in double.history_all())
        return {
            "workers": workers,
            "wall_s": wall,
            "sends_per_s": len(keys) / wall,
            "delivered": len(keys),
            "duplicates": sum(n - 1 for n in keys.values()),
            "calls": len(calls),
            "refused_429": len(calls) - len(keys),
            "job_runs": runs,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--limit", type=int, default=50, help="chat.postMessage accepted per second")
    parser.add_argument("--every", type=int, default=40, help="every Nth call is also answered 429")
    parser.add_argument("--workers", type=int, nargs="+", default=[4, 8, 16])
    args = parser.parse_args()
    print(
        f"fan-out of {args.members} prompts; double accepts {args.limit} chat.postMessage/s, "
        f"and answers every {args.every}th call 429 (Retry-After 1 s); SQLite; {datetime.now():%Y-%m-%d}"
    )
    print(
        f"{'workers':>7} {'wall s':>7} {'sends/s':>8} {'delivered':>9} {'dupes':>5} {'calls':>6} {'429s':>5} {'runs':>4}"
    )
    for workers in args.workers:
        r = run(args.members, workers, args.limit, args.every)
        print(
            f"{r['workers']:>7} {r['wall_s']:>7.1f} {r['sends_per_s']:>8.1f} {r['delivered']:>9} "
            f"{r['duplicates']:>5} {r['calls']:>6} {r['refused_429']:>5} {r['job_runs']:>4}"
        )
        if r["delivered"] != args.members or r["duplicates"]:
            raise SystemExit("FAILED: not every prompt was delivered exactly once")


if __name__ == "__main__":
    main()
