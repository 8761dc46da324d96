"""One /winter invocation, as the renderers of its answer need it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from handlers.slack.context import SlackContext


@dataclass(frozen=True)
class Invocation:
    context: SlackContext
    ack: AsyncAck
    command: dict[str, Any]
    client: AsyncWebClient
