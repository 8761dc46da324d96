"""Waiting out Slack's rate limits (handlers.slack.retry): a 429 is retried after the
Retry-After Slack gave, many times if need be; a burst of 429s stops every thread and sets a pace
under what Slack accepted, an isolated one does not; so a fan-out held at Slack's limit delivers
every prompt in the one run, once, refused a handful of times rather than at every turn.

And what is not worth retrying (handlers.slack.api_errors): a scope the app lacks, a channel it is
not in, a dead token: failed for good after one attempt, with what to do."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
from slack_double import BOT_TOKEN
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from sqlmodel import select
from test_jobs import PARTNERS, context, london, programme  # noqa: F401

from bot.common.config import Settings
from bot.sending.jobs.daily_prompts import run_daily_prompts
from bot.sending.ports import Destination, SendError
from handlers.slack.messenger import SlackMessenger, sync_client
from handlers.slack.retry import (
    BURST,
    MAX_RETRIES,
    MIN_RATE,
    PACE_RISE,
    PACE_STEP,
    Pacer,
    Pacers,
    PatientRateLimitRetry,
    retry_after,
)
from models import Delivery, session_scope

REQUEST = HttpRequest(method="POST", url="https://slack.com/api/chat.postMessage", headers={})


def response(status: int, retry: str | None = None) -> HttpResponse:
    headers = {"Retry-After": [retry]} if retry is not None else {}
    return HttpResponse(status_code=status, headers=headers)


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def accepted_for_a_second(pacer: Pacer, fake: FakeTime, calls: int) -> None:
    for _ in range(calls):
        pacer.wait()
        pacer.accepted()
        fake.now += 1 / calls


def test_until_a_window_fills_calls_go_at_once():
    fake = FakeTime()
    pacer = Pacer(fake.clock, fake.sleep)
    assert [pacer.wait() for _ in range(100)] == [0.0] * 100 and pacer.rate is None


def test_an_isolated_429_holds_back_nobody_else():
    fake = FakeTime()
    pacer = Pacer(fake.clock, fake.sleep)
    accepted_for_a_second(pacer, fake, 40)
    pacer.refused(retry_after=1.0)
    fake.now += 1.0
    pacer.refused(retry_after=1.0)  # a second one, a second later: still not a full window
    assert pacer.rate is None and pacer.wait() == 0.0


def test_a_burst_of_429s_stops_everyone_then_paces_below_what_was_accepted():
    fake = FakeTime()
    pacer = Pacer(fake.clock, fake.sleep)
    accepted_for_a_second(pacer, fake, 50)
    for _ in range(BURST):
        pacer.refused(retry_after=1.0)
    assert pacer.rate == pytest.approx(45.0)
    refused_at = fake.now
    pacer.wait()
    assert fake.now == pytest.approx(refused_at + 1.0)  # the whole Retry-After, for every thread
    before = fake.now
    pacer.wait()
    assert fake.now - before == pytest.approx(1 / 45)


def test_the_pace_rises_while_nothing_is_refused_and_never_falls_below_the_floor():
    fake = FakeTime()
    pacer = Pacer(fake.clock, fake.sleep)
    for _ in range(BURST):
        pacer.refused(retry_after=1.0)  # refused with nothing accepted yet
    assert pacer.rate is not None and pacer.rate >= MIN_RATE
    rate = pacer.rate
    fake.now += 1.0 + PACE_STEP
    pacer.wait()
    assert pacer.rate == pytest.approx(rate * PACE_RISE)
    for _ in range(20 * BURST):
        pacer.refused(retry_after=1.0)
    assert pacer.rate == MIN_RATE


def test_methods_have_their_own_pacers_however_they_are_named():
    pacers = Pacers()
    assert pacers.of("chat_postMessage") is pacers.of("chat.postMessage")
    assert pacers.of("https://slack.com/api/chat.postMessage") is pacers.of("chat.postMessage")
    assert pacers.of("chat.update") is not pacers.of("chat.postMessage")


def test_a_429_is_retried_after_what_slack_asked_and_nothing_else_is():
    slept: list[float] = []
    handler = PatientRateLimitRetry(sleep=slept.append, jitter=lambda: 0.05)
    state = RetryState()
    assert handler.can_retry(state=state, request=REQUEST, response=response(429, "3"))
    handler.prepare_for_next_attempt(state=state, request=REQUEST, response=response(429, "3"))
    assert slept == [3.05] and state.current_attempt == 1 and state.next_attempt_requested
    assert not handler.can_retry(state=RetryState(), request=REQUEST, response=response(500))
    assert not handler.can_retry(
        state=RetryState(current_attempt=MAX_RETRIES), request=REQUEST, response=response(429, "1")
    )


def test_retry_after_reads_slacks_header_and_falls_back_to_a_second():
    assert retry_after(response(429, "2")) == 2.0
    assert retry_after(response(429)) == 1.0
    assert retry_after(response(429, "soon")) == 1.0
    assert retry_after(None) == 1.0


@pytest.mark.slow
def test_a_fan_out_held_at_the_limit_delivers_every_prompt_in_one_run(programme, slack_api, engine):
    """The double takes 2 posts a second and refuses the rest with Retry-After. With slack_sdk's
    own handler (three tries, each Retry-After plus up to a second) eight threads were refused
    25 times and 5 prompts ran out of tries, to wait a minute for the next run."""
    slack_api.rate_limit("chat.postMessage", most=2, per_seconds=1)
    ctx = context(engine, slack_api, workers=8)
    result = run_daily_prompts(ctx, programme, london(date(2027, 1, 5), 9, 30))
    assert result.sent == PARTNERS and result.failed == result.retrying == 0
    delivered = Counter(c["metadata"]["event_payload"]["key"] for c in slack_api.history_all())
    assert len(delivered) == PARTNERS and set(delivered.values()) == {1}
    refused = len(slack_api.calls("chat.postMessage")) - PARTNERS
    assert refused <= 12, f"{refused} refusals for {PARTNERS} prompts"  # the first burst, and the odd one after


def test_a_missing_scope_fails_each_prompt_for_good_after_one_attempt_saying_which_scope(programme, slack_api, engine):
    """It was retried as if Slack were only slow, seven times over an hour, and then said only
    "Slack said missing_scope"."""
    slack_api.refuse("chat.postMessage", "missing_scope", times=10 * PARTNERS, needed="chat:write", provided="commands")
    ctx = context(engine, slack_api)
    morning = london(date(2027, 1, 5), 9, 30)
    first = run_daily_prompts(ctx, programme, morning)
    assert first.failed == PARTNERS and first.sent == first.retrying == 0
    for later in (timedelta(minutes=20), timedelta(hours=3)):
        run_daily_prompts(ctx, programme, morning + later)
    assert len(slack_api.calls("chat.postMessage")) == PARTNERS
    with session_scope(engine) as session:
        errors = {d.last_error for d in session.exec(select(Delivery))}
    assert errors == {
        (
            "Slack said missing_scope to chat.postMessage: add the chat:write scope to manifest.yaml "
            "(oauth_config: scopes: bot) and reinstall the app"
        )
    }


@pytest.mark.parametrize(
    "code, remedy",
    [
        ("missing_scope", "add the channels:history scope to manifest.yaml"),
        ("not_in_channel", "invite @winterbot to the channel C0LEADS"),
        ("channel_not_found", "check the channel C0LEADS in the programme file"),
        ("invalid_auth", "reinstall the app from manifest.yaml and set SLACK_BOT_TOKEN"),
        ("account_inactive", "reinstall the app from manifest.yaml and set SLACK_BOT_TOKEN"),
        ("token_revoked", "reinstall the app from manifest.yaml and set SLACK_BOT_TOKEN"),
        ("not_authed", "set it to the app's Bot User OAuth Token"),
    ],
)
def test_refusals_retrying_cannot_change_are_permanent_and_say_what_to_do(slack_api, code, remedy):
    slack_api.refuse("conversations.history", code, needed="channels:history")
    messenger = SlackMessenger(sync_client(Settings(slack_bot_token=BOT_TOKEN, slack_api_url=slack_api.url)))
    with pytest.raises(SendError) as raised:
        messenger.find_posted(Destination("slack", "C0LEADS"), "vale:digest:C0LEADS:2027-01-08")
    assert raised.value.permanent and remedy in str(raised.value)
    assert len(slack_api.calls("conversations.history")) == 1


def test_a_refusal_not_known_to_be_final_is_retried(slack_api):
    slack_api.refuse("conversations.history", "internal_error")
    messenger = SlackMessenger(sync_client(Settings(slack_bot_token=BOT_TOKEN, slack_api_url=slack_api.url)))
    with pytest.raises(SendError) as raised:
        messenger.find_posted(Destination("slack", "C0LEADS"), "vale:digest:C0LEADS:2027-01-08")
    assert not raised.value.permanent and str(raised.value) == "Slack said internal_error to conversations.history"
