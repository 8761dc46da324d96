"""Teams end to end: real activity payloads posted to the real ASGI app's /api/messages, its
replies and proactive sends captured by a loopback double of the Bot Connector service, and
the rows in the database afterwards. Token validation is switched off here, in the test's
settings, and nowhere else."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
import time_machine
from fixtures_slack import RunningApp, running_app
from slack_double import BOT_TOKEN as SLACK_TOKEN
from slack_double import SlackDouble
from slack_signing import SIGNING_SECRET
from sqlmodel import select
from teams_activities import TeamsUser, card_action, installed, message, team_installed
from teams_double import APP_ID, BOT_TOKEN, Sent, TeamsDouble, strings

from bot.app.wiring import build_messengers
from bot.common.config import Settings
from bot.programme.loader import load_path
from bot.sending.jobs.base import JobContext
from bot.sending.scheduler import run_job, watch_pass
from models.db import session_scope
from models.tables import CheckIn, ConversationRef, Member, Scheme, SpendReport

PROGRAMME = Path(__file__).with_name("fixtures") / "teams.yaml"
LONDON = ZoneInfo("Europe/London")
TUE_0931 = datetime(2027, 1, 5, 9, 31, tzinfo=LONDON)
TUE_1400 = datetime(2027, 1, 5, 14, 0, tzinfo=LONDON)
FRI_1500 = datetime(2027, 1, 8, 15, 0, tzinfo=LONDON)
ALICE = TeamsUser("8a1f0c52-0000-4000-8000-00000000a11c", "Alice Lead")
BOB = TeamsUser("8a1f0c52-0000-4000-8000-000000000b0b", "Bob Partner")
CAROL = TeamsUser("8a1f0c52-0000-4000-8000-00000000ca01", "Carol Partner")
STRANGER = TeamsUser("8a1f0c52-0000-4000-8000-0000000057a9", "Sam Stranger")
TEAMS_CHANNEL, TEAMS_LEADS = "19:mixed-fund@thread.tacv2", "19:mixed-leads@thread.tacv2"
SLACK_CHANNEL = "C0MIXED"


def bot_token(scope: Any, tenant_id: str | None = None) -> str:
    return BOT_TOKEN


@pytest.fixture
def teams_api() -> Iterator[TeamsDouble]:
    with TeamsDouble() as double:
        yield double


def teams_settings(database_url: str, slack_api: SlackDouble, teams_api: TeamsDouble, **more: Any) -> Settings:
    """Slack and Teams, each at its double; `more` adds the web pages, say."""
    return Settings(
        database_url=database_url,
        slack_bot_token=SLACK_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=slack_api.url,
        teams_client_id=APP_ID,
        teams_token=bot_token,
        teams_service_url=teams_api.url,
        teams_allow_unauthenticated=True,
        **more,
    )


@pytest.fixture
def settings(database_url: str, slack_api: SlackDouble, teams_api: TeamsDouble) -> Settings:
    return teams_settings(database_url, slack_api, teams_api)


@pytest.fixture
def server(settings: Settings, engine) -> Iterator[RunningApp]:
    load_path(engine, PROGRAMME)
    with running_app(settings, engine) as running:
        yield running


@pytest.fixture
def jobs(settings: Settings, engine) -> Iterator[JobContext]:
    messengers = build_messengers(settings, engine)
    yield JobContext(engine=engine, messengers=messengers, workers=2)
    messengers["teams"].close()  # type: ignore[attr-defined]


def post(server: RunningApp, activity: dict[str, Any]) -> httpx.Response:
    response = server.http.post("/api/messages", json=activity)
    assert response.status_code in (200, 201), response.text
    return response


def inputs(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["id"]: e for e in card["body"] if e.get("type", "").startswith("Input.")}


def action(card: dict[str, Any], verb: str) -> dict[str, Any]:
    return next(a for a in card.get("actions", []) if a.get("verb") == verb)


def scheme_id(engine, key: str) -> int:
    with session_scope(engine) as session:
        return session.exec(select(Scheme.id).where(Scheme.key == key)).one()


def prompts_in(teams_api: TeamsDouble, user: TeamsUser) -> list[Sent]:
    return [
        s
        for s in teams_api.sent(user.conversation_id)
        if any(e.get("id", "").startswith("scheme:") for c in s.cards for e in c["body"])
    ]


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


# -- install, prompt, a bad answer, a good one ---------------------------------------------------------


def test_prompt_then_a_bad_amount_is_shown_then_a_good_answer_is_stored(server, jobs, teams_api, engine):
    hours = scheme_id(engine, "hours")
    with time_machine.travel(TUE_0931, tick=True):
        post(server, installed(teams_api.url, BOB))
        welcome = teams_api.wait_for(1, BOB.conversation_id)[0]
        assert "What you can do" in welcome.card_text or "help" in welcome.card_text.lower()

        [result] = run_job(jobs, "daily-prompts", utc(TUE_0931), "mixed-fund")
        assert result.sent >= 1
        [prompt] = prompts_in(teams_api, BOB)
        card = prompt.cards[0]
        assert card["version"] == "1.5" and card["type"] == "AdaptiveCard"
        assert prompt.body.get("summary", "").startswith("Your winter check-in")
        fields = inputs(card)
        assert {f"scheme:{hours}:actual", f"scheme:{hours}:committed", "service:home_care"} <= set(fields)
        levels = fields["service:home_care"]
        assert levels["type"] == "Input.ChoiceSet" and [c["value"] for c in levels["choices"]] == ["1", "2", "3", "4"]

        submit = action(card, "checkin:submit")["data"]
        answers = {
            **submit,
            f"scheme:{hours}:actual": "lots",
            f"scheme:{hours}:committed": "£2,000",
            f"scheme:{hours}:activity": "120",
            "service:home_care": "2",
            "service:reablement": "1",
            "comment": "Two carers off sick this week",
        }
        refused = post(server, card_action(teams_api.url, BOB, "checkin:submit", answers, prompt.activity_id)).json()
        assert refused["statusCode"] == 200 and refused["type"] == "application/vnd.microsoft.card.adaptive"
        again = refused["value"]
        body = again["body"]
        at = next(i for i, e in enumerate(body) if e.get("id") == f"scheme:{hours}:actual")
        warning = next(e for e in body[at + 1 :] if e.get("color") == "Attention")
        assert warning["text"].startswith("⚠")
        kept = inputs(again)
        assert kept[f"scheme:{hours}:actual"]["value"] == "lots"
        assert kept["comment"]["value"] == "Two carers off sick this week"
        assert kept["service:home_care"]["value"] == "2"
        with session_scope(engine) as session:
            assert session.exec(select(CheckIn)).all() == []

        answers[f"scheme:{hours}:actual"] = "£12,500"
        stored = post(server, card_action(teams_api.url, BOB, "checkin:submit", answers, prompt.activity_id)).json()
        assert "today's check-in for **Home Carers Ltd** is in" in strings(stored["value"])
    with session_scope(engine) as session:
        [checkin] = session.exec(select(CheckIn)).all()
        bob = session.get(Member, checkin.member_id)
        assert bob.name == "Bob Partner" and checkin.comment == "Two carers off sick this week"
        spend = session.exec(select(SpendReport).where(SpendReport.scheme_id == hours)).one()
        assert spend.actual == Decimal("12500") and spend.committed == Decimal("2000")


def test_the_conversation_reference_is_kept_on_install_and_dropped_on_removal(server, teams_api, engine):
    post(server, installed(teams_api.url, CAROL))
    with session_scope(engine) as session:
        ref = session.exec(select(ConversationRef)).one()
        assert (ref.conversation_id, ref.aad_object_id, ref.kind) == (
            CAROL.conversation_id,
            CAROL.aad_object_id,
            "personal",
        )
        assert ref.service_url == teams_api.url and ref.removed_at is None
    post(server, installed(teams_api.url, CAROL, action="remove"))
    with session_scope(engine) as session:
        assert session.exec(select(ConversationRef)).one().removed_at is not None


def test_someone_never_installed_is_not_prompted_and_it_is_retried(server, jobs, teams_api):
    with time_machine.travel(TUE_0931, tick=True):
        [result] = run_job(jobs, "daily-prompts", utc(TUE_0931), "mixed-fund")
    assert prompts_in(teams_api, BOB) == []
    assert result.retrying >= 2  # Bob and Carol have no chat yet; the Slack members were sent theirs


# -- commands as messages -------------------------------------------------------------------------------


def test_commands_typed_as_messages_answer_in_the_chat(server, teams_api):
    post(server, message(teams_api.url, ALICE, "status"))
    [status] = teams_api.wait_for(1, ALICE.conversation_id)
    assert "Mixed fund" in status.card_text

    post(server, message(teams_api.url, ALICE, "decide Fund two more step-down beds from January"))
    decided = teams_api.wait_for(2, ALICE.conversation_id)[-1]
    assert "step-down beds" in decided.card_text

    post(server, message(teams_api.url, BOB, "partners"))
    refused = teams_api.wait_for(1, BOB.conversation_id)[-1]
    assert "lead" in refused.card_text.lower()

    post(server, message(teams_api.url, BOB, "frobnicate"))
    unknown = teams_api.wait_for(2, BOB.conversation_id)[-1]
    assert "/winter" not in unknown.card_text and "status" in unknown.card_text

    post(server, message(teams_api.url, STRANGER, "status"))
    stranger = teams_api.wait_for(1, STRANGER.conversation_id)[-1]
    assert "not on a winterbot programme" in stranger.card_text


def test_checkin_typed_opens_the_form_and_away_pauses_the_prompts(server, jobs, teams_api, engine):
    with time_machine.travel(TUE_0931, tick=True):
        post(server, installed(teams_api.url, CAROL))
        post(server, message(teams_api.url, CAROL, "checkin"))
        form = teams_api.wait_for(2, CAROL.conversation_id)[-1]
        assert "service:home_care" in inputs(form.cards[0])
        post(server, message(teams_api.url, CAROL, "away 2027-01-11"))
        run_job(jobs, "daily-prompts", utc(TUE_0931), "mixed-fund")
    with session_scope(engine) as session:
        carol = session.exec(select(Member).where(Member.name == "Carol Partner")).one()
        assert carol.away_until is not None and carol.away_until.isoformat() == "2027-01-11"
    assert [s for s in prompts_in(teams_api, CAROL) if s.body.get("summary", "").startswith("Your winter")] == []


def test_the_reminder_goes_once_to_whoever_has_not_answered(server, jobs, teams_api, engine):
    hours = scheme_id(engine, "hours")
    with time_machine.travel(TUE_0931, tick=True):
        for user in (BOB, CAROL):
            post(server, installed(teams_api.url, user))
        run_job(jobs, "daily-prompts", utc(TUE_0931), "mixed-fund")
        [prompt] = prompts_in(teams_api, CAROL)
        answers = {
            **action(prompt.cards[0], "checkin:submit")["data"],
            f"scheme:{hours}:actual": "£1,000",
            f"scheme:{hours}:committed": "0",
            f"scheme:{hours}:activity": "40",
            "service:home_care": "2",
            "service:reablement": "2",
        }
        stored = post(server, card_action(teams_api.url, CAROL, "checkin:submit", answers, prompt.activity_id)).json()
        assert "is in" in strings(stored["value"])
    with time_machine.travel(TUE_1400, tick=True):
        for _ in range(2):
            run_job(jobs, "reminders", utc(TUE_1400), "mixed-fund")
    reminders = [s for s in prompts_in(teams_api, BOB) if "gentle reminder" in s.card_text]
    assert len(reminders) == 1 and len(prompts_in(teams_api, BOB)) == 2
    assert "service:home_care" in inputs(reminders[0].cards[0]), "the form comes with the reminder"
    assert len(prompts_in(teams_api, CAROL)) == 1, "no reminder once answered"


# -- a mixed programme --------------------------------------------------------------------------------


def test_a_mixed_programme_gets_one_prompt_each_on_the_right_platform_and_one_digest_per_channel(
    server, jobs, teams_api, slack_api, engine
):
    with time_machine.travel(TUE_0931, tick=True):
        for user in (ALICE, BOB, CAROL):
            post(server, installed(teams_api.url, user))
        post(server, team_installed(teams_api.url, ALICE, TEAMS_CHANNEL, "Mixed fund"))
        for _ in range(2):
            run_job(jobs, "daily-prompts", utc(TUE_0931), "mixed-fund")
    assert len(prompts_in(teams_api, BOB)) == 1 and len(prompts_in(teams_api, CAROL)) == 1
    assert prompts_in(teams_api, ALICE) == []  # a lead is not prompted
    slack_prompts = [c for c in slack_api.calls("chat.postMessage") if ":daily-prompts:" in _key(c)]
    assert len(slack_prompts) == 2  # Dev and Eve, in Slack; Fay is a lead
    with session_scope(engine) as session:
        teams_ids = {m.id for m in session.exec(select(Member).where(Member.platform == "teams"))}
    assert not any(f":m{i}:" in _key(c) for c in slack_prompts for i in teams_ids)

    with time_machine.travel(FRI_1500, tick=True):
        for _ in range(2):
            run_job(jobs, "weekly-digest", utc(FRI_1500), "mixed-fund")
    in_teams = teams_api.sent(TEAMS_CHANNEL)
    titles = [s.cards[0]["body"][0]["text"] for s in in_teams if s.cards and "Weekly digest" in s.card_text]
    assert titles == ["Weekly digest: Mixed fund (part 1 of 2)", "Weekly digest: Mixed fund (part 2 of 2)"]
    [chart] = [s for s in in_teams if not s.cards]
    [image] = chart.body["attachments"]
    assert image["contentType"] == "image/png" and image["contentUrl"].startswith("data:image/png;base64,")
    assert len(json.dumps(chart.body)) < 28_000, "within what the Bot Connector accepts"
    order = [s.activity_id for s in in_teams if s.cards and "Weekly digest" in s.card_text] + [chart.activity_id]
    assert int(order[2].split("-")[1]) < int(order[1].split("-")[1]), "the chart follows the spend, before part 2"
    assert len([s for s in in_teams if s.http_method == "POST"]) == len(in_teams)
    first_count = len(in_teams)
    slack_digest = [c for c in slack_api.calls("chat.postMessage") if c["channel"] == SLACK_CHANNEL]
    assert slack_digest and all(":weekly-digest:" in _key(c) for c in slack_digest)
    keys = [_key(c) for c in slack_digest]
    assert len(keys) == len(set(keys)), "each part once in Slack"
    with time_machine.travel(FRI_1500, tick=True):
        run_job(jobs, "weekly-digest", utc(FRI_1500), "mixed-fund")
    assert len(teams_api.sent(TEAMS_CHANNEL)) == first_count


def _key(call: Any) -> str:
    return ((call.get("metadata") or {}).get("event_payload") or {}).get("key", "")


# -- risks -------------------------------------------------------------------------------------------


def test_a_level_four_goes_to_the_teams_leads_with_buttons_and_a_lead_acknowledges(
    server, teams_api, slack_api, engine, jobs
):
    hours = scheme_id(engine, "hours")
    with time_machine.travel(TUE_0931, tick=True):
        for user in (ALICE, BOB, CAROL):
            post(server, installed(teams_api.url, user))
        post(server, team_installed(teams_api.url, ALICE, TEAMS_LEADS, "Mixed fund leads"))
        post(server, message(teams_api.url, BOB, "checkin"))
        form = teams_api.wait_for(2, BOB.conversation_id)[-1].cards[0]
        answers = {
            **action(form, "checkin:submit")["data"],
            f"scheme:{hours}:actual": "1000",
            f"scheme:{hours}:committed": "0",
            f"scheme:{hours}:activity": "10",
            "service:home_care": "4",
            "service:reablement": "2",
        }
        post(server, card_action(teams_api.url, BOB, "checkin:submit", answers))
        watch_pass(jobs, datetime.now(UTC))  # the clock's watch, seconds after the check-in
        escalation = _risk_card(teams_api.wait_for(2, TEAMS_LEADS))
        risk = action(escalation.cards[0], "risk:acknowledge")["data"]["risk_id"]

        refused = post(
            server, card_action(teams_api.url, BOB, "risk:acknowledge", {"verb": "risk:acknowledge", "risk_id": risk})
        ).json()
        assert refused["type"] == "application/vnd.microsoft.activity.message" and "lead" in refused["value"].lower()

        done = post(
            server,
            card_action(
                teams_api.url,
                ALICE,
                "risk:acknowledge",
                {"verb": "risk:acknowledge", "risk_id": risk},
                escalation.activity_id,
            ),
        ).json()
        assert "acknowledged" in strings(done["value"]).lower()
    for partner in (BOB, CAROL):  # the owner's partners: plain words, no buttons, left as sent
        [copy] = [
            s for s in teams_api.sent(partner.conversation_id) if "has gone to the winter fund's leads" in s.card_text
        ]
        assert all(not card.get("actions") for card in copy.cards)
        assert "“checkin”" in copy.card_text and "/winter" not in copy.card_text
        assert not [s for s in teams_api.sent(partner.conversation_id) if s.http_method == "PUT"]
    assert any(c["channel"] == "C0MIXLEADS" for c in slack_api.calls("chat.postMessage")), "Slack's leads were told too"
    in_slack = slack_api.wait_for("chat.update", 1)
    assert any(c["channel"] == "C0MIXLEADS" and "cknowledged" in json.dumps(c.get("blocks")) for c in in_slack)


def _risk_card(sent: list[Sent]) -> Sent:
    return next(
        s for s in sent if any(a.get("verb", "").startswith("risk:") for c in s.cards for a in c.get("actions", []))
    )


# -- security -----------------------------------------------------------------------------------------


def test_without_the_test_switch_an_unsigned_activity_is_refused(database_url, teams_api, engine):
    settings = Settings(
        database_url=database_url, teams_client_id=APP_ID, teams_token=bot_token, teams_service_url=teams_api.url
    )
    with running_app(settings, engine) as running:
        response = running.http.post("/api/messages", json=message(teams_api.url, BOB, "status"))
    assert response.status_code == 401
    assert teams_api.sent() == []
