"""The DM prompt, once answered: replaced by what was recorded and a button to amend."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.checkin import CheckinResult
from handlers.slack.blocks.checkin import answered_prompt_blocks, answered_prompt_text
from handlers.slack.views.metadata import FormRef

log = logging.getLogger(__name__)


async def mark_prompt_answered(client: AsyncWebClient, ref: FormRef, result: CheckinResult) -> None:
    if ref.prompt_message is None:
        return
    channel, ts = ref.prompt_message
    try:
        await client.chat_update(
            channel=channel, ts=ts, text=answered_prompt_text(result), blocks=answered_prompt_blocks(result)
        )
    except SlackApiError as error:
        code = error.response.get("error", "unknown_error") if error.response is not None else "unknown_error"
        log.warning("could not mark the check-in prompt answered: %s", code)
