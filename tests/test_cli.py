"""The `winterbot` command as a user runs it: a real subprocess with a real database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import select

from models import Member, Organisation, Programme, Scheme, Tranche, make_engine, session_scope


def winterbot(*args: str, cwd: Path, database_url: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))}
    if database_url:
        env["DATABASE_URL"] = database_url
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def counts(url: str) -> dict[str, int]:
    engine = make_engine(url)
    try:
        with session_scope(engine) as session:
            return {
                table.__name__: session.exec(select(func.count()).select_from(table)).one()
                for table in (Programme, Tranche, Organisation, Member, Scheme)
            }
    finally:
        engine.dispose()


def test_demo_loads_the_sample_and_prints_the_programme(tmp_path):
    result = winterbot("demo", "--out", "out", "--today", "2026-12-01", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert "82 working days left" in text
    assert "Statutory organisations (3)" in text
    assert "Local authority grant" in text and "ICB allocation" in text
    assert (tmp_path / "out" / "winterbot-demo.db").is_file()
    assert (tmp_path / "out" / "programme.txt").read_text().startswith(text.splitlines()[0])
    again = winterbot("demo", "--out", "out", "--today", "2026-12-01", cwd=tmp_path)
    assert again.returncode == 0 and again.stdout == result.stdout


def test_init_writes_the_sample_and_will_not_overwrite(tmp_path):
    first = winterbot("init", "area.yaml", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    written = (tmp_path / "area.yaml").read_text()
    assert "programme:" in written and "#" in written
    (tmp_path / "area.yaml").write_text("edited")
    second = winterbot("init", "area.yaml", cwd=tmp_path)
    assert second.returncode == 2
    assert "--force" in second.stderr
    assert (tmp_path / "area.yaml").read_text() == "edited"


def test_load_twice_changes_nothing_the_second_time(tmp_path, database_url):
    assert winterbot("init", "area.yaml", cwd=tmp_path).returncode == 0
    first = winterbot("load", "area.yaml", cwd=tmp_path, database_url=database_url)
    assert first.returncode == 0, first.stderr
    before = counts(database_url)
    assert before["Organisation"] >= 11 and before["Scheme"] >= 8 and before["Member"] >= 18
    second = winterbot("load", "area.yaml", cwd=tmp_path, database_url=database_url)
    assert second.returncode == 0, second.stderr
    assert "no changes" in second.stdout.lower()
    assert counts(database_url) == before


def test_a_bad_file_lists_every_problem_and_loads_nothing(tmp_path, database_url):
    assert winterbot("init", "area.yaml", cwd=tmp_path).returncode == 0
    assert winterbot("load", "area.yaml", cwd=tmp_path, database_url=database_url).returncode == 0
    before = counts(database_url)
    text = (tmp_path / "area.yaml").read_text()
    bad = text.replace("role: partner", "role: boss", 1).replace("kind: home_care", "kind: domiciliary", 1)
    assert bad != text
    (tmp_path / "bad.yaml").write_text(bad)
    result = winterbot("load", "bad.yaml", cwd=tmp_path, database_url=database_url)
    assert result.returncode == 2
    assert "boss" in result.stderr and "domiciliary" in result.stderr
    assert "bad.yaml:" in result.stderr
    assert "2 problems" in result.stderr and "nothing was loaded" in result.stderr
    assert counts(database_url) == before


def test_load_names_a_missing_file(tmp_path):
    result = winterbot("load", "nowhere.yaml", cwd=tmp_path, database_url=f"sqlite:///{tmp_path / 'x.db'}")
    assert result.returncode == 2
    assert "winterbot init nowhere.yaml" in result.stderr


@pytest.mark.parametrize("argv", [["--help"], ["demo", "--help"], ["load", "--help"]])
def test_help_is_there(tmp_path, argv):
    result = winterbot(*argv, cwd=tmp_path)
    assert result.returncode == 0
    assert "usage: winterbot" in result.stdout
