"""Forget and retention on the demo's whole winter, whose rows the real use cases wrote (check-ins,
blockers and their threads, risks raised by the rules, decisions, questions, the audit trail): the
busiest partner forgotten leaves none of their ids or words, and neither step moves a figure of the
status or of the fortnightly return."""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import select
from test_forget_winter import where_found

from bot.app.cli import main
from bot.people.words import MARKERS, WORDS
from bot.spend.ledger import status_text
from bot.spend.return_calendar import return_calendar
from models.db import make_engine, session_scope
from models.tables import Member, Programme, table_of

pytestmark = pytest.mark.slow
SLUG = "vale-winter-2026"
AFTER = date(2027, 4, 6)


@pytest.fixture
def demo(whole_winter, tmp_path, monkeypatch):
    """A copy of the demo's database, and `winterbot` pointed at it."""
    copy = tmp_path / "winter.db"
    shutil.copy(whole_winter.database, copy)
    url = f"sqlite:///{copy}"
    monkeypatch.setenv("DATABASE_URL", url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


def written(engine) -> list[tuple[int, str]]:
    """(author, words) of every column of people's words."""
    out = []
    with engine.connect() as conn:
        for words in WORDS:
            t = table_of(words.model)
            out += [(a, w) for a, w in conn.execute(select(t.c[words.author], t.c[words.column])) if w]
    return out


def figures(tmp_path, name: str) -> tuple[str, bytes]:
    """The status text and the fortnightly return to the last period end, as files would carry them."""
    out = tmp_path / f"{name}.csv"
    engine = make_engine(f"sqlite:///{tmp_path / 'winter.db'}")
    with session_scope(engine) as s:
        programme = s.execute(select(Programme)).scalars().one()
        calendar = return_calendar(programme.settings, programme.deadline)
    engine.dispose()
    assert calendar is not None
    end = calendar.latest_end(AFTER)
    assert main(["export", SLUG, "--out", str(out), "--period-end", end.isoformat(), "--today", AFTER.isoformat()]) == 0
    engine = make_engine(f"sqlite:///{tmp_path / 'winter.db'}")
    try:
        return status_text(engine, SLUG, AFTER), out.read_bytes()
    finally:
        engine.dispose()


def test_the_busiest_partner_forgotten_leaves_nothing_of_them_and_every_figure(demo, tmp_path, capsys):
    rows = written(demo)
    busiest, _ = Counter(author for author, _ in rows if author is not None).most_common(1)[0]
    with session_scope(demo) as s:
        member = s.get(Member, busiest)
        uid, name = member.platform_user_id, member.name
    theirs = {w for a, w in rows if a == busiest}
    others = [w for a, w in rows if a != busiest]
    own = [w for w in theirs if len(w) >= 12 and not any(w in other for other in others)]
    assert len(own) > 10 and where_found(demo, [uid, name])
    before = figures(tmp_path, "before")

    assert main(["forget", uid]) == 0
    assert "programme file too" in capsys.readouterr().out

    assert where_found(demo, [uid, name]) == []
    assert where_found(demo, own) == []
    assert figures(tmp_path, "after") == before


def test_retention_removes_every_word_of_the_winter_and_keeps_every_figure(demo, tmp_path, capsys):
    before = figures(tmp_path, "before")
    assert len(written(demo)) > 100
    assert main(["run-job", "words-retention", "--at", "2027-09-28T06:00"]) == 0
    assert "removed the words of check-in comments" in capsys.readouterr().out
    assert {w for author, w in written(demo) if author is not None} <= set(MARKERS)  # the rules' own notes stay
    assert figures(tmp_path, "after") == before
