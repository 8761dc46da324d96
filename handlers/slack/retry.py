"""Waiting out Slack's rate limits without giving up on a send that only had to wait.

Slack limits each Web API method per workspace and says so with 429 and Retry-After. slack_sdk's
own handler sleeps Retry-After plus up to a second more and gives up after a few tries, so in a
fan-out that Slack holds at its limit a prompt could run out of tries and wait a minute for the
clock's next attempt (measured: 5 of 14 prompts at two posts a second, eight threads). This one
waits what Slack asks (and a little jitter, so the threads refused together do not all come back
at the same instant) and tries again, up to MAX_RETRIES times: a refused send keeps its place.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

MAX_RETRIES = 60  # each at least Retry-After (a second or more): well inside a send's two-minute lease
JITTER = 0.1  # seconds, at most, added to Retry-After


class PatientRateLimitRetry(RetryHandler):
    def __init__(self, max_retry_count: int = MAX_RETRIES, sleep: Callable[[float], None] = time.sleep,
                 jitter: Callable[[], float] = lambda: random.uniform(0, JITTER)) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self._sleep, self._jitter = sleep, jitter

    def _can_retry(self, *, state: RetryState, request: HttpRequest, response: HttpResponse | None = None,
                   error: Exception | None = None) -> bool:
        return response is not None and response.status_code == 429

    def prepare_for_next_attempt(self, *, state: RetryState, request: HttpRequest, response: HttpResponse | None = None,
                                 error: Exception | None = None) -> None:
        state.next_attempt_requested = True
        state.increment_current_attempt()
        self._sleep(retry_after(response) + self._jitter())


def retry_after(response: HttpResponse | None) -> float:
    """Slack's Retry-After in seconds (one when it gives none or nonsense)."""
    for name, values in (response.headers if response is not None else {}).items():
        if name.lower() == "retry-after" and values:
            try:
                return max(0.0, float(values[0] if isinstance(values, list) else values))
            except ValueError:
                break
    return 1.0
