"""A button's listener: acknowledged at once (Slack waits three seconds for it), then acted on."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from handlers.slack.context import SlackContext

Pressed = Callable[[SlackContext, dict[str, Any], AsyncWebClient, AsyncRespond], Awaitable[None]]


def on_press(app: AsyncApp, action_id: str | re.Pattern[str], context: SlackContext, pressed: Pressed) -> None:
    async def listener(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond) -> None:
        await ack()
        await pressed(context, body, client, respond)

    app.action(action_id)(listener)
