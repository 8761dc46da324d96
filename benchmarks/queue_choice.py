"""Our delivery ledger as a work queue, or an existing PostgreSQL task queue (issue 19)?

Drains N no-op jobs (5,000) with 1 and 3 processes of T threads (4) each, through
  (a) the ledger: bot.sending.deliveries.claim_next (UPDATE ... FOR UPDATE SKIP LOCKED, one key a
      claim) then mark_sent, as a fan-out's sender thread does, the keys offered in chunks of
      fanout.CHUNK;
  (b) procrastinate (if installed: `pip install procrastinate`; only this benchmark needs it),
      its jobs deferred in one batch, drained by `run_worker(wait=False, concurrency=T)`.
Prints jobs a second and the time a worker slot spends per job (slots x wall / jobs: the jobs do
nothing, so this is all queue overhead, mostly the database's).

Run: python benchmarks/queue_choice.py [--database URL] [--jobs 5000] [--threads 4]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text

from benchmarks.spend import postgres_schema
from bot.sending.deliveries import Planned, claim_next, mark_sent, plan
from bot.sending.jobs.fanout import CHUNK
from models import Programme, make_engine, migrate, session_scope

DAY = date(2027, 1, 5)
NOW = datetime(2027, 1, 5, 9, 30, tzinfo=UTC)


# ------------------------------------------------------------------ (a) the ledger


def ledger_setup(url: str, jobs: int) -> None:
    engine = make_engine(url)
    migrate(engine)
    with session_scope(engine) as session:
        programme = Programme(
            slug="queue",
            name="Queue",
            deadline=date(2027, 3, 31),
            channel="C0QUEUE",
            checkin_time=datetime(2027, 1, 1, 9, 30).time(),
            reminder_time=datetime(2027, 1, 1, 14).time(),
            brief_time=datetime(2027, 1, 1, 8, 30).time(),
            digest_time=datetime(2027, 1, 1, 15).time(),
        )
        session.add(programme)
        session.flush()
        programme_id = programme.id
    assert programme_id is not None
    plan(engine, programme_id, "noop", DAY, [Planned(k) for k in ledger_keys(jobs)], NOW)
    engine.dispose()


def ledger_keys(jobs: int) -> list[str]:
    return [f"queue:noop:m{n}:{DAY.isoformat()}" for n in range(jobs)]


def ledger_worker(url: str, jobs: int, threads: int, start: float) -> int:
    engine = make_engine(url, pool_size=threads + 1)
    keys = ledger_keys(jobs)
    chunks = [keys[i : i + CHUNK] for i in range(0, len(keys), CHUNK)]
    at = [0]
    lock = threading.Lock()
    done = [0]

    def drain() -> None:
        while True:
            with lock:
                mine = at[0]
            if mine >= len(chunks):
                return
            claims = claim_next(engine, chunks[mine], datetime.now(UTC), 1)
            if not claims:
                with lock:
                    at[0] = max(at[0], mine + 1)
                continue
            for held in claims:
                mark_sent(engine, held.key, NOW, "noop", owner=held.owner)
            with lock:
                done[0] += len(claims)

    time.sleep(max(0.0, start - time.time()))
    pool = [threading.Thread(target=drain) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    engine.dispose()
    print(done[0])
    return 0


# ------------------------------------------------------------------ (b) procrastinate


def procrastinate_app(url: str):  # type: ignore[no-untyped-def]
    import logging

    import procrastinate

    logging.getLogger("procrastinate").setLevel(logging.ERROR)  # not its word on where App lives

    schema = url.rsplit("csearch_path%3D", 1)[-1]
    dsn = url.split("?", 1)[0].replace("postgresql+psycopg://", "postgresql://")
    connector = procrastinate.PsycopgConnector(conninfo=dsn, kwargs={"options": f"-csearch_path={schema}"})
    app = procrastinate.App(connector=connector)

    @app.task(name="noop")
    def noop(n: int) -> None:
        return None

    return app, noop


def procrastinate_setup(url: str, jobs: int) -> None:
    app, noop = procrastinate_app(url)
    with app.open():
        app.schema_manager.apply_schema()
        for start in range(0, jobs, 1000):
            noop.batch_defer(*({"n": n} for n in range(start, min(jobs, start + 1000))))


def procrastinate_worker(url: str, threads: int, start: float) -> int:
    app, _ = procrastinate_app(url)

    async def work() -> None:
        async with app.open_async():
            await app.run_worker_async(
                concurrency=threads, wait=False, install_signal_handlers=False, listen_notify=False
            )

    time.sleep(max(0.0, start - time.time()))
    asyncio.run(work())
    print(0)
    return 0


# ------------------------------------------------------------------ the runs


def drain(kind: str, url: str, jobs: int, processes: int, threads: int) -> tuple[float, bool]:
    start = time.time() + 4 + processes
    command = [sys.executable, __file__, f"{kind}-worker", "--database", url, "--jobs", str(jobs)]
    command += ["--threads", str(threads), "--start", repr(start)]
    procs = [subprocess.Popen(command, stdout=subprocess.PIPE, text=True) for _ in range(processes)]
    for proc in procs:
        proc.communicate(timeout=900)
    wall = time.time() - start
    engine = make_engine(url)
    with engine.connect() as connection:
        if kind == "ledger":
            left = connection.execute(text("SELECT count(*) FROM delivery WHERE state <> 'sent'")).scalar()
        else:
            left = connection.execute(
                text("SELECT count(*) FROM procrastinate_jobs WHERE status <> 'succeeded'")
            ).scalar()
    engine.dispose()
    return wall, left == 0 and not any(p.returncode for p in procs)


def measure(kind: str, base: str, jobs: int, processes: int, threads: int) -> None:
    with postgres_schema(base) as url:
        (ledger_setup if kind == "ledger" else procrastinate_setup)(url, jobs)
        wall, ok = drain(kind, url, jobs, processes, threads)
    slots = processes * threads
    print(
        f"{kind:<14} {processes:>9} {threads:>7} {wall:>7.2f} {jobs / wall:>7.0f} {slots * wall / jobs * 1000:>9.2f}"
        f"{'' if ok else '  (NOT all drained)'}",
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", nargs="?", default="run", choices=("run", "ledger-worker", "procrastinate-worker"))
    parser.add_argument("--database", default=os.environ.get("TEST_DATABASE_URL"))
    parser.add_argument("--jobs", type=int, default=5000)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 3])
    parser.add_argument("--start", type=float, default=0.0)
    args = parser.parse_args(argv)
    if not args.database:
        print("give a PostgreSQL URL with --database or TEST_DATABASE_URL", file=sys.stderr)
        return 2
    if args.what == "ledger-worker":
        return ledger_worker(args.database, args.jobs, args.threads, args.start)
    if args.what == "procrastinate-worker":
        return procrastinate_worker(args.database, args.threads, args.start)
    kinds = ["ledger"]
    try:
        import procrastinate  # noqa: F401

        kinds.append("procrastinate")
    except ImportError:
        print("procrastinate is not installed (pip install procrastinate): the ledger alone is measured")
    print(
        f"{args.jobs} no-op jobs on PostgreSQL, {os.cpu_count()} cores, {time.strftime('%Y-%m-%d %H:%M')}; "
        f"run {uuid.uuid4().hex[:6]}"
    )
    print(f"{'queue':<14} {'processes':>9} {'threads':>7} {'wall s':>7} {'jobs/s':>7} {'ms a job':>9}")
    for kind in kinds:
        for processes in args.processes:
            measure(kind, args.database, args.jobs, processes, args.threads)
    return 0


if __name__ == "__main__":
    sys.exit(main())
