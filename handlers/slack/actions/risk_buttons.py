"""The risk buttons (on an escalation post, in `/winter risks`, wherever a risk is shown):
Acknowledge, Mitigated and Reopen act at once; Assign owner and Close… open a form first.

After a change every copy of the risk shows its new state: the message the button was on
(an ephemeral `/winter risks` list is replaced through its response URL, since chat.update
cannot reach it) and every escalation post of the risk. A refusal reaches only the person who
pressed, and changes nothing. The forms' submissions (views/risk_forms.py)
share `change_and_locate` and `show_change` with the buttons.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient
from sqlmodel import Session

from bot.risks.changes import RiskChanged, RiskRefused
from bot.risks.listing import RiskView
from bot.risks.requests import RisksResult, act_on_risk, assignable_organisations, may_open_form, risks_command
from bot.sending.escalations import Copy, sent_copies
from handlers.slack.actions.pressing import on_press
from handlers.slack.actions.replies import tell_privately
from handlers.slack.blocks.risks import (
    ACTION_IDS,
    ASSIGN,
    CLOSE,
    ESCALATION_BLOCK,
    assign_modal,
    close_modal,
    escalation_message,
    replace_risk,
    risks_list,
)
from handlers.slack.context import SlackContext
from models.vocabulary import Platform

log = logging.getLogger(__name__)

STALE_BUTTON = "That button no longer points at a risk. Try `/winter risks` for the register as it stands."
RISK_BUTTON = re.compile("^(" + "|".join(re.escape(a) for a in ACTION_IDS) + ")$")


@dataclass(frozen=True)
class Origin:
    """The message a risk button was pressed on, carried through a form in private_metadata."""

    channel: str | None = None
    ts: str | None = None
    ephemeral: bool = False
    response_url: str | None = None

    @property
    def reference(self) -> str | None:
        return f"{self.channel}:{self.ts}" if self.channel and self.ts else None


def origin_of(body: Mapping[str, Any]) -> Origin:
    container = body.get("container") or {}
    return Origin(
        channel=container.get("channel_id"),
        ts=container.get("message_ts"),
        ephemeral=bool(container.get("is_ephemeral")),
        response_url=body.get("response_url"),
    )


def encode_form(risk_id: int, origin: Origin) -> str:
    return json.dumps(
        {
            "risk": risk_id,
            "channel": origin.channel,
            "ts": origin.ts,
            "ephemeral": origin.ephemeral,
            "response_url": origin.response_url,
        }
    )


def decode_form(text: str | None) -> tuple[int | None, Origin]:
    try:
        found = json.loads(text or "")
    except ValueError:
        found = {}
    if not isinstance(found, dict):
        found = {}

    def text_of(key: str) -> str | None:
        value = found.get(key)
        return value if isinstance(value, str) and value else None

    risk = found.get("risk")
    risk_id = risk if isinstance(risk, int) and not isinstance(risk, bool) else None
    origin = Origin(text_of("channel"), text_of("ts"), found.get("ephemeral") is True, text_of("response_url"))
    return risk_id, origin


def risk_id_of(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


# -- the change and where it shows ------------------------------------------------------------


@dataclass(frozen=True)
class Located:
    """A change (or refusal) with what is needed to show it: the escalation posts of the
    risk, and for an ephemeral list the asker's register as it now stands."""

    outcome: RiskChanged | RiskRefused
    copies: tuple[Copy, ...] = ()
    register: RisksResult | None = None


def change_and_locate(
    session: Session,
    user_id: str,
    risk_id: int,
    action: str,
    note: str | None,
    now: datetime,
    origin: Origin,
    owner_organisation_id: int | None = None,
) -> Located:
    outcome = act_on_risk(session, Platform.SLACK, user_id, risk_id, action, note, now, owner_organisation_id)
    if isinstance(outcome, RiskRefused):
        return Located(outcome)
    copies = tuple(c for c in sent_copies(session, risk_id) if c.platform == Platform.SLACK)
    register = risks_command(session, Platform.SLACK, user_id, now) if origin.ephemeral else None
    return Located(outcome, copies, register)


async def show_change(
    client: AsyncWebClient,
    risk: RiskView,
    located: Located,
    origin: Origin,
    *,
    respond: AsyncRespond | None = None,
    message: Mapping[str, Any] | None = None,
) -> None:
    """Update the message the change came from, then every other escalation post of the risk.
    Failures are logged, never raised: the change itself is already stored."""
    if origin.ephemeral and located.register is not None:
        await _replace_ephemeral(located.register, origin, respond)
    elif origin.reference:
        await _update_origin(client, risk, origin, message)
    for copy in located.copies:
        if copy.reference == origin.reference:
            continue
        channel, _, ts = copy.reference.partition(":")
        text, blocks = escalation_message(risk)
        await _chat_update(client, channel, ts, text, blocks)


async def _replace_ephemeral(register: RisksResult, origin: Origin, respond: AsyncRespond | None) -> None:
    text, blocks = risks_list(register)
    try:
        if respond is not None:
            await respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=True)
        elif origin.response_url:
            await AsyncWebhookClient(origin.response_url).send(
                text=text, blocks=blocks, response_type="ephemeral", replace_original=True
            )
    except Exception as error:  # noqa: BLE001 -- Slack's response URL expires after 30 minutes and five uses
        log.warning("could not replace the risk list through its response URL: %s", type(error).__name__)


async def _update_origin(
    client: AsyncWebClient, risk: RiskView, origin: Origin, message: Mapping[str, Any] | None
) -> None:
    """Swap just this risk's blocks in the message (it may show other things); when the
    message's blocks are not known or do not show the risk, show it as an escalation."""
    assert origin.channel and origin.ts
    if message is None or not message.get("blocks"):
        message = await _fetch(client, origin.channel, origin.ts)
    blocks = list((message or {}).get("blocks") or [])
    spliced = replace_risk(blocks, risk) if blocks else None
    escalated = any(b.get("block_id") == ESCALATION_BLOCK for b in blocks)
    if spliced is None or escalated:
        text, spliced = escalation_message(risk)
    else:
        text = str((message or {}).get("text") or escalation_message(risk)[0])
    await _chat_update(client, origin.channel, origin.ts, text, spliced)


async def _fetch(client: AsyncWebClient, channel: str, ts: str) -> Mapping[str, Any] | None:
    try:
        response = await client.conversations_history(channel=channel, latest=ts, inclusive=True, limit=1)
    except SlackApiError as error:
        log.warning("could not read the message %s:%s to update it: %s", channel, ts, _code(error))
        return None
    messages: list[dict[str, Any]] = response.get("messages", [])
    return next((m for m in messages if m.get("ts") == ts), None)


async def _chat_update(client: AsyncWebClient, channel: str, ts: str, text: str, blocks: list[dict[str, Any]]) -> None:
    try:
        await client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
    except SlackApiError as error:
        log.warning("could not update the risk message %s:%s: %s", channel, ts, _code(error))
    except Exception as error:  # noqa: BLE001 -- the message may be gone; the change is stored already
        log.warning("could not update the risk message %s:%s: %s", channel, ts, type(error).__name__)


def _code(error: SlackApiError) -> str:
    return error.response.get("error", "unknown_error") if error.response is not None else "unknown_error"


# -- the listener -----------------------------------------------------------------------------


def register(app: AsyncApp, context: SlackContext) -> None:
    on_press(app, RISK_BUTTON, context, pressed)


async def pressed(context: SlackContext, body: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond) -> None:
    user_id = body["user"]["id"]
    action = body["actions"][0]
    action_id, risk_id = action["action_id"], risk_id_of(action.get("value"))
    if risk_id is None:
        await tell_privately(respond, STALE_BUTTON)
        return
    origin = origin_of(body)
    if action_id in (CLOSE, ASSIGN):
        await _open_form(context, body, client, respond, action_id, risk_id, origin)
        return
    verb = action_id.removeprefix("risk_")
    now = datetime.now(UTC)
    located = await context.in_session(
        lambda session: change_and_locate(session, user_id, risk_id, verb, None, now, origin)
    )
    if isinstance(located.outcome, RiskRefused):
        log.info("risk %s: %s by %s refused", risk_id, verb, user_id)
        await tell_privately(respond, located.outcome.reason)
        return
    log.info("risk %s %s by %s", risk_id, located.outcome.action, user_id)
    await show_change(client, located.outcome.risk, located, origin, respond=respond, message=body.get("message"))
    await context.risk_changed(risk_id, Platform.SLACK, now)


async def _open_form(
    context: SlackContext,
    body: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    action_id: str,
    risk_id: int,
    origin: Origin,
) -> None:
    """Check first (a partner or a closed risk is told at once), then open the form."""
    user_id, verb = body["user"]["id"], action_id.removeprefix("risk_")
    now = datetime.now(UTC)

    def load(session: Session) -> tuple[RiskView | RiskRefused, list[tuple[int, str]]]:
        risk = may_open_form(session, Platform.SLACK, user_id, risk_id, verb, now)
        organisations = (
            assignable_organisations(session, risk_id) if action_id == ASSIGN and isinstance(risk, RiskView) else []
        )
        return risk, organisations

    risk, organisations = await context.in_session(load)
    if isinstance(risk, RiskRefused):
        await tell_privately(respond, risk.reason)
        return
    metadata = encode_form(risk_id, origin)
    view = assign_modal(risk, organisations, metadata) if action_id == ASSIGN else close_modal(risk, metadata)
    try:
        await client.views_open(trigger_id=body["trigger_id"], view=view)
    except SlackApiError as error:
        log.warning("views.open for risk %s failed: %s", risk_id, _code(error))
        await tell_privately(
            respond, f"I could not open the form just then (Slack said {_code(error)}). Please try again."
        )
