"""Waiting out Slack's rate limits (handlers.slack.retry): a 429 is retried after the
Retry-After Slack gave, many times if need be, so a fan-out held at Slack's limit delivers every
prompt in the one run, once."""

from __future__ import annotations

import pytest

from collections import Counter
from datetime import date

from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from bot.jobs.daily_prompts import run_daily_prompts
from handlers.slack.retry import MAX_RETRIES, PatientRateLimitRetry, retry_after
from test_jobs import PARTNERS, context, london, programme  # noqa: F401

REQUEST = HttpRequest(method="POST", url="https://slack.com/api/chat.postMessage", headers={})


def response(status: int, retry: str | None = None) -> HttpResponse:
    headers = {"Retry-After": [retry]} if retry is not None else {}
    return HttpResponse(status_code=status, headers=headers)


def test_a_429_is_retried_after_what_slack_asked_and_nothing_else_is():
    slept: list[float] = []
    handler = PatientRateLimitRetry(sleep=slept.append, jitter=lambda: 0.05)
    state = RetryState()
    assert handler.can_retry(state=state, request=REQUEST, response=response(429, "3"))
    handler.prepare_for_next_attempt(state=state, request=REQUEST, response=response(429, "3"))
    assert slept == [3.05] and state.current_attempt == 1 and state.next_attempt_requested
    assert not handler.can_retry(state=RetryState(), request=REQUEST, response=response(500))
    assert not handler.can_retry(state=RetryState(current_attempt=MAX_RETRIES), request=REQUEST,
                                 response=response(429, "1"))


def test_retry_after_reads_slacks_header_and_falls_back_to_a_second():
    assert retry_after(response(429, "2")) == 2.0
    assert retry_after(response(429)) == 1.0
    assert retry_after(response(429, "soon")) == 1.0
    assert retry_after(None) == 1.0


@pytest.mark.slow
def test_a_fan_out_held_at_the_limit_delivers_every_prompt_in_one_run(programme, slack_api, engine):  # noqa: F811
    """The double takes 2 posts a second and refuses the rest with Retry-After. With slack_sdk's
    own handler (three tries, each Retry-After plus up to a second) eight threads were refused
    25 times and 5 prompts ran out of tries, to wait a minute for the next run."""
    slack_api.rate_limit("chat.postMessage", most=2, per_seconds=1)
    ctx = context(engine, slack_api, workers=8)
    result = run_daily_prompts(ctx, programme, london(date(2027, 1, 5), 9, 30))
    assert result.sent == PARTNERS and result.failed == result.retrying == 0
    delivered = Counter(c["metadata"]["event_payload"]["key"] for c in slack_api.history_all())
    assert len(delivered) == PARTNERS and set(delivered.values()) == {1}
