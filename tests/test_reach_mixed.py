"""A programme reached every way at once: Slack, Teams, email only and text only. Each partner
gets one prompt on their own channel; the digest goes once to each channel and once to each
member reached by email or text; running the jobs again sends nothing more."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from html import unescape
from zoneinfo import ZoneInfo

import pytest
import time_machine
from fixtures_slack import said
from notify_double import NotifyDouble
from slack_double import SlackDouble
from teams_activities import installed, team_installed
from teams_double import APP_ID, TeamsDouble
from test_notify_e2e import (  # noqa: F401 (fixtures)
    GILL,
    HAL,
    PUBLIC,
    SLUG,
    as_browser,
    notify_api,
    notify_settings,
    path_of,
    scheme_id,
    server,
)
from test_teams_e2e import ALICE, BOB, bot_token, post, prompts_in
from web_checkin_support import form_fields

from bot.app.wiring import build_messengers
from bot.common.config import Settings
from bot.sending.jobs.base import JobContext
from bot.sending.scheduler import run_job

pytest_plugins = ["fixtures_slack"]

LONDON = ZoneInfo("Europe/London")
TUE_0931 = datetime(2027, 1, 5, 9, 31, tzinfo=LONDON)
FRI_1500 = datetime(2027, 1, 8, 15, 0, tzinfo=LONDON)
TEAMS_CHANNEL = "19:reach-fund@thread.tacv2"


@pytest.fixture
def teams_api() -> Iterator[TeamsDouble]:
    with TeamsDouble() as double:
        yield double


@pytest.fixture
def settings(database_url: str, slack_api: SlackDouble, teams_api: TeamsDouble, notify_api: NotifyDouble) -> Settings:
    teams = {
        "teams_client_id": APP_ID,
        "teams_token": bot_token,
        "teams_service_url": teams_api.url,
        "teams_allow_unauthenticated": True,
    }
    return notify_settings(database_url, slack_api, notify_api, **teams)


@pytest.fixture
def jobs(settings: Settings, engine) -> Iterator[JobContext]:
    messengers = build_messengers(settings, engine)
    yield JobContext(engine=engine, messengers=messengers, workers=2)
    messengers["teams"].close()  # type: ignore[attr-defined]


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def slack_key(call) -> str:
    return ((call.get("metadata") or {}).get("event_payload") or {}).get("key", "")


@pytest.mark.slow
def test_one_prompt_each_on_their_own_channel_and_one_digest_each(
    server, jobs, slack_api, teams_api, notify_api, engine
):
    with time_machine.travel(TUE_0931, tick=True):
        for user in (ALICE, BOB):
            post(server, installed(teams_api.url, user))
        post(server, team_installed(teams_api.url, ALICE, TEAMS_CHANNEL, "Reach fund"))
        for _ in range(2):
            run_job(jobs, "daily-prompts", utc(TUE_0931), SLUG)

    assert len(prompts_in(teams_api, BOB)) == 1 and prompts_in(teams_api, ALICE) == []
    slack_prompts = [c for c in slack_api.calls("chat.postMessage") if ":daily-prompts:" in slack_key(c)]
    assert sorted(c["channel"] for c in slack_prompts) == ["U0RCH0004", "U0RCH0009"], "Dev and Ivy; Fay is an admin"
    assert [m.to for m in notify_api.sent("email")] == [GILL], "Ivy is in Slack: her email address is not used"
    assert [m.to for m in notify_api.sent("sms")] == [HAL]
    assert all(m.personalisation["link"].startswith(f"{PUBLIC}/checkin/") for m in notify_api.sent())

    with time_machine.travel(FRI_1500, tick=True):
        for _ in range(2):
            run_job(jobs, "weekly-digest", utc(FRI_1500), SLUG)
    digests = [m for m in notify_api.sent() if ":weekly-digest:" in (m.reference or "")]
    assert sorted((m.kind, m.to) for m in digests) == [("email", GILL), ("sms", HAL)]
    [by_email] = [m for m in digests if m.kind == "email"]
    assert by_email.personalisation["subject"].startswith("Weekly digest: Reach fund")
    assert "## Spend" in by_email.personalisation["body"] and "## You said, we did" in by_email.personalisation["body"]
    [by_text] = [m for m in digests if m.kind == "sms"]
    assert len(by_text.personalisation["body"]) <= 918 and "spent of" in by_text.personalisation["body"]
    in_slack = [c for c in slack_api.calls("chat.postMessage") if ":weekly-digest:" in slack_key(c)]
    assert in_slack and {c["channel"] for c in in_slack} == {"C0REACH"}
    assert len({slack_key(c) for c in in_slack}) == len(in_slack), "each part once in Slack"
    in_teams = [s for s in teams_api.sent(TEAMS_CHANNEL) if s.cards and "Weekly digest" in s.card_text]
    assert in_teams and len({s.card_text for s in in_teams}) == len(in_teams), "each part once in Teams"


@pytest.mark.slow
def test_the_board_shows_the_numbers_of_winter_status_after_partners_checked_in_by_email_and_text(
    server, jobs, notify_api, engine
):
    with time_machine.travel(TUE_0931, tick=True):
        run_job(jobs, "daily-prompts", utc(TUE_0931), SLUG)
        sitting = scheme_id(engine, "sitting")
        for message in notify_api.sent():
            path = path_of(message.link)
            page = server.http.get(path)
            fields = form_fields(page.text)
            typed = {"actual": "12,500.50", "committed": "3,000", "activity": "320"}
            fields.update(
                {f"scheme:{sitting}:{figure}": value for figure, value in typed.items() if message.kind == "email"}
            )
            stored = server.http.post(path, data=fields, headers=as_browser(page))
            assert "Check-in received" in stored.text, message.kind

        status, _ = said(server.command("status", "U0RCH0006"))
        answer = server.command("board", "U0RCH0006").json()
        [url] = [b["accessory"]["url"] for b in answer["blocks"] if "accessory" in b]
        board = unescape(re.sub(r"<[^>]+>", " ", server.http.get(url.removeprefix(PUBLIC)).text))
    money = re.search(r"Spent (£[\d,.]+) · committed (£[\d,.]+)", board)
    assert money and money.groups() == ("£12,501", "£3,000"), "whole pounds on a screen, as /winter status"
    assert "Spent £12,501" in status and "committed £3,000" in status
    checked = re.search(r"(\d+) of (\d+) partners have checked in today", board)
    assert checked and checked.groups() == ("2", "5"), "Gill and Hal of the five partners"
    assert f"{checked.group(1)} of {checked.group(2)}" in status
