"""Fan-out of the daily prompt to 1,000 partners reached by email and text through GOV.UK Notify,
against the loopback double of Notify's API (tests/notify_double.py), which takes every Nth message
and then answers 500 and, as Notify does, answers 429 beyond 3,000 requests a minute: the hard case, where the message went but the sender cannot know it. Each
prompt carries the partner's signed check-in link. Beside it, in the same run, the same fan-out to
the same partners in Slack (benchmarks/fanout.py, its double limiting chat.postMessage) as the
reference.

Prints, for each worker count: wall time, sends per second, delivered, duplicates, the 500s met
and how many times a retry first asked Notify whether its message had gone (by its reference). Every prompt must be
delivered exactly once. Run: python benchmarks/notify_fanout.py [--members N]
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
from collections import Counter
from datetime import datetime
from pathlib import Path

from sqlmodel import select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from fanout import build_programme, prompt_until_all_sent
from fanout import run as run_slack
from notify_double import API_KEY, TEMPLATES, NotifyDouble

from bot.app.wiring import build_messengers
from bot.common.config import Settings
from bot.sending.jobs import JobContext
from models import Member, make_engine, session_scope


def to_notify(url: str) -> None:
    """Every other partner by email, the rest by text."""
    engine = make_engine(url)
    with session_scope(engine) as session:
        for member in session.exec(select(Member)).all():
            if member.id is not None and member.id % 2:
                member.platform, member.platform_user_id = "email", f"partner{member.id}@care.example"
            else:
                member.platform, member.platform_user_id = "sms", f"+447700{member.id or 0:06d}"
            session.add(member)
    engine.dispose()


def run(members: int, workers: int, every: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as folder, NotifyDouble() as double:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        programme = build_programme(url, members)
        to_notify(url)
        double.flaky(every)
        double.rate_limit(3000, 60.0)
        settings = Settings(
            public_url="https://winterbot.example.org",
            web_secret="bench",
            notify_api_key=API_KEY,
            notify_api_url=double.url,
            notify_templates=dict(TEMPLATES),
        )
        engine = make_engine(url)
        ctx = JobContext(engine=engine, messengers=build_messengers(settings, engine), workers=workers)
        wall, runs = prompt_until_all_sent(ctx, programme, members)
        engine.dispose()
        sent = double.sent()
        to = Counter(m.to for m in sent)
        return {
            "workers": workers,
            "wall_s": wall,
            "sends_per_s": len(sent) / wall,
            "delivered": len(to),
            "duplicates": sum(n - 1 for n in to.values()),
            "errors_500": len(sent) // every,
            "lookups": sum(1 for method, _ in double.calls if method == "GET"),
            "limited": double.limited,
            "job_runs": runs,
        }


def main() -> None:
    logging.basicConfig(level=logging.ERROR)  # each 500 met is logged as a warning; the table counts them
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--every", type=int, default=40, help="every Nth message is taken and then answered 500")
    parser.add_argument("--workers", type=int, nargs="+", default=[4, 8, 16])
    parser.add_argument("--slack-limit", type=int, default=50, help="the Slack reference: posts accepted per second")
    args = parser.parse_args()
    print(
        f"fan-out of {args.members} prompts by email and text through Notify (each with its signed link); the "
        f"double takes every {args.every}th message and answers 500; SQLite; {datetime.now():%Y-%m-%d}"
    )
    print(
        f"{'':>6} {'workers':>7} {'wall s':>7} {'sends/s':>8} {'delivered':>9} {'dupes':>5} {'500s':>5} "
        f"{'lookups':>7} {'429s':>4} {'runs':>4}"
    )
    for workers in args.workers:
        r = run(args.members, workers, args.every)
        print(
            f"{'notify':>6} {r['workers']:>7} {r['wall_s']:>7.1f} {r['sends_per_s']:>8.1f} {r['delivered']:>9} "
            f"{r['duplicates']:>5} {r['errors_500']:>5} {r['lookups']:>7} {r['limited']:>4} {r['job_runs']:>4}"
        )
        if r["delivered"] != args.members or r["duplicates"]:
            raise SystemExit("FAILED: not every prompt was delivered exactly once")
        s = run_slack(args.members, workers, args.slack_limit, args.every)
        print(
            f"{'slack':>6} {s['workers']:>7} {s['wall_s']:>7.1f} {s['sends_per_s']:>8.1f} {s['delivered']:>9} "
            f"{s['duplicates']:>5} {'-':>5} {'-':>7} {'-':>4} {s['job_runs']:>4}   (reference: {args.slack_limit} posts/s, "
            f"every {args.every}th answered 429)"
        )


if __name__ == "__main__":
    main()
