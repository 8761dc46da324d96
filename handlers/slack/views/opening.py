"""Opening the check-in modal, from the prompt's button or from `/winter checkin`.

Slack's trigger_id lasts three seconds, so the database work before views.open is one small
read, off the event loop.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.checkin import CheckinForm, Refusal, open_checkin
from handlers.slack.blocks.checkin import checkin_modal
from handlers.slack.context import SlackContext
from handlers.slack.views.metadata import FormRef
from models.vocabulary import Platform

log = logging.getLogger(__name__)


async def load_form(
    context: SlackContext, user_id: str, *, programme_id: int | None = None, slug: str | None = None
) -> CheckinForm | Refusal:
    now = datetime.now(UTC)
    return await context.reading(
        lambda session: open_checkin(session, Platform.SLACK, user_id, now, programme_id=programme_id, slug=slug)
    )


async def show_form(
    client: AsyncWebClient, trigger_id: str, form: CheckinForm, channel: str | None = None, ts: str | None = None
) -> Refusal | None:
    """Open the modal; a Refusal to show the member when Slack would not."""
    ref = FormRef(form.scope.programme_id, channel, ts)
    try:
        await client.views_open(trigger_id=trigger_id, view=checkin_modal(form, ref.encode()))
    except SlackApiError as error:
        code = error.response.get("error", "unknown_error") if error.response is not None else "unknown_error"
        log.warning("views.open for the check-in of member %s failed: %s", form.scope.member_id, code)
        return Refusal(f"I could not open the check-in just then (Slack said {code}). Please try again.")
    return None
