"""`winterbot forget`: one person's identifiers and words gone from every table, everyone else's
rows and every figure as they were. On SQLite, and on PostgreSQL when TEST_DATABASE_URL is set.
The winter is tests/test_forget_winter.py's."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select
from test_forget_winter import (  # noqa: F401  (winter: a fixture)
    AT,
    BOT_TOKEN,
    DAY,
    GARETH,
    GARETH_EMAIL,
    GARETH_IDS,
    GARETH_MOBILE,
    GARETH_WORDS,
    SANDRA_WORDS,
    SLUG,
    TOM_WORDS,
    Winter,
    every_text,
    where_found,
    winter,
)

from bot.app.cli import main
from bot.people.forget import forget_member
from bot.people.person import find_person
from bot.programme.file import SAMPLE_PATH
from bot.programme.loader import load_path
from bot.spend.ledger import status_text
from models.db import session_scope
from models.tables import (
    AuditEvent,
    BlockerEvent,
    CapacityReport,
    CheckIn,
    Decision,
    Delivery,
    Member,
    NotifyReceipt,
    Question,
    QuestionAnswer,
    Risk,
    SpendReport,
)


def others_rows(engine, w: Winter) -> list:
    """Sandra's and Tom's own rows, as dictionaries, to compare before and after."""
    with session_scope(engine) as s:
        rows = [
            *s.execute(select(Member).where(Member.id.in_([w.sandra, w.tom]))).scalars(),
            *s.execute(select(CheckIn).where(CheckIn.member_id == w.sandra)).scalars(),
            *s.execute(select(QuestionAnswer).where(QuestionAnswer.member_id == w.sandra)).scalars(),
            *s.execute(select(BlockerEvent).where(BlockerEvent.member_id == w.tom)).scalars(),
            *s.execute(select(Question).where(Question.member_id == w.tom)).scalars(),
            *s.execute(select(Delivery).where(Delivery.member_id == w.sandra)).scalars(),
        ]
        return [r.model_dump() for r in rows]


def forget(engine, user_id=GARETH, **kw):
    with session_scope(engine) as s:
        found = find_person(s, user_id)
        return [forget_member(s, m, p, AT, "test", **kw) for m, p in found]


def test_the_fixture_holds_his_words_and_ids_where_the_search_can_see_them(engine, winter):
    for needle in (*GARETH_WORDS, *GARETH_IDS, GARETH_EMAIL, GARETH_MOBILE):
        assert where_found(engine, [needle]), needle


def test_forget_leaves_none_of_his_ids_or_words_anywhere(engine, winter):
    before_status = status_text(engine, SLUG, date(2027, 1, 8))
    before_others = others_rows(engine, winter)

    [removed] = forget(engine)

    assert where_found(engine, (*GARETH_WORDS, *GARETH_IDS, GARETH_EMAIL, GARETH_MOBILE)) == []
    assert status_text(engine, SLUG, date(2027, 1, 8)) == before_status
    assert others_rows(engine, winter) == before_others
    for words in (*SANDRA_WORDS, *TOM_WORDS):
        assert where_found(engine, [words]), words
    assert removed["check-in comments"] == removed["check-in blockers"] == removed["blockers"] == 1
    assert removed["replies on blockers"] == removed["answers to questions"] == removed["notes on risks"] == 1
    assert removed["reasons for corrections"] == 1 and removed["risk details quoting their blockers"] == 1
    assert removed["Teams chats kept for them"] == 1 and removed["Notify receipt references to those keys"] == 1
    assert removed["delivery keys and targets naming them"] == 2
    assert removed["Slack installations they made (their user id and user token)"] == 1
    assert where_found(engine, [BOT_TOKEN])  # the workspace's, not his


def test_forget_keeps_his_figures_and_rows_under_a_neutral_name(engine, winter):
    forget(engine)
    with session_scope(engine) as s:
        member = s.get(Member, winter.gareth)
        assert (member.name, member.platform_user_id) == (
            f"forgotten member {winter.gareth}",
            f"forgotten-{winter.gareth}",
        )
        assert member.email is member.mobile is member.away_until is None and member.archived_at is not None
        [report] = s.execute(select(SpendReport).where(SpendReport.member_id == winter.gareth)).scalars()
        assert (report.actual, report.committed, report.activity) == (
            Decimal("12500.50"),
            Decimal("3000.00"),
            Decimal("420.00"),
        )
        assert s.execute(select(CapacityReport.level)).scalars().all() == [3]
        assert len(s.execute(select(CheckIn)).scalars().all()) == 2
        decision = s.execute(select(Decision)).scalars().one()
        assert decision.text == f"forgotten member {winter.gareth} to take the porter rota to the trust"
        silent = s.execute(select(Risk).where(Risk.rule == "silent_partner")).scalars().one()
        assert silent.title == f"forgotten member {winter.gareth} (Vale Council) has not checked in"
        dm = s.execute(select(Delivery).where(Delivery.job == "weekly-digest")).scalars().one()
        receipt = s.execute(select(NotifyReceipt)).scalars().one()
        assert receipt.reference == dm.key and f"forgotten-{winter.gareth}" in dm.key
        said = s.execute(select(AuditEvent).where(AuditEvent.action == "member.forgotten")).scalars().one()
        assert said.actor == "test" and said.member_id == winter.gareth and "blockers" in said.detail["removed"]


def test_a_dry_run_changes_nothing_and_a_second_forget_finds_nothing_left(engine, winter):
    before = every_text(engine)
    [would] = forget(engine, dry_run=True)
    assert every_text(engine) == before
    [removed] = forget(engine)
    assert {k: v for k, v in would.items() if v} == {k: v for k, v in removed.items() if v}
    assert forget(engine) == []  # no identifier finds him now
    with session_scope(engine) as s:
        assert find_person(s, GARETH_EMAIL) == find_person(s, "07700 900456") == []


def test_he_is_found_by_email_and_by_mobile_as_people_write_it(engine, winter):
    with session_scope(engine) as s:
        for given in (GARETH, "Gareth.Lewis@vale.example", "07700 900456", GARETH_MOBILE):
            [(member, _)] = find_person(s, given)
            assert member.id == winter.gareth, given


def test_an_id_inside_a_longer_one_is_not_replaced(engine, winter):
    with session_scope(engine) as s:
        s.add(
            Decision(
                programme_id=winter.programme_id,
                member_id=winter.tom,
                text=f"see {GARETH}7 and {GARETH}",
                local_date=DAY,
            )
        )
    forget(engine)
    with session_scope(engine) as s:
        texts = s.execute(select(Decision.text)).scalars().all()
    assert f"see {GARETH}7 and forgotten-{winter.gareth}" in texts


# -- through the command line -------------------------------------------------------------------


@pytest.fixture
def cli(database_url, engine, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", database_url)
    return main


def test_winterbot_forget_says_what_it_removed_and_then_that_nothing_is_left(cli, engine, winter, capsys):
    assert cli(["forget", GARETH, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert f"Would remove from member {winter.gareth} of {SLUG} (partner, on slack):" in out
    assert "  check-in comments: 1" in out and "Nothing was changed (--dry-run)." in out
    assert where_found(engine, GARETH_WORDS)

    assert cli(["forget", GARETH, "--programme", SLUG]) == 0
    out = capsys.readouterr().out
    assert f"Removed from member {winter.gareth} of {SLUG}" in out and "  blockers: 1" in out
    assert "programme file too" in out
    assert not any(word in out for word in GARETH_WORDS)
    assert where_found(engine, (*GARETH_WORDS, *GARETH_IDS)) == []

    assert cli(["forget", GARETH]) == 0
    assert "nothing left of them" in capsys.readouterr().out


def test_winterbot_forget_names_an_unknown_programme_and_an_unknown_person(cli, engine, winter, capsys):
    assert cli(["forget", GARETH, "--programme", "no-such-winter"]) == 2
    assert f"no programme called 'no-such-winter' (there is: {SLUG})" in capsys.readouterr().err
    assert cli(["forget", "U0NOBODY"]) == 0
    assert "No one on any programme is known by 'U0NOBODY': nothing is held under it." in capsys.readouterr().out
    assert where_found(engine, GARETH_WORDS)


def test_someone_on_two_programmes_is_forgotten_on_each(cli, engine, winter, tmp_path, capsys):
    second = tmp_path / "second.yaml"
    second.write_text(
        SAMPLE_PATH.read_text(encoding="utf-8").replace(f"slug: {SLUG}", "slug: downs-winter-2026"), encoding="utf-8"
    )
    load_path(engine, second)
    assert cli(["forget", GARETH]) == 0
    out = capsys.readouterr().out
    assert f"{GARETH!r} is on 2 programmes: forgetting them on each." in out
    assert f"of {SLUG}" in out and "of downs-winter-2026" in out
    assert where_found(engine, GARETH_IDS) == []
