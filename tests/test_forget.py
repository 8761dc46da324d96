"""`winterbot forget`: one person's identifiers and words gone from every table, everyone else's
rows and every figure as they were. On SQLite, and on PostgreSQL when TEST_DATABASE_URL is set.

The `winter` fixture is the sample programme with a few days of real rows: Gareth Lewis (a partner,
the one forgotten) and Sandra Okoye (a partner) check in, raise blockers and answer a question; Tom
Hartley (a lead) decides, asks and replies. Other tests import it (tests/test_retention.py,
tests/test_export_person.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import insert, select
from sqlmodel import SQLModel

from bot.app.cli import main
from bot.people.forget import forget_member
from bot.people.membership import actor_of
from bot.people.person import find_person
from bot.programme.file import SAMPLE_PATH
from bot.programme.loader import load_path
from bot.sending.deliveries import delivery_key
from bot.spend.ledger import status_text
from models.db import session_scope
from models.tables import (
    AuditEvent,
    Blocker,
    BlockerEvent,
    CapacityReport,
    CheckIn,
    ConversationRef,
    Decision,
    Delivery,
    Member,
    NotifyReceipt,
    Programme,
    Question,
    QuestionAnswer,
    Risk,
    RiskEvent,
    Scheme,
    SpendReport,
    row_id,
)
from models.workspaces import slack_installations

SLUG = "vale-winter-2026"
GARETH, SANDRA, TOM = "U0VALE00006", "U0VALE00008", "U0VALE00003"
GARETH_EMAIL, GARETH_MOBILE = "gareth.lewis@vale.example", "+447700900456"
GARETH_AAD = "6f1c2d3e-aad0-4e11-9a7b-0123456789ab"
GARETH_TOKEN, BOT_TOKEN = "xoxp-gareth-own-token", "xoxb-the-workspace-bot"  # he installed the app
DAY = date(2027, 1, 6)
AT = datetime(2027, 1, 6, 10, 0, tzinfo=UTC)

# What Gareth wrote, each somewhere in the database, and what identifies him.
GARETH_WORDS = (
    "ward seven is short of carers",
    "no porters on the night shift",
    "invoice from Brightside counted twice",
    "porters missing at Vale General",
    "still waiting on the porter rota",
    "acknowledged, chasing the rota",
    "twelve step-down beds free",
)
GARETH_IDS = ("gareth", GARETH, GARETH_AAD, "7700900456", "a:1gareth-personal-chat", GARETH_TOKEN)
SANDRA_WORDS = ("discharge lounge full by noon", "nine beds by Friday")
TOM_WORDS = ("Tom replies: rota agreed with the trust",)


@dataclass(frozen=True)
class Winter:
    programme_id: int
    gareth: int
    sandra: int
    tom: int


def _member(session, user_id: str) -> Member:
    return session.exec(select(Member).where(Member.platform_user_id == user_id)).scalars().one()


@pytest.fixture
def winter(engine) -> Winter:
    load_path(engine, SAMPLE_PATH)
    with session_scope(engine) as s:
        programme = s.execute(select(Programme)).scalars().one()
        pid = row_id(programme)
        gareth, sandra, tom = _member(s, GARETH), _member(s, SANDRA), _member(s, TOM)
        gareth.email, gareth.mobile, gareth.away_until = GARETH_EMAIL, GARETH_MOBILE, date(2027, 1, 20)
        s.add(gareth)
        scheme = s.execute(select(Scheme).where(Scheme.programme_id == pid)).scalars().first()
        g, sa, t = row_id(gareth), row_id(sandra), row_id(tom)
        checkin = CheckIn(
            programme_id=pid,
            member_id=g,
            organisation_id=gareth.organisation_id,
            local_date=DAY,
            comment=f"{GARETH_WORDS[0]}",
            blockers=GARETH_WORDS[1],
            submitted_at=AT,
        )
        theirs = CheckIn(
            programme_id=pid,
            member_id=sa,
            organisation_id=sandra.organisation_id,
            local_date=DAY,
            comment=SANDRA_WORDS[0],
            submitted_at=AT,
        )
        s.add_all([checkin, theirs])
        s.flush()
        s.add_all(
            [
                SpendReport(
                    programme_id=pid,
                    scheme_id=row_id(scheme),
                    member_id=g,
                    checkin_id=row_id(checkin),
                    local_date=DAY,
                    actual=Decimal("12500.50"),
                    committed=Decimal("3000.00"),
                    activity=Decimal("420"),
                    correction_reason=GARETH_WORDS[2],
                    reported_at=AT,
                ),
                CapacityReport(
                    programme_id=pid,
                    organisation_id=gareth.organisation_id,
                    member_id=g,
                    checkin_id=row_id(checkin),
                    service="home_care",
                    local_date=DAY,
                    level=3,
                    measures={"people_waiting": "14"},
                    reported_at=AT,
                ),
            ]
        )
        blocker = Blocker(
            programme_id=pid,
            organisation_id=gareth.organisation_id,
            raised_by_member_id=g,
            checkin_id=row_id(checkin),
            text=GARETH_WORDS[3],
            raised_on=DAY,
            raised_at=AT,
            updated_at=AT,
        )
        s.add(blocker)
        s.flush()
        b = row_id(blocker)
        s.add_all(
            [
                BlockerEvent(blocker_id=b, member_id=g, action="raised", at=AT),
                BlockerEvent(blocker_id=b, member_id=t, action="reply", note=TOM_WORDS[0], at=AT),
                BlockerEvent(blocker_id=b, member_id=g, action="reply", note=GARETH_WORDS[4], at=AT),
            ]
        )
        quoted = Risk(
            programme_id=pid,
            rule="blocker_unanswered",
            subject=f"blocker:{b}",
            open_key=f"{pid}:blocker_unanswered:blocker:{b}",
            title="A blocker from Vale Council has had no answer",
            detail=f"“{GARETH_WORDS[3]}”, raised Wed 6 Jan, has had no answer for 3 working days.",
            severity="medium",
        )
        silent = Risk(
            programme_id=pid,
            rule="silent_partner",
            subject=f"member:{g}",
            title="Gareth Lewis (Vale Council) has not checked in",
            detail="No check-in from Gareth Lewis of Vale Council since Mon 4 Jan.",
            severity="low",
        )
        s.add_all([quoted, silent])
        s.flush()
        s.add(RiskEvent(risk_id=row_id(quoted), member_id=g, action="acknowledged", note=GARETH_WORDS[5], at=AT))
        s.add(RiskEvent(risk_id=row_id(silent), action="raised", note="Severity low: Gareth Lewis is quiet", at=AT))
        decision = Decision(
            programme_id=pid, member_id=t, text="Gareth Lewis to take the porter rota to the trust", local_date=DAY
        )
        question = Question(
            programme_id=pid, member_id=t, text="How many beds next week?", local_date=DAY, closes_on=DAY
        )
        s.add_all([decision, question])
        s.flush()
        s.add_all(
            [
                QuestionAnswer(
                    question_id=row_id(question),
                    member_id=g,
                    organisation_id=gareth.organisation_id,
                    checkin_id=row_id(checkin),
                    text=GARETH_WORDS[6],
                ),
                QuestionAnswer(
                    question_id=row_id(question),
                    member_id=sa,
                    organisation_id=sandra.organisation_id,
                    checkin_id=row_id(theirs),
                    text=SANDRA_WORDS[1],
                ),
            ]
        )
        dm = delivery_key(SLUG, "weekly-digest", f"slack:{GARETH}", DAY)
        s.add_all(
            [
                Delivery(
                    key=delivery_key(SLUG, "daily-prompts", f"m{g}", DAY),
                    programme_id=pid,
                    job="daily-prompts",
                    member_id=g,
                    target=f"slack:{GARETH}",
                    local_date=DAY,
                    state="sent",
                ),
                Delivery(key=dm, programme_id=pid, job="weekly-digest", target=f"slack:{GARETH}", local_date=DAY),
                Delivery(
                    key=delivery_key(SLUG, "daily-prompts", f"m{sa}", DAY),
                    programme_id=pid,
                    job="daily-prompts",
                    member_id=sa,
                    target=f"slack:{SANDRA}",
                    local_date=DAY,
                ),
                NotifyReceipt(notification_id="n-1", reference=dm, notification_type="email", status="delivered"),
                AuditEvent(
                    programme_id=pid,
                    member_id=g,
                    actor=actor_of(gareth),
                    action="member.away",
                    subject=f"member:{g}",
                    detail={"until": "2027-01-20"},
                ),
                AuditEvent(
                    programme_id=pid,
                    member_id=t,
                    actor=actor_of(tom),
                    action="decision.recorded",
                    subject=f"decision:{row_id(decision)}",
                    detail={"text": decision.text, "redactions": 0},
                ),
                AuditEvent(
                    programme_id=pid,
                    member_id=g,
                    actor=actor_of(gareth),
                    action="spend.lead_entry",
                    subject="scheme:home-care-hours",
                    detail={"reason": GARETH_WORDS[2], "figures": {"actual": "12500.50"}},
                ),
                ConversationRef(
                    platform="teams",
                    conversation_id="a:1gareth-personal-chat",
                    kind="personal",
                    user_id=GARETH,
                    aad_object_id=GARETH_AAD,
                    service_url="https://smba.example/",
                ),
            ]
        )
        s.execute(
            insert(slack_installations).values(
                client_id="111.222",
                app_id="A0WINTER",
                team_id="T0VALE",
                user_id=GARETH,
                user_token=GARETH_TOKEN,
                bot_token=BOT_TOKEN,
            )
        )
        return Winter(pid, g, sa, t)


def every_text(engine) -> list[tuple[str, str, str]]:
    """(table, column, value) of every text and JSON value in every table (every column is read:
    whatever comes back as a string, a mapping or a list is searched)."""
    found = []
    with engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            for column in table.columns:
                for (value,) in conn.execute(select(column)):
                    if isinstance(value, str):
                        found.append((table.name, column.name, value))
                    elif isinstance(value, dict | list):
                        found.append((table.name, column.name, json.dumps(value, ensure_ascii=False)))
    return found


def where_found(engine, needles) -> list[tuple[str, str, str]]:
    return [(t, c, v) for t, c, v in every_text(engine) if any(n.lower() in v.lower() for n in needles)]


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
