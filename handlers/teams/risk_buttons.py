"""The risk buttons on a Teams escalation card. Acknowledge, Mitigated and Reopen act at once;
Assign owner and Close… carry their input (the organisation, the closing note) on the card
itself, since Teams has no modal for a bot to open.

After a change the pressed card shows the risk as it now stands, and every other escalation
card of the risk in Teams is updated too. A refusal shows on the pressed card alone, with the
risk unchanged beneath it."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from bot.app.context import HandlerContext
from bot.risks.changes import RiskRefused
from bot.risks.listing import RiskView
from bot.risks.requests import act_on_risk, assignable_organisations
from bot.sending.escalations import sent_copies
from handlers.teams.activity import Notice, Shown
from handlers.teams.cards.risks import risk_card
from handlers.teams.sending import update_cards
from handlers.teams.turn import TEAMS, Turn

log = logging.getLogger(__name__)

RISK_VERBS = {
    "risk:acknowledge": "acknowledge",
    "risk:mitigate": "mitigate",
    "risk:reopen": "reopen",
    "risk:assign": "assign",
    "risk:close": "close",
}
STALE = "That button no longer points at a risk. Type `risks` for the register as it stands."


@dataclass(frozen=True)
class Pressed:
    shown: Shown
    others: tuple[str, ...] = ()  # references of the risk's other Teams escalation cards
    risk: RiskView | None = None
    organisations: tuple[tuple[str, str], ...] = ()


async def press(context: HandlerContext, turn: Turn, verb: str, data: Mapping[str, Any]) -> Shown:
    risk_id = data.get("risk_id")
    if not isinstance(risk_id, int) or isinstance(risk_id, bool):
        return Notice(STALE)
    pressed = await context.in_session(lambda s: _change(s, turn, risk_id, RISK_VERBS[verb], data))
    if pressed.risk is not None and pressed.others and turn.api is not None:
        await update_cards(
            context, turn.api, pressed.others, risk_card(pressed.risk, organisations=pressed.organisations)
        )
    if pressed.risk is not None:
        await context.risk_changed(risk_id, TEAMS, turn.now)
    return pressed.shown


def _change(session: Session, turn: Turn, risk_id: int, action: str, data: Mapping[str, Any]) -> Pressed:
    note = data.get("note") if isinstance(data.get("note"), str) else None
    owner = _organisation(data) if action == "assign" else None
    if action == "assign" and owner is None:
        outcome: Any = RiskRefused("Choose the organisation that will own this risk, then press Assign.")
    else:
        outcome = act_on_risk(session, TEAMS, turn.user_id, risk_id, action, note, turn.now, owner)
    if isinstance(outcome, RiskRefused):
        log.info("risk %s: %s by %s refused", risk_id, action, turn.user_id)
        return Pressed(Notice(outcome.reason))
    organisations = tuple((str(i), name) for i, name in assignable_organisations(session, risk_id))
    log.info("risk %s %s by %s", risk_id, outcome.action, turn.user_id)
    card = risk_card(outcome.risk, organisations=organisations)
    here = turn.activity.get("replyToId")  # the pressed card, already answered by the invoke
    others = tuple(
        c.reference
        for c in sent_copies(session, risk_id)
        if c.platform == TEAMS and (not here or c.reference.split(" ")[-1] != here)
    )
    return Pressed(card, others, outcome.risk, organisations)


def _organisation(data: Mapping[str, Any]) -> int | None:
    value = str(data.get("organisation") or "")
    return int(value) if value.isdigit() else None
