"""No Teams tenant's activity reaches another tenant's programme (bot.people.tenancy).

The tenant is the activity's (conversation.tenantId, or channelData.tenant.id): an activity
naming none, or two that differ, is refused with a 400 before the SDK reads it
(handlers.teams.web). The check itself is middleware, registered after the replay check and
before every listener: when the sender (by either of their ids) is on a programme of another
tenant, a card's button is answered with a notice, a typed message in the personal chat with the
words there, and anything else (a channel's message too) with nothing; no listener runs, so
nothing is read, changed or remembered.
"""

from __future__ import annotations

import logging
from typing import Any

from microsoft_teams.api import ActivityBase
from microsoft_teams.apps import ActivityContext, App

from bot.app.context import HandlerContext
from bot.people.tenancy import Request, Verdict, check, check_held, refusal_text
from handlers.teams.activity import Notice, card_answer
from handlers.teams.references import teams_ids
from handlers.teams.turn import TEAMS, as_dict

log = logging.getLogger(__name__)


def tenants_of(activity: dict[str, Any]) -> set[str]:
    """Every tenant id the activity names (lower case: a GUID's case carries nothing)."""
    conversation = activity.get("conversation")
    channel_data = activity.get("channelData")
    tenant = channel_data.get("tenant") if isinstance(channel_data, dict) else None
    found = (
        conversation.get("tenantId") if isinstance(conversation, dict) else None,
        tenant.get("id") if isinstance(tenant, dict) else None,
    )
    return {value.lower() for value in found if isinstance(value, str) and value}


def tenant_problem(activity: dict[str, Any]) -> str | None:
    """Why the activity's tenant cannot be known, or None."""
    tenants = tenants_of(activity)
    if not tenants:
        return "the activity names no tenant"
    if len(tenants) > 1:
        return "the activity names two different tenants"
    return None


def teams_request(activity: dict[str, Any], configured_tenant: str | None) -> Request | None:
    """The request to check; None when its tenant cannot be known (refused)."""
    if tenant_problem(activity) is not None:
        return None
    (tenant,) = tenants_of(activity)
    one_area = configured_tenant is None or configured_tenant.lower() == tenant
    return Request(platform=TEAMS, user_ids=teams_ids(activity), tenant_id=tenant, one_area=one_area)


def register(app: App, context: HandlerContext) -> None:
    """Registered after the replay check and before the listeners."""

    async def same_tenant(ctx: ActivityContext[ActivityBase]) -> Any:
        raw = as_dict(ctx.activity)
        asking = teams_request(raw, context.settings.teams_tenant_id)
        verdict = Verdict(False, "no tenant") if asking is None else await _verdict(context, asking)
        if verdict.allowed:
            await ctx.next()
            return None
        log.warning(
            "refused a Teams %s from tenant %s: its sender is on %d programme(s) not of this tenant (%s)",
            ctx.activity.type,
            asking.tenant_id if asking is not None else "(none)",
            verdict.elsewhere,
            verdict.reason,
        )
        return await _refuse(ctx)

    app.use(same_tenant)


async def _verdict(context: HandlerContext, asking: Request) -> Verdict:
    """From what the process holds when it is fresh, else from the database."""
    directory, _ = context.held()
    held = check_held(directory, asking)
    return held if held is not None else await context.reading(lambda session: check(session, asking))


def _personal(activity: ActivityBase) -> bool:
    """Told only in the personal chat: in a channel everyone would read who is named where."""
    kind = getattr(activity.conversation, "conversation_type", None)
    return kind in (None, "personal")


async def _refuse(ctx: ActivityContext[ActivityBase]) -> Any:
    words = refusal_text(TEAMS)
    if ctx.activity.type == "invoke":
        return card_answer(Notice(words))
    if ctx.activity.type == "message" and _personal(ctx.activity):
        try:
            await ctx.send(words)
        except Exception as failure:  # noqa: BLE001 - telling them is a courtesy; the log line stands
            log.warning("could not tell them why nothing was done (%s)", type(failure).__name__)
    return None
