"""Telling the person who pressed a button something only they see."""

from __future__ import annotations

import logging

from slack_bolt.context.respond.async_respond import AsyncRespond

log = logging.getLogger(__name__)


async def tell_privately(respond: AsyncRespond, text: str) -> None:
    try:
        await respond(text=text, response_type="ephemeral", replace_original=False)
    except Exception as error:  # noqa: BLE001 -- the response URL is Slack's; a failure there must not crash the listener
        log.warning("could not answer through the response URL: %s", type(error).__name__)
