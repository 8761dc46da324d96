"""Prompts outlive a long Slack outage: retried all the working day (never on a later day), and
the leads are told once, in plain words, what could not be sent and why."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from slack_double import BOT_TOKEN, CANNED
from sqlmodel import select
from test_jobs import london, programme  # noqa: F401 (a fixture)

from bot.common.config import Settings
from bot.sending.deliveries import GAVE_UP
from bot.sending.jobs import JobContext
from bot.sending.jobs.daily_prompts import run_daily_prompts
from bot.sending.jobs.reminders import run_reminders
from handlers.slack.messenger import SlackMessenger, sync_client
from handlers.slack.throttle import ChannelThrottle
from models import Delivery, session_scope

PARTNERS = 14  # in the bundled sample
LEADS = "C0VALELEADS"
DAY = date(2027, 1, 5)


@pytest.fixture
def ctx(engine, slack_api) -> JobContext:
    settings = Settings(slack_bot_token=BOT_TOKEN, slack_api_url=slack_api.url)
    unpaced = ChannelThrottle(interval=0.0)  # its second a channel is wall time; these tests jump minutes
    return JobContext(engine=engine, messengers={"slack": SlackMessenger(sync_client(settings), unpaced)}, workers=4)


class Outage:
    """Slack answering every post with service_unavailable until it is over."""

    def __init__(self, slack_api) -> None:
        self.down = True
        slack_api.answer("chat.postMessage", self._answer)
        self._api = slack_api

    def _answer(self, call):  # type: ignore[no-untyped-def]
        return (
            {"ok": False, "error": "service_unavailable"} if self.down else CANNED["chat.postMessage"](self._api, call)
        )


def delivered(slack_api, job: str) -> list:
    """The posts of a job that Slack accepted (a refused post is not in its history)."""
    return [m for m in slack_api.history_all() if m["metadata"]["event_payload"]["key"].split(":")[1] == job]


def every(start: datetime, end: datetime, step: timedelta) -> list[datetime]:
    out = [start]
    while out[-1] + step <= end:
        out.append(out[-1] + step)
    return out


@pytest.mark.slow
def test_an_outage_longer_than_an_hour_is_outlived_and_the_leads_are_told_once(ctx, programme, slack_api, engine):
    outage = Outage(slack_api)
    for now in every(london(DAY, 9, 30), london(DAY, 11), timedelta(minutes=10)):  # 10 attempts
        during = run_daily_prompts(ctx, programme, now)
    assert during.sent == 0 and during.failed == 0 and during.retrying == PARTNERS
    assert during.warning.startswith(
        f"{PARTNERS} of {PARTNERS} prompts could not be sent since 09:30: Slack said service_unavailable"
    )
    assert during.warning.endswith(". winterbot keeps trying until 18:00.")
    assert during.line().endswith(during.warning)
    with session_scope(engine) as session:
        rows = session.exec(select(Delivery).where(Delivery.job == "daily-prompts")).all()
    assert len(rows) == PARTNERS and all(r.attempts < GAVE_UP and r.next_attempt_at for r in rows)
    assert max(r.next_attempt_at for r in rows) <= london(DAY, 11) + timedelta(minutes=10)  # the cap

    outage.down = False  # back at +95 minutes
    for now in every(london(DAY, 11, 10), london(DAY, 11, 20), timedelta(minutes=10)):
        run_daily_prompts(ctx, programme, now)
    prompts = [m["metadata"]["event_payload"]["key"] for m in delivered(slack_api, "daily-prompts")]
    assert len(prompts) == len(set(prompts)) == PARTNERS
    [notice] = delivered(slack_api, "send-notice")
    assert (
        notice["text"]
        == f"{PARTNERS} of {PARTNERS} prompts went out late: they could not be sent from 09:30 until 11:10. All have gone now."
    )
    assert (
        next(
            c["channel"]
            for c in slack_api.calls("chat.postMessage")
            if ":send-notice:" in c["metadata"]["event_payload"]["key"]
        )
        == LEADS
    )

    reminded = run_reminders(ctx, programme, london(DAY, 14))  # prompted at 11:10: chased as usual
    assert reminded.sent == PARTNERS
    next_day = run_daily_prompts(ctx, programme, london(DAY + timedelta(days=1), 9, 30))
    assert next_day.sent == PARTNERS and next_day.warning is None
    keys = [m["metadata"]["event_payload"]["key"] for m in delivered(slack_api, "daily-prompts")]
    assert len(keys) == len(set(keys)) == 2 * PARTNERS
    assert len(delivered(slack_api, "send-notice")) == 1


@pytest.mark.slow
def test_a_prompt_sent_late_after_an_outage_is_chased_an_hour_later_not_at_once(ctx, programme, slack_api):
    outage = Outage(slack_api)
    for now in every(london(DAY, 9, 30), london(DAY, 13, 30), timedelta(minutes=30)):
        run_daily_prompts(ctx, programme, now)
    early = run_reminders(ctx, programme, london(DAY, 14))
    assert early.sent == 0 and early.skipped["no prompt sent today"] == PARTNERS
    outage.down = False
    assert run_daily_prompts(ctx, programme, london(DAY, 14, 5)).sent == PARTNERS
    soon = run_reminders(ctx, programme, london(DAY, 14, 10))
    assert soon.sent == 0 and soon.skipped["prompted under an hour ago"] == PARTNERS
    assert run_reminders(ctx, programme, london(DAY, 15, 10)).sent == PARTNERS


def test_an_outage_all_day_stops_at_six_and_the_next_day_sends_only_its_own(ctx, programme, slack_api, engine):
    outage = Outage(slack_api)
    run_daily_prompts(ctx, programme, london(DAY, 9, 30))
    evening = run_daily_prompts(ctx, programme, london(DAY, 17, 59))  # the next try would be after 18:00
    assert evening.failed == PARTNERS and evening.retrying == 0
    assert evening.warning.endswith("winterbot has stopped trying for today.")
    outage.down = False
    assert run_daily_prompts(ctx, programme, london(DAY, 18, 30)).sent == 0
    assert run_daily_prompts(ctx, programme, london(DAY + timedelta(days=1), 8)).note.startswith("nothing sent")
    assert run_daily_prompts(ctx, programme, london(DAY + timedelta(days=1), 9, 30)).sent == PARTNERS
    sent_days = {
        m["metadata"]["event_payload"]["key"].rsplit(":", 1)[-1] for m in delivered(slack_api, "daily-prompts")
    }
    assert sent_days == {(DAY + timedelta(days=1)).isoformat()}


def test_a_permanent_error_stays_permanent_is_said_in_the_job_line_and_not_posted(ctx, programme, slack_api):
    slack_api.answer(
        "chat.postMessage",
        lambda call: (
            {"ok": False, "error": "user_not_found"}
            if call["channel"].startswith("U")
            else CANNED["chat.postMessage"](slack_api, call)
        ),
    )
    assert run_daily_prompts(ctx, programme, london(DAY, 9, 30)).failed == PARTNERS
    later = run_daily_prompts(ctx, programme, london(DAY, 11))
    assert later.failed == PARTNERS and later.sent == 0 and later.retrying == 0
    assert f"{PARTNERS} of {PARTNERS} prompts could not be sent since 09:30: Slack said user_not_found" in later.line()
    assert later.line().endswith(". winterbot has stopped trying for today.")
    assert delivered(slack_api, "send-notice") == []
