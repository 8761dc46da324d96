"""Fan-out of the daily prompt to 1,000 partners in Microsoft Teams, against the loopback
double of the Bot Connector service (tests/teams_double.py), which answers every Nth activity
503. Each prompt is the whole check-in form as an Adaptive Card, built from the database for
that partner and posted to their personal chat through the stored conversation reference.

Prints, for each worker count: wall time, sends per second, delivered, duplicates, 503s met.
Every prompt must be delivered exactly once. Run: python benchmarks/teams_fanout.py [--members N]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from fanout import build_programme, prompt_until_all_sent
from teams_double import APP_ID, BOT_TOKEN, TeamsDouble

from bot.common.config import Settings
from bot.sending.jobs import JobContext
from handlers.teams.messenger import TeamsMessenger
from models import Member, make_engine, session_scope
from models.tables import ConversationRef


def to_teams(url: str, service_url: str) -> None:
    """Every partner on Teams, with the personal chat the app's installation gave us."""
    engine = make_engine(url)
    now = datetime.now(UTC)
    with session_scope(engine) as session:
        for member in session.exec(select(Member)).all():
            member.platform, aad = "teams", f"00000000-0000-4000-8000-{member.id:012d}"
            member.platform_user_id = aad
            session.add(
                ConversationRef(
                    platform="teams",
                    conversation_id=f"a:1{member.id:08d}",
                    kind="personal",
                    aad_object_id=aad,
                    user_id=f"29:1{member.id:08d}",
                    service_url=service_url,
                    updated_at=now,
                )
            )
    engine.dispose()


def run(members: int, workers: int, every: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as folder, TeamsDouble() as double:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        programme = build_programme(url, members)
        to_teams(url, double.url)
        double.flaky(every)
        settings = Settings(teams_client_id=APP_ID, teams_token=lambda *a, **k: BOT_TOKEN, teams_service_url=double.url)
        engine = make_engine(url)
        messenger = TeamsMessenger(settings, engine)
        ctx = JobContext(engine=engine, messengers={"teams": messenger}, workers=workers)
        wall, runs = prompt_until_all_sent(ctx, programme, members)
        messenger.close()
        engine.dispose()
        sent = double.sent()
        chats = Counter(s.conversation_id for s in sent)
        return {
            "workers": workers,
            "wall_s": wall,
            "sends_per_s": len(sent) / wall,
            "delivered": len(chats),
            "duplicates": sum(n - 1 for n in chats.values()),
            "refused": double._seen - len(sent),
            "job_runs": runs,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--every", type=int, default=40, help="every Nth activity is answered 503")
    parser.add_argument("--workers", type=int, nargs="+", default=[4, 8, 16])
    args = parser.parse_args()
    print(
        f"fan-out of {args.members} Teams prompts (the check-in form in each card); the double answers every "
        f"{args.every}th activity 503; SQLite; {datetime.now():%Y-%m-%d}"
    )
    print(f"{'workers':>7} {'wall s':>7} {'sends/s':>8} {'delivered':>9} {'dupes':>5} {'503s':>5} {'runs':>4}")
    for workers in args.workers:
        r = run(args.members, workers, args.every)
        print(
            f"{r['workers']:>7} {r['wall_s']:>7.1f} {r['sends_per_s']:>8.1f} {r['delivered']:>9} "
            f"{r['duplicates']:>5} {r['refused']:>5} {r['job_runs']:>4}"
        )
        if r["delivered"] != args.members or r["duplicates"]:
            raise SystemExit("FAILED: not every prompt was delivered exactly once")


if __name__ == "__main__":
    main()
