"""`winterbot demo`: the sample programme in a fresh SQLite file, with no credentials."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bot.loader import load_path
from bot.programme_file import SAMPLE_PATH, parse_programme_file
from bot.summary import format_summary, programme_summary
from models.db import make_engine, migrate, session_scope

DATABASE_NAME = "winterbot-demo.db"


@dataclass(frozen=True)
class DemoResult:
    out_dir: Path
    database: Path
    summary_file: Path
    text: str


def run_demo(out_dir: Path, today: date) -> DemoResult:
    out_dir.mkdir(parents=True, exist_ok=True)
    database = out_dir / DATABASE_NAME
    for leftover in out_dir.glob(DATABASE_NAME + "*"):
        leftover.unlink()
    engine = make_engine(f"sqlite:///{database}")
    try:
        migrate(engine)
        with SAMPLE_PATH.open(encoding="utf-8") as handle:
            slug = parse_programme_file(handle.read(), str(SAMPLE_PATH)).programme.slug
        load_path(engine, SAMPLE_PATH)
        with session_scope(engine) as session:
            text = format_summary(programme_summary(session, slug, today))
    finally:
        engine.dispose()
    summary_file = out_dir / "programme.txt"
    summary_file.write_text(text + "\n", encoding="utf-8")
    return DemoResult(out_dir=out_dir, database=database, summary_file=summary_file, text=text)
