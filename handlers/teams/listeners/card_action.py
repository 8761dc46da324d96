"""A button on one of winterbot's cards (Action.Execute): the check-in's Send, Nothing new
today and Amend, and the risk buttons. The answer is a card that Teams shows in place of the
one pressed: the form again with its errors (every answer as typed), the confirmation, or the
risk as it now stands. Who may do what is checked by bot/ from the sender's own id."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from microsoft_teams.api import AdaptiveCardInvokeActivity
from microsoft_teams.apps import ActivityContext, App

from bot.app.context import HandlerContext
from bot.checkin import CheckinResult, Refusal, Rejected, checkin_no_change, open_checkin, submit_checkin
from handlers.teams.activity import Notice, Shown, card_answer
from handlers.teams.cards.base import Card
from handlers.teams.cards.checkin import NO_CHANGE, OPEN, SUBMIT, checkin_card, confirmation_card, notice_card
from handlers.teams.risk_buttons import RISK_VERBS, press
from handlers.teams.turn import TEAMS, Turn, begin

log = logging.getLogger(__name__)

STALE = "That button no longer points at anything I know. Type `help` to see what you can do."
_NOT_ANSWERS = frozenset({"verb", "programme", "date", "risk_id"})


def register(app: App, context: HandlerContext) -> None:
    async def on_card_action(ctx: ActivityContext[AdaptiveCardInvokeActivity]) -> Any:
        turn = await begin(context, ctx.activity, ctx.api)
        action = (turn.activity.get("value") or {}).get("action") or {}
        data = action.get("data") or {}
        card = await act(context, turn, str(action.get("verb") or data.get("verb") or ""), data)
        return card_answer(card)

    app.on_card_action(on_card_action)


async def act(context: HandlerContext, turn: Turn, verb: str, data: Mapping[str, Any]) -> Shown:
    if verb in RISK_VERBS:
        return await press(context, turn, verb, data)
    if verb not in (SUBMIT, NO_CHANGE, OPEN):
        return Notice(STALE)
    programme_id = _programme(data)
    if verb == OPEN:
        form = await context.in_session(
            lambda s: open_checkin(s, TEAMS, turn.user_id, turn.now, programme_id=programme_id)
        )
        return notice_card(form.reason) if isinstance(form, Refusal) else checkin_card(form)
    if verb == NO_CHANGE:
        outcome = await context.in_session(lambda s: checkin_no_change(s, TEAMS, turn.user_id, programme_id, turn.now))
    else:
        answers = _answers(data)
        outcome = await context.in_session(
            lambda s: submit_checkin(s, TEAMS, turn.user_id, programme_id, answers, turn.now)
        )
    return await _shown(context, turn, outcome, data)


async def _shown(
    context: HandlerContext, turn: Turn, outcome: CheckinResult | Rejected | Refusal, data: Mapping[str, Any]
) -> Card:
    if isinstance(outcome, Refusal):
        return notice_card(outcome.reason)
    if isinstance(outcome, Rejected):
        log.info("teams check-in from %s refused on %d field(s)", turn.user_id, len(outcome.errors))
        return checkin_card(outcome.form, typed=_answers(data), errors=outcome.errors)
    log.info("teams check-in %s stored from %s", outcome.checkin_id, turn.user_id)
    return confirmation_card(outcome)


def _programme(data: Mapping[str, Any]) -> int | None:
    value = data.get("programme")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _answers(data: Mapping[str, Any]) -> dict[str, str | None]:
    """The inputs Teams sent back with the button: every field of the form, by its key."""
    return {k: (v if isinstance(v, str) else None) for k, v in data.items() if k not in _NOT_ANSWERS}
