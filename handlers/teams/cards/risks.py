"""The risk register as Adaptive Cards: an escalation with the leads' buttons, and `risks`.

Teams has no modal for a bot to open, so Close… and Assign owner… unfold on the card itself
(Action.ShowCard) with the note or the organisation to choose, and their own button."""

from __future__ import annotations

import json
from collections.abc import Sequence

from microsoft_teams.cards import (
    AdaptiveCard,
    CardElement,
    Choice,
    ChoiceSetInput,
    ExecuteAction,
    ShowCardAction,
    TextBlock,
    TextInput,
)

from bot.common.calendar import zone
from bot.common.wording import plural
from bot.risks.changes import RiskRefused
from bot.risks.listing import EventView, RiskView
from bot.risks.register import MAX_TEXT, SEVERITY_RANK
from bot.risks.requests import Register, RisksResult
from bot.risks.words import risk_facts, shortened
from bot.sending.escalations import reader_facts
from handlers.teams.cards.base import VERSION, Card, action, card, heading, line, notice_card, plain
from handlers.teams.cards.report_text import SEVERITY_MARK
from models.vocabulary import A_ROLE, RiskStatus, Severity

ACKNOWLEDGE, MITIGATE, REOPEN = "risk:acknowledge", "risk:mitigate", "risk:reopen"
ASSIGN, CLOSE = "risk:assign", "risk:close"
LIST_BYTES = 22_000  # the `risks` card's JSON, inside Teams' 28 KB a message; the rest are counted
LIST_DETAIL = 300  # characters of a risk's detail in the list (its escalation card has it all)
LIST_ELEMENTS = 120  # a long card is slow to draw; the rest are counted

BUTTONS: dict[RiskStatus, tuple[str, ...]] = {
    RiskStatus.OPEN: (ACKNOWLEDGE, ASSIGN, MITIGATE, CLOSE),
    RiskStatus.ACKNOWLEDGED: (ASSIGN, MITIGATE, CLOSE),
    RiskStatus.MITIGATED: (CLOSE, REOPEN),
    RiskStatus.CLOSED: (REOPEN,),
}
LABELS = {ACKNOWLEDGE: "Acknowledge", MITIGATE: "Mitigated", REOPEN: "Reopen"}


def risk_elements(risk: RiskView, detail_chars: int = MAX_TEXT, *, for_leads: bool = True) -> list[TextBlock]:
    """The risk's title, detail and facts; someone who only reads the register
    (`for_leads=False`) gets the facts in plain words."""
    body = [line(f"{SEVERITY_MARK[risk.severity]} **{plain(risk.title)}**")]
    if risk.detail:
        body.append(line(plain(shortened(risk.detail, detail_chars))))
    shown = facts(risk) if for_leads else reader_facts(risk, plain, _when)[:MAX_TEXT]
    body.append(line(shown, subtle=True))
    return body


def facts(risk: RiskView) -> str:
    return risk_facts(risk, plain, _when)[:MAX_TEXT]


def _when(event: EventView) -> str:
    return f"{event.at.astimezone(zone()):%-d %b %H:%M}"


def _buttons(risk: RiskView, organisations: Sequence[tuple[str, str]]) -> list[ExecuteAction | ShowCardAction]:
    out: list[ExecuteAction | ShowCardAction] = []
    for verb in BUTTONS[risk.status]:
        if verb == CLOSE:
            out.append(
                _unfolding(
                    "Close…",
                    [
                        TextInput(
                            id="note",
                            label="Closing note (required)",
                            is_multiline=True,
                            max_length=MAX_TEXT,
                            is_required=True,
                            error_message="Say what was done, or why the risk no longer applies",
                            placeholder="What was done, or why the risk no longer applies",
                        )
                    ],
                    action("Close the risk", CLOSE, risk_id=risk.id),
                )
            )
        elif verb == ASSIGN:
            if not organisations:
                continue
            out.append(
                _unfolding(
                    "Assign owner…",
                    [
                        ChoiceSetInput(
                            id="organisation",
                            label="Which organisation owns this risk?",
                            is_required=True,
                            error_message="Choose an organisation",
                            choices=[Choice(title=name[:75], value=key) for key, name in organisations],
                            value=str(risk.owner_organisation_id) if risk.owner_organisation_id else None,
                        )
                    ],
                    action("Assign", ASSIGN, risk_id=risk.id),
                )
            )
        else:
            out.append(action(LABELS[verb], verb, risk_id=risk.id))
    return out


def _unfolding(title: str, inputs: list[CardElement], send: ExecuteAction) -> ShowCardAction:
    return ShowCardAction(title=title, card=AdaptiveCard(version=VERSION, body=inputs, actions=[send]))


def risk_card(risk: RiskView, *, buttons: bool = True, organisations: Sequence[tuple[str, str]] = ()) -> Card:
    """The leads' copy of an escalation: the header, the risk, and the buttons its status allows.
    A partner of the owner organisation gets plain words instead (escalations.partner_copy)."""
    body: list[CardElement] = [
        line(f"🚨 **Risk escalated to the leads** · {risk.severity.value}", subtle=True),
        *risk_elements(risk),
    ]
    return card(body, _buttons(risk, organisations) if buttons else ())


def risks_list_card(result: RisksResult) -> Card:
    """Every open risk of the asker's programmes, as many as fit a message, the most severe
    (then the oldest) first across programmes, and how many more were left out. Leads act on
    a risk from its escalation card; the list is for reading."""
    if isinstance(result, RiskRefused):
        return notice_card(result.reason)
    shown = _choose(result.registers)
    body: list[CardElement] = []
    for register in result.registers:
        risks = [r for r in register.risks if r.id in shown]
        body += [heading(f"Risks: {register.programme_name}"), line(_summary(register, len(risks)))]
        for risk in risks:
            body += _listed(risk, register.may_act)
        body.append(line(_who_acts(register), subtle=True))
    return card(body)


def _listed(risk: RiskView, for_leads: bool) -> list[TextBlock]:
    elements = risk_elements(risk, LIST_DETAIL, for_leads=for_leads)
    elements[0].separator = True
    return elements


def _choose(registers: Sequence[Register]) -> set[int]:
    """The ids of the risks that fit in LIST_BYTES and LIST_ELEMENTS."""
    everything = sorted(
        ((risk, register.may_act) for register in registers for risk in register.risks),
        key=lambda pair: (-SEVERITY_RANK[pair[0].severity], pair[0].raised_at, pair[0].id),
    )
    chosen: set[int] = set()
    used, count = 0, 3 * len(registers)
    for risk, for_leads in everything:
        elements = _listed(risk, for_leads)
        size = sum(len(json.dumps(e.model_dump(by_alias=True, exclude_none=True))) for e in elements)
        if used + size > LIST_BYTES or count + len(elements) > LIST_ELEMENTS:
            break
        chosen.add(risk.id)
        used += size
        count += len(elements)
    return chosen


def _summary(register: Register, shown: int) -> str:
    total = len(register.risks)
    if total == 0:
        return "No open risks. Risks raised by the rules or by a lead appear here until they are closed."
    counts = ", ".join(
        f"{n} {severity.value}"
        for severity in sorted(Severity, key=lambda s: -SEVERITY_RANK[s])
        if (n := sum(r.severity == severity for r in register.risks))
    )
    text = f"**{plural(total, 'open risk')}** ({counts}), most severe first."
    if shown < total:
        text += (
            f" Showing the {shown} most severe; **{total - shown} more not shown**: "
            "the daily brief and the digest list them too."
        )
    return text


def _who_acts(register: Register) -> str:
    if register.may_act:
        return "Act on a risk from its escalation card, in the leads' channel."
    return f"The leads act on these; you are {A_ROLE[register.role]}, so you can read the register but not change it."
