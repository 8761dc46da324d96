"""The winter the tests of forget, retention and export-person share (no tests here): the sample
programme with a few days of real rows, on SQLite and on PostgreSQL when TEST_DATABASE_URL is set.
Gareth Lewis (a partner, the one forgotten) and Sandra Okoye (a partner) check in, raise blockers
and answer a question; Tom Hartley (a lead) decides, asks and replies. `where_found` searches every
text and JSON value of every table.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import insert, select
from sqlmodel import SQLModel

from bot.people.membership import actor_of
from bot.programme.file import SAMPLE_PATH
from bot.programme.loader import load_path
from bot.sending.deliveries import delivery_key
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
