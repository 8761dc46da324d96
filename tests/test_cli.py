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


@pytest.mark.slow
def test_demo_simulates_weeks_of_the_winter_into_a_folder_and_runs_the_same_twice(tmp_path):
    result = winterbot("demo", "--out", "out", "--until", "2026-12-11", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert "82 working days left" in text  # the opening summary, as at 1 December
    assert "Statutory organisations (3)" in text
    assert "Simulated 01 Dec 2026 to 11 Dec 2026: 9 working days." in text
    assert "Problems" not in text
    out = tmp_path / "out"
    assert (out / "winterbot-demo.db").is_file() and (out / "README.md").is_file()
    assert sorted(p.name for p in (out / "digests").glob("*.md")) == ["2026-12-04-digest.md", "2026-12-11-digest.md"]
    assert len(list((out / "briefs").glob("*-brief.json"))) == 9
    assert (out / "charts" / "burn-up-2026-12-11.png").read_bytes().startswith(b"\x89PNG")
    assert (out / "spend-return.xlsx").is_file() and (out / "spend-return.csv").is_file()
    assert "100%" in result.stderr  # the progress bar reached the end
    again = winterbot("demo", "--out", "out", "--until", "2026-12-11", cwd=tmp_path)
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


def _report_spend(url: str) -> dict[str, str]:
    """Two schemes report figures with pence; returns what the totals must be."""
    from datetime import date as day
    from decimal import Decimal

    from models import SpendReport

    engine = make_engine(url)
    try:
        with session_scope(engine) as session:
            schemes = session.exec(select(Scheme).order_by(Scheme.id)).all()[:2]
            for scheme, actual in zip(schemes, ("1234.57", "98765.42"), strict=False):
                session.add(
                    SpendReport(
                        programme_id=scheme.programme_id,
                        scheme_id=scheme.id,
                        local_date=day(2027, 1, 18),
                        actual=Decimal(actual),
                        committed=Decimal("0.01"),
                        activity=Decimal("3"),
                        source="lead",
                    )
                )
    finally:
        engine.dispose()
    return {"actual": "99999.99", "committed": "0.02"}


def test_status_and_the_exported_return_agree_to_the_penny(tmp_path, database_url):
    import openpyxl

    assert winterbot("init", "area.yaml", cwd=tmp_path).returncode == 0
    assert winterbot("load", "area.yaml", cwd=tmp_path, database_url=database_url).returncode == 0
    expected = _report_spend(database_url)
    status = winterbot("status", "vale-winter-2026", "--today", "2027-01-20", cwd=tmp_path, database_url=database_url)
    assert status.returncode == 0, status.stderr
    assert "Actual £99,999.99, committed £0.02" in status.stdout
    assert "49 left" in status.stdout
    export = winterbot(
        "export",
        "vale-winter-2026",
        "--out",
        "return.xlsx",
        "--today",
        "2027-01-20",
        cwd=tmp_path,
        database_url=database_url,
    )
    assert export.returncode == 0, export.stderr
    sheet = openpyxl.load_workbook(tmp_path / "return.xlsx").worksheets[0]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    header, total = rows[0], next(r for r in rows if r[0] == "Total")

    def pounds(value) -> str:  # an XLSX number is a double: read it back to the penny
        from decimal import Decimal

        return str(Decimal(str(value)).quantize(Decimal("0.01")))

    assert pounds(total[header.index("Actual spend to date (£)")]) == expected["actual"]
    assert pounds(total[header.index("Committed (£)")]) == expected["committed"]
    chart = winterbot(
        "export",
        "vale-winter-2026",
        "--out",
        "burn.png",
        "--today",
        "2027-01-20",
        cwd=tmp_path,
        database_url=database_url,
    )
    assert chart.returncode == 0 and (tmp_path / "burn.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_export_refuses_other_formats_and_unknown_programmes(tmp_path, database_url):
    wrong = winterbot("export", "vale-winter-2026", "--out", "return.pdf", cwd=tmp_path, database_url=database_url)
    assert wrong.returncode == 2 and ".csv or .xlsx" in wrong.stderr
    unknown = winterbot("status", "nowhere", cwd=tmp_path, database_url=database_url)
    assert unknown.returncode == 2 and "no programme called 'nowhere'" in unknown.stderr


def test_a_bad_setting_in_the_environment_is_one_line_saying_what_to_fix(monkeypatch, capsys):
    from bot.app.cli import main

    monkeypatch.setenv("WINTERBOT_MAX_BODY_BYTES", "1MB")
    assert main(["serve"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "WINTERBOT_MAX_BODY_BYTES must be a whole number of bytes" in err
    assert "Traceback" not in err
