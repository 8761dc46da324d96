"""How long `/winter spend` takes to compute, and how many SQL statements it issues, on a
large programme (benchmarks/large_programme.py: 200 organisations, 60 schemes, daily reports).

For each database (SQLite in a temp file always; PostgreSQL when TEST_DATABASE_URL or --pg
is given, in a fresh schema dropped afterwards) and for 30 and 120 working days of reports,
prints the median and p95 time of `spend_position` and `burn_up` over --runs runs (each in a
fresh session, as a request would be) and the statements each issues. The statement count
must be the same for 30 and 120 days: the queries do not grow with the ledger's history.

Run: python benchmarks/spend.py [--pg URL] [--runs 20]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, func, select, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from benchmarks.large_programme import LARGE_TODAY, build_large_programme
from bot.programme.lookup import get_programme
from bot.spend.burn_up import burn_up
from bot.spend.ledger import spend_position
from models.db import make_engine, normalise_url
from models.tables import SpendReport

DAY_COUNTS = (30, 120)


@dataclass(frozen=True)
class Result:
    database: str
    days: int
    ledger_rows: int
    measure: str
    median_ms: float
    p95_ms: float
    statements: int


class StatementCounter:
    """Counts the statements sent to the database (SQLAlchemy's before_cursor_execute)."""

    def __init__(self, engine: Engine) -> None:
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *_: Any) -> None:
        self.count += 1


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def measure(engine: Engine, slug: str, days: int, database: str, runs: int) -> list[Result]:
    with Session(engine, expire_on_commit=False) as session:
        programme = get_programme(session, slug)
        rows = session.scalar(
            select(func.count()).select_from(SpendReport).where(SpendReport.programme_id == programme.id)
        )
    counter = StatementCounter(engine)
    results = []
    for name, compute in (("spend_position", spend_position), ("burn_up", burn_up)):
        samples, statements = _time(
            engine, lambda session, compute=compute: compute(session, programme, LARGE_TODAY), counter, runs
        )
        results.append(Result(database, days, rows or 0, name, statistics.median(samples), _p95(samples), statements))
    return results


def _time(
    engine: Engine, work: Callable[[Session], Any], counter: StatementCounter, runs: int
) -> tuple[list[float], int]:
    """Times `work` in a fresh session per run, after two warm-up runs; returns the times in ms
    and the statements of one run (the same every run: checked)."""
    counts, samples = set(), []
    for run in range(runs + 2):
        with Session(engine, expire_on_commit=False) as session:
            session.connection()  # the pool checkout is not the computation
            before = counter.count
            started = time.perf_counter()
            work(session)
            elapsed = (time.perf_counter() - started) * 1000
            counts.add(counter.count - before)
        if run >= 2:
            samples.append(elapsed)
    assert len(counts) == 1, f"the statement count varied between runs: {counts}"
    return samples, counts.pop()


def run_database(database: str, url: str, runs: int) -> list[Result]:
    engine = make_engine(url)
    try:
        results = []
        for days in DAY_COUNTS:
            started = time.perf_counter()
            slug = build_large_programme(engine, working_days=days)
            print(f"  {database}: built {slug} in {time.perf_counter() - started:.1f}s", file=sys.stderr)
            results += measure(engine, slug, days, database, runs)
        return results
    finally:
        engine.dispose()


@contextmanager
def postgres_schema(base_url: str) -> Iterator[str]:
    """A URL whose search_path is a fresh schema, dropped afterwards."""
    schema = f"wb_bench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(base_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = normalise_url(base_url)
    joiner = "&" if "?" in url else "?"
    try:
        yield f"{url}{joiner}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def print_table(results: list[Result]) -> None:
    print(
        f"{'database':<10} {'days':>5} {'ledger rows':>11} {'computes':<15} {'median ms':>10} {'p95 ms':>8} {'statements':>10}"
    )
    for r in results:
        print(
            f"{r.database:<10} {r.days:>5} {r.ledger_rows:>11} {r.measure:<15} {r.median_ms:>10.1f} {r.p95_ms:>8.1f} {r.statements:>10}"
        )
    for database in dict.fromkeys(r.database for r in results):
        for name in dict.fromkeys(r.measure for r in results):
            counts = {r.days: r.statements for r in results if r.database == database and r.measure == name}
            verdict = "the same" if len(set(counts.values())) == 1 else "GROWS with the days"
            print(f"{database} {name}: statements {counts} - {verdict}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pg", default=os.environ.get("TEST_DATABASE_URL"), help="a PostgreSQL URL to measure too")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args(argv)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        results += run_database("sqlite", f"sqlite:///{Path(tmp) / 'large.db'}", args.runs)
    if args.pg:
        with postgres_schema(args.pg) as url:
            results += run_database("postgres", url, args.runs)
    print_table(results)
    grows = any(
        len({r.statements for r in results if (r.database, r.measure) == key}) > 1
        for key in {(r.database, r.measure) for r in results}
    )
    return 1 if grows else 0


if __name__ == "__main__":
    raise SystemExit(main())
