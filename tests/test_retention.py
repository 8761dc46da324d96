"""words-retention: people's words kept until keep_words_days after the deadline, then removed from
every table; the figures, levels and counts, and so the status and the return, as they were."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from test_forget_winter import GARETH_IDS, GARETH_WORDS, SANDRA_WORDS, SLUG, TOM_WORDS, where_found, winter  # noqa: F401

from bot.app.cli import main
from bot.people.words import AFTER_RETENTION
from bot.sending.jobs import JOBS, JobContext
from bot.sending.jobs.words_retention import run_words_retention
from bot.spend.ledger import spend_position, status_text
from models.db import session_scope
from models.tables import AuditEvent, Blocker, CheckIn, Programme, QuestionAnswer

DEADLINE = date(2027, 3, 31)
KEEP = 180  # the last day kept: 27 Sep 2027
LAST_KEPT = datetime(2027, 9, 27, 22, 59, tzinfo=UTC)  # 23:59 in London (BST)
FIRST_GONE = datetime(2027, 9, 27, 23, 0, tzinfo=UTC)  # 00:00 on 28 Sep in London
EVERYONES_WORDS = (*GARETH_WORDS, *SANDRA_WORDS, *TOM_WORDS)


@pytest.fixture
def ctx(engine) -> JobContext:
    return JobContext(engine=engine, messengers={})


def programme(engine) -> Programme:
    with session_scope(engine) as s:
        return s.execute(select(Programme)).scalars().one()


def figures(engine) -> tuple[str, object]:
    """The status text and the spend position (the return's figures) as at a day after the deadline."""
    with session_scope(engine) as s:
        position = spend_position(s, s.execute(select(Programme)).scalars().one(), DEADLINE)
    return status_text(engine, SLUG, DEADLINE), position


def test_before_the_date_nothing_is_removed(engine, winter, ctx):
    result = run_words_retention(ctx, programme(engine), LAST_KEPT, keep_days=KEEP)
    assert result.line() == (
        f"words-retention {SLUG} Mon 27 Sep 2027: nothing removed: words are kept until 27 Sep 2027 "
        "(180 days after the deadline, 31 Mar 2027)"
    )
    for words in EVERYONES_WORDS:
        assert where_found(engine, [words]), words


def test_after_the_date_every_word_goes_and_the_figures_stay(engine, winter, ctx):
    before = figures(engine)
    result = run_words_retention(ctx, programme(engine), FIRST_GONE, keep_days=KEEP)

    assert result.note is not None and result.note.startswith("removed the words of check-in comments 2, ")
    for kind in ("check-in blockers 1", "blockers 1", "replies on blockers 2", "notes on risks 1", "decisions 1"):
        assert kind in result.note
    assert "answers to questions 2" in result.note and "copies in the audit trail 2" in result.note
    assert not any(words.lower() in result.line().lower() for words in EVERYONES_WORDS)
    assert where_found(engine, EVERYONES_WORDS) == []
    assert figures(engine) == before
    with session_scope(engine) as s:
        assert len(s.execute(select(CheckIn)).scalars().all()) == 2
        assert s.execute(select(Blocker.text)).scalars().all() == [AFTER_RETENTION]
        assert set(s.execute(select(QuestionAnswer.text)).scalars()) == {AFTER_RETENTION}
    assert where_found(engine, ["gareth"])  # retention removes words; people are forgotten on request


def test_a_rerun_removes_nothing_and_says_so(engine, winter, ctx):
    run_words_retention(ctx, programme(engine), FIRST_GONE, keep_days=KEEP)
    again = run_words_retention(ctx, programme(engine), FIRST_GONE, keep_days=KEEP)
    next_day = run_words_retention(ctx, programme(engine), datetime(2027, 9, 29, 9, tzinfo=UTC), keep_days=KEEP)
    expected = "nothing left to remove: the words were kept until 27 Sep 2027 and have gone"
    assert again.note == next_day.note == expected
    with session_scope(engine) as s:
        [said] = s.execute(select(AuditEvent).where(AuditEvent.action == "words.removed")).scalars()
    assert said.actor == "words-retention" and said.detail["removed"]["blockers"] == 1


def test_the_days_kept_come_from_winterbot_keep_words_days(engine, winter, ctx, monkeypatch):
    monkeypatch.setenv("WINTERBOT_KEEP_WORDS_DAYS", "30")
    early = datetime(2027, 5, 1, 9, tzinfo=UTC)
    assert JOBS["words-retention"](ctx, programme(engine), early).note.startswith("removed the words of")
    assert where_found(engine, EVERYONES_WORDS) == []


def test_run_job_words_retention_from_the_command_line(database_url, engine, winter, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.delenv("WINTERBOT_KEEP_WORDS_DAYS", raising=False)
    assert main(["run-job", "words-retention", "--at", "2027-09-27T12:00"]) == 0
    assert "nothing removed: words are kept until 27 Sep 2027" in capsys.readouterr().out
    assert main(["run-job", "words-retention", "--at", "2027-09-28T12:00"]) == 0
    assert "removed the words of check-in comments 2" in capsys.readouterr().out
    assert main(["run-job", "words-retention", "--at", "2027-09-28T12:05"]) == 0
    assert "nothing left to remove" in capsys.readouterr().out
    assert where_found(engine, EVERYONES_WORDS) == []
    assert where_found(engine, GARETH_IDS)


def test_the_clock_runs_it_beside_the_ticks_and_logs_counts_never_words(engine, winter, ctx, caplog):
    import logging

    from bot.sending.scheduler import DAILY, build_clock, tick

    assert build_clock(ctx).get_job("daily") is not None and DAILY == ("words-retention",)
    with caplog.at_level(logging.INFO):
        [result] = tick(ctx, datetime(2028, 1, 4, 9, tzinfo=UTC), DAILY)
    assert result.note is not None and result.note.startswith("removed the words of")
    assert "removed the words of" in caplog.text
    assert not any(words.lower() in caplog.text.lower() for words in (*EVERYONES_WORDS, *GARETH_IDS))
