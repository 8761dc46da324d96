"""`winterbot export-person`: everything held about one person, their words included, nothing of
anyone else's; exact money, instants with their offset."""

from __future__ import annotations

import json

import pytest
from test_forget_winter import GARETH, GARETH_EMAIL, GARETH_WORDS, SANDRA_WORDS, SLUG, TOM_WORDS, where_found, winter  # noqa: F401

from bot.app.cli import main
from bot.people.person import find_person
from bot.people.person_export import as_json, person_export, plain
from models.db import session_scope


@pytest.fixture
def cli(database_url, engine, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", database_url)
    return main


def test_the_export_holds_his_words_and_nothing_of_anyone_elses(engine, winter):
    with session_scope(engine) as s:
        text = as_json(person_export(s, find_person(s, GARETH), GARETH))
    for words in GARETH_WORDS:
        assert words in text, words
    for words in (*SANDRA_WORDS, *TOM_WORDS, "How many beds next week?"):
        assert words not in text, words
    export = json.loads(text)
    [membership] = export["memberships"]
    assert membership["member"]["email"] == GARETH_EMAIL and membership["away_until"] == "2027-01-20"
    assert membership["spend_reports"][0]["actual"] == "12500.50"  # Decimal, exactly
    assert membership["check_ins"][0]["submitted_at"] == "2027-01-06T10:00:00+00:00"
    assert len(membership["blockers_raised"]) == 1 and len(membership["their_steps_on_blockers"]) == 2
    assert [r["rule"] for r in membership["risks_about_them"]] == ["silent_partner"]
    assert len(membership["messages_sent_to_them"]) == 2
    assert {e["action"] for e in membership["audit_events"]} == {"member.away", "spend.lead_entry"}
    assert membership["questions_answered"][0].keys().isdisjoint({"text", "member_id"})
    assert len(membership["teams_chats"]) == 1
    [install] = membership["slack_installations_they_made"]
    assert install["team_id"] == "T0VALE" and "xox" not in text  # where, never a token


def test_a_naive_instant_is_refused_not_guessed():
    from datetime import datetime

    with pytest.raises(ValueError, match="naive"):
        plain(datetime(2027, 1, 6, 10, 0))


def test_winterbot_export_person_writes_the_file_and_a_summary(cli, engine, winter, tmp_path, capsys):
    out = tmp_path / "gareth.json"
    assert cli(["export-person", "07700 900456", "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert f"Wrote everything held about '07700 900456' to {out}: member {winter.gareth} of {SLUG}" in said
    assert "  member records: 1" in said and "  check ins: 1" in said and "  blockers raised: 1" in said
    assert not any(words in said for words in GARETH_WORDS)
    assert GARETH_WORDS[0] in out.read_text(encoding="utf-8")


def test_export_person_refuses_an_unknown_person_or_programme_and_writes_nothing(cli, engine, winter, tmp_path, capsys):
    out = tmp_path / "nobody.json"
    assert cli(["export-person", "U0NOBODY", "--out", str(out)]) == 2
    assert "No one on any programme is known by 'U0NOBODY'" in capsys.readouterr().err
    assert cli(["export-person", GARETH, "--programme", "elsewhere", "--out", str(out)]) == 2
    assert "no programme called 'elsewhere'" in capsys.readouterr().err
    assert cli(["export-person", GARETH, "--out", str(tmp_path / "gareth.txt")]) == 2
    assert "give a file ending .json" in capsys.readouterr().err
    assert not out.exists()


def test_after_a_forget_the_export_finds_nothing(cli, engine, winter, tmp_path, capsys):
    assert cli(["forget", GARETH]) == 0
    capsys.readouterr()
    assert cli(["export-person", GARETH_EMAIL, "--out", str(tmp_path / "after.json")]) == 2
    assert "nothing left of them" in capsys.readouterr().err
    assert where_found(engine, GARETH_WORDS) == []
