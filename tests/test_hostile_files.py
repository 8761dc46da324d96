"""Hostile programme files: `winterbot load` refuses each with where it is and what to fix,
exit 2, quickly and in little memory, and nothing reaches the database."""

from __future__ import annotations

import re
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import select

from bot.app.cli import main
from bot.programme.file import sample_text
from models import Programme, session_scope

SECONDS = 2.0
NAME = "name: Vale winter discharge fund 2026/27"
PEAK_BYTES = 40_000_000


def laughs(levels: int) -> str:
    """The "billion laughs": each level an alias list of nine of the level before."""
    names = [f"l{i}" for i in range(levels + 1)]
    lines = [f"{names[0]}: &{names[0]} [ha, ha, ha, ha, ha, ha, ha, ha, ha]"]
    lines += [f"{names[i]}: &{names[i]} [{', '.join([f'*{names[i - 1]}'] * 9)}]" for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


def sample_with(old: str, new: str) -> str:
    text = sample_text()
    assert text.count(old) == 1
    return text.replace(old, new)


HOSTILE = {
    "aliases": (laughs(9), "aliases repeat what they point at"),
    "self-alias": ("a: &a [1, *a]\n", "inside its own anchor"),
    "deep flow": ("programme: " + "[" * 3000 + "]" * 3000 + "\n", "nest more than"),
    "deep block": ("".join("  " * i + f"k{i}:\n" for i in range(400)) + "  " * 400 + "end\n", "nest more than"),
    "long integer": (
        sample_with("underspend_risk_percent: 90", "underspend_risk_percent: " + "9" * 5000),
        "5,000 characters long",
    ),
    "NUL escape": (sample_with(NAME, 'name: "Vale\\0 winter"'), "U+0000"),
    "NUL byte": (sample_with(NAME, 'name: "Vale\x00 Council"'), "U+0000"),
    "escape sequence": (sample_with(NAME, 'name: "Vale\\e[2J Council"'), "U+001B"),
    "right-to-left override": (sample_with(NAME, 'name: "Vale\u202e Council"'), "U+202E"),
    "non-character": (sample_with(NAME, 'name: "Vale\ufffe Council"'), "U+FFFE"),
}


def load(tmp_path: Path, content: str | bytes, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, float, int]:
    """Run `winterbot load` in this process: exit code, stderr, seconds and peak bytes."""
    path = tmp_path / "area.yaml"
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    tracemalloc.start()
    started = time.monotonic()
    try:
        code = main(["load", str(path)])
    finally:
        seconds = time.monotonic() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return code, capsys.readouterr().err, seconds, peak


@pytest.fixture(autouse=True)
def _database(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'winterbot.db'}")


@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_hostile_file_is_refused_where_it_is_quickly_and_in_little_memory(tmp_path, capsys, name):
    content, says = HOSTILE[name]
    code, err, seconds, peak = load(tmp_path, content, capsys)
    assert code == 2, err
    first = err.splitlines()[0]
    assert re.match(rf"{re.escape(str(tmp_path / 'area.yaml'))}:\d+:\d+: ", first), first  # file:line:column
    assert says in first, first
    assert "nothing was loaded" in err and "Traceback" not in err
    assert seconds < SECONDS, f"{name} took {seconds:.1f} s"
    assert peak < PEAK_BYTES, f"{name} peaked at {peak / 1e6:.0f} MB"


def test_the_line_and_column_are_those_of_the_character(tmp_path, capsys):
    code, err, _, _ = load(tmp_path, "programme:\n  name: ab\x07cd\n", capsys)
    assert code == 2
    assert err.splitlines()[0].startswith(f"{tmp_path / 'area.yaml'}:2:11: ")


def test_a_file_that_is_not_utf8_is_refused_at_the_byte(tmp_path, capsys):
    content = sample_text().encode("utf-8").replace(NAME.encode(), 'name: "Vale Café"'.encode("latin-1"))
    code, err, _, _ = load(tmp_path, content, capsys)
    assert code == 2
    first = err.splitlines()[0]
    assert "byte 0xE9 is not UTF-8" in first and "save the file as UTF-8" in first
    line = next(n for n, text in enumerate(sample_text().splitlines(), 1) if NAME in text)
    assert f"area.yaml:{line}:18: " in first


def test_a_huge_file_is_refused_without_reading_it_all(tmp_path, capsys):
    content = sample_text() + "# " + "x" * 1_200_000 + "\n"
    code, err, seconds, peak = load(tmp_path, content, capsys)
    assert code == 2 and "larger than 1 MB" in err
    assert seconds < SECONDS and peak < 3_000_000


def test_aliases_within_bounds_still_load(tmp_path, capsys):
    """The guard counts what aliases expand to; the ordinary use of one is still fine."""
    text = sample_with("  timezone: Europe/London", "  timezone: &tz Europe/London")
    text = text.replace("role: admin}", "role: admin, timezone: *tz}", 1)
    code, err, _, _ = load(tmp_path, text, capsys)
    assert code == 0, err


@pytest.mark.slow
def test_the_real_command_refuses_the_billion_laughs_with_one_located_line(tmp_path):
    (tmp_path / "laughs.yaml").write_text(laughs(9))
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "bot", "load", "laughs.yaml"],
        check=False,
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite:///{tmp_path / 'wb.db'}"},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("laughs.yaml:") and "Traceback" not in result.stderr
    assert time.monotonic() - started < 10


def test_a_nul_never_reaches_the_database(database_url, engine, monkeypatch, tmp_path, capsys):
    """On PostgreSQL a NUL in text is a database error; the file is refused before it gets there."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    code, err, _, _ = load(tmp_path, sample_with(NAME, 'name: "Vale\\0 winter"'), capsys)
    assert code == 2 and "U+0000" in err and "Traceback" not in err
    with session_scope(engine) as session:
        assert session.exec(select(func.count()).select_from(Programme)).one() == 0
