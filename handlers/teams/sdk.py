"""The Teams SDK's app, configured from our settings: credentials as the SDK expects them."""

from __future__ import annotations

import warnings
from typing import Any

from microsoft_teams.apps import App

from bot.common.config import Settings
from handlers.teams.web import StarletteAdapter

MESSAGING_ENDPOINT = "/api/messages"
DEFAULT_SERVICE_URL = "https://smba.trafficmanager.net/teams"


def sdk_app(settings: Settings, adapter: StarletteAdapter | None = None) -> App:
    """Only `teams_allow_unauthenticated` (never set from the environment) turns off the check
    of the token Teams signs each request with; the SDK's own environment switch is ignored."""
    options: dict[str, Any] = {
        "client_id": settings.teams_client_id,
        "tenant_id": settings.teams_tenant_id,
        "service_url": settings.teams_service_url or DEFAULT_SERVICE_URL,
        "http_server_adapter": adapter or StarletteAdapter(),
        "messaging_endpoint": MESSAGING_ENDPOINT,
        "dangerously_allow_unauthenticated_requests": settings.teams_allow_unauthenticated,
    }
    if settings.teams_cloud is not None:
        options["cloud"] = settings.teams_cloud
    if settings.teams_client_secret:
        options["client_secret"] = settings.teams_client_secret
    elif settings.teams_token is not None:
        options["token"] = settings.teams_token
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the SDK's notices of preview features we do not use
        return App(**options)
