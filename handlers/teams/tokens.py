"""Teams' signed tokens, checked off the event loop with a bounded fetch of the signing keys.

The SDK checks each request's token inside its async handler with PyJWT's key client, which
fetches Microsoft's signing keys synchronously: a token naming an unknown key id forced a fetch
(up to 30 s) on the event loop, and every other request, /healthz and Slack's included, waited.
Here the same checks (the SDK's own validator: issuer, audience, expiry, service URL) run on
threads of their own, and the keys are fetched with a short timeout, kept for a day, and asked
for again at most once a minute per key set after an unknown key id or a failed fetch, and at
most a few times a minute in all (a forged token can name any tenant, and so any key set).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import jwt
from jwt import PyJWKClient
from jwt.exceptions import PyJWKClientConnectionError
from microsoft_teams.api.auth.cloud_environment import CloudEnvironment
from microsoft_teams.apps import App
from microsoft_teams.apps.auth.token_validator import (
    InboundActivityTokenValidator,
    TokenValidator,
)

FETCH_TIMEOUT = 5.0  # seconds one fetch of a key set may take
CHECK_TIMEOUT = 8.0  # seconds a request waits for its token check before it is refused
REFETCH_AFTER = 60.0  # seconds before a key set is asked for again (unknown key id, failed fetch)
KEYS_KEPT = 24 * 3600.0  # seconds a fetched key set is trusted without asking again
FETCHES_PER_MINUTE = 6  # across every key set
CHECK_THREADS = 2


class _FetchBudget:
    """At most `per_minute` fetches of signing keys in any minute, across all key sets."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._times: deque[float] = deque()
        self._lock = threading.Lock()

    def take(self) -> bool:
        now = time.monotonic()
        with self._lock:
            while self._times and now - self._times[0] > 60.0:
                self._times.popleft()
            if len(self._times) >= self.per_minute:
                return False
            self._times.append(now)
            return True


BUDGET = _FetchBudget(FETCHES_PER_MINUTE)


class BoundedKeyClient(PyJWKClient):
    """PyJWT's key client with a short timeout, a day's cache and no repeated fetches: a failed
    fetch, like an unknown key id, waits REFETCH_AFTER before Microsoft is asked again."""

    def __init__(self, uri: str, budget: _FetchBudget | None = None) -> None:
        super().__init__(uri, timeout=FETCH_TIMEOUT, lifespan=KEYS_KEPT, cooldown_duration=REFETCH_AFTER)
        self.budget = budget or BUDGET
        self._failed_at: float | None = None

    def fetch_data(self) -> Any:
        if self._failed_at is not None and time.monotonic() - self._failed_at < REFETCH_AFTER:
            raise PyJWKClientConnectionError("the signing keys could not be fetched a moment ago")
        if not self.budget.take():
            raise PyJWKClientConnectionError("too many fetches of signing keys this minute")
        try:
            data = super().fetch_data()
        except Exception:
            self._failed_at = time.monotonic()
            raise
        self._failed_at = None
        return data


def _bounded(validator: TokenValidator) -> TokenValidator:
    if not isinstance(validator._jwks_client, BoundedKeyClient):
        validator._jwks_client = BoundedKeyClient(validator.options.jwks_uri)
    return validator


class OffLoopTokenValidator(InboundActivityTokenValidator):
    """The SDK's inbound validator, run on `threads` rather than on the event loop."""

    def __init__(self, app_id: str, cloud: CloudEnvironment, threads: ThreadPoolExecutor) -> None:
        super().__init__(app_id, cloud=cloud)
        _bounded(self._service_validator)
        self.threads = threads

    def _get_entra_validator(self, tenant_id: str) -> TokenValidator:
        return _bounded(super()._get_entra_validator(tenant_id))

    async def validate_token(self, raw_token: str, service_url: str | None = None) -> dict[str, Any]:
        check = asyncio.get_running_loop().run_in_executor(self.threads, self._validate_here, raw_token, service_url)
        try:
            return await asyncio.wait_for(check, CHECK_TIMEOUT)
        except TimeoutError:
            raise jwt.InvalidTokenError("the token could not be checked in time") from None

    def _validate_here(self, raw_token: str, service_url: str | None) -> dict[str, Any]:
        """On a check thread: the SDK's checks are coroutines that never wait on anything."""
        return asyncio.run(super().validate_token(raw_token, service_url))


def check_tokens_off_the_loop(app: App, threads: ThreadPoolExecutor) -> None:
    """Put our validator in the initialized SDK's server. The SDK offers no seam for it, so this
    sets its private attribute (tests/test_hostile_requests.py fails if that ever stops working).
    Nothing changes when token checks are switched off (tests only)."""
    server: Any = app.server
    if server._token_validator is not None and app.id:
        server._token_validator = OffLoopTokenValidator(app.id, app.cloud, threads)
