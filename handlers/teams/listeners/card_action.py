"""A button on one of winterbot's cards (Action.Execute): the check-in's Send, Nothing new
today and Amend, the risk buttons, and a blocker's Send on the leads' brief. The answer is a card that Teams shows in place of the
one pressed: the form again with its errors (every answer as typed), the confirmation, or the
risk as it now stands. Who may do what is checked by bot/ from the sender's own id."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from microsoft_teams.api import ActivityBase
from microsoft_teams.api.activities.invoke.adaptive_card import AdaptiveCardInvokeActivity
from microsoft_teams.apps import ActivityContext, App

from bot.app.context import HandlerContext
from bot.checkin import CheckinResult, Refusal, Rejected, checkin_no_change, open_checkin, submit_checkin
from bot.checkin.blockers import answer_as
from handlers.teams.activity import Notice, Shown, card_answer
from handlers.teams.cards.base import Card, notice_card
from handlers.teams.cards.blockers import blockers_card
from handlers.teams.cards.checkin import NO_CHANGE, OPEN, SUBMIT, checkin_card, confirmation_card
from handlers.teams.cards.reports import BLOCKER_REPLY
from handlers.teams.risk_buttons import RISK_VERBS, press
from handlers.teams.turn import TEAMS, Turn, begin

log = logging.getLogger(__name__)

STALE = "That button no longer points at anything I know. Type `help` to see what you can do."
_NOT_ANSWERS = frozenset({"verb", "programme", "date", "risk_id"})


CardVerb = Callable[[HandlerContext, Turn, Mapping[str, Any]], Awaitable[Shown]]


def register(app: App, context: HandlerContext) -> None:
    """One route on the SDK's router per verb (VERBS), matched on the Action.Execute verb; a
    verb no route takes (a card from an older version) falls through to the stale notice."""
    for verb, pressed in VERBS.items():
        app.router.add_handler(_pressing(verb), _listener(context, pressed))

    async def stale(ctx: ActivityContext[AdaptiveCardInvokeActivity]) -> Any:
        return card_answer(Notice(STALE))

    app.on_card_action(stale)


def _pressing(verb: str) -> Callable[[ActivityBase], bool]:
    def selector(activity: ActivityBase) -> bool:
        if not isinstance(activity, AdaptiveCardInvokeActivity) or activity.value is None:
            return False
        action = activity.value.action
        return (action.verb or action.data.get("verb")) == verb

    return selector


def _listener(context: HandlerContext, pressed: CardVerb) -> Callable[[ActivityContext[Any]], Awaitable[Any]]:
    async def on_pressed(ctx: ActivityContext[AdaptiveCardInvokeActivity]) -> Any:
        turn = await begin(context, ctx.activity, ctx.api)
        data = ((turn.activity.get("value") or {}).get("action") or {}).get("data") or {}
        return card_answer(await pressed(context, turn, data))

    return on_pressed


async def act(context: HandlerContext, turn: Turn, verb: str, data: Mapping[str, Any]) -> Shown:
    """The same for a button sent back as a message, by a client too old for Universal Actions."""
    pressed = VERBS.get(verb)
    return Notice(STALE) if pressed is None else await pressed(context, turn, data)


async def _open(context: HandlerContext, turn: Turn, data: Mapping[str, Any]) -> Shown:
    programme_id = _programme(data)
    form = await context.reading(lambda s: open_checkin(s, TEAMS, turn.user_id, turn.now, programme_id=programme_id))
    return notice_card(form.reason) if isinstance(form, Refusal) else checkin_card(form)


async def _no_change(context: HandlerContext, turn: Turn, data: Mapping[str, Any]) -> Shown:
    programme_id = _programme(data)
    outcome = await context.in_session(lambda s: checkin_no_change(s, TEAMS, turn.user_id, programme_id, turn.now))
    return await _shown(context, turn, outcome, data)


async def _submit(context: HandlerContext, turn: Turn, data: Mapping[str, Any]) -> Shown:
    programme_id, answers = _programme(data), _answers(data)
    outcome = await context.in_session(
        lambda s: submit_checkin(s, TEAMS, turn.user_id, programme_id, answers, turn.now)
    )
    return await _shown(context, turn, outcome, data)


def _risk_button(verb: str) -> CardVerb:
    async def pressed(context: HandlerContext, turn: Turn, data: Mapping[str, Any]) -> Shown:
        return await press(context, turn, verb, data)

    return pressed


async def _blocker_reply(context: HandlerContext, turn: Turn, data: Mapping[str, Any]) -> Shown:
    """A lead's answer to a blocker from the brief, as the Teams user who pressed Send (never anyone
    named in the card's data); act() checks they lead its programme. Answered with the result."""
    blocker_id = data.get("blocker_id")
    if not isinstance(blocker_id, int) or isinstance(blocker_id, bool):
        return Notice(STALE)
    note, chosen = data.get(f"note:{blocker_id}"), data.get(f"action:{blocker_id}")
    action = chosen if isinstance(chosen, str) and chosen else "reply"
    words = note if isinstance(note, str) else None
    outcome = await context.in_session(lambda s: answer_as(s, TEAMS, turn.user_id, blocker_id, action, words, turn.now))
    log.info("teams blocker %s: %s by %s (%s)", blocker_id, action, turn.user_id, type(outcome).__name__)
    return blockers_card(outcome)


VERBS: dict[str, CardVerb] = {
    OPEN: _open,
    NO_CHANGE: _no_change,
    SUBMIT: _submit,
    **{verb: _risk_button(verb) for verb in RISK_VERBS},
    BLOCKER_REPLY: _blocker_reply,
}


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
