"""The risk register in Block Kit: one risk with the leads' buttons, an escalation post,
`/winter risks`, and the close and assign forms. Pure functions; every message and modal
passes check_message / check_modal, however long the titles and however many the risks.

Every block of a risk carries a block_id "risk:{id}:…", so a message showing several risks
(the list, a brief) can have just that risk's blocks replaced after a lead acts on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    OptionGroup,
    PlainTextInputElement,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.common.calendar import zone
from bot.common.wording import plural, shortened
from bot.risks.changes import RiskRefused
from bot.risks.listing import EventView, RiskView
from bot.risks.register import MAX_TEXT, SEVERITY_RANK
from bot.risks.requests import Register, RisksOverview, RisksResult
from bot.risks.words import risk_facts
from bot.sending.escalations import reader_facts
from handlers.slack.blocks.limits import MESSAGE_BLOCKS
from handlers.slack.blocks.marks import SEVERITY_EMOJI
from handlers.slack.blocks.text import escape
from models.vocabulary import A_ROLE, RiskStatus, Severity

Json = dict[str, Any]

ACKNOWLEDGE = "risk_acknowledge"
ASSIGN = "risk_assign"
MITIGATE = "risk_mitigate"
CLOSE = "risk_close"
REOPEN = "risk_reopen"
ACTION_IDS = (ACKNOWLEDGE, ASSIGN, MITIGATE, CLOSE, REOPEN)

CLOSE_CALLBACK = "risk_close"
ASSIGN_CALLBACK = "risk_assign"
NOTE_BLOCK = NOTE_ACTION = "note"
OWNER_BLOCK = OWNER_ACTION = "owner"
ESCALATION_BLOCK = "risk_escalation"

SECTION_TEXT = 2900  # under Slack's 3,000 for a section
OPTION_TEXT = 75
SELECT_OPTIONS = 100
HEADER_TEXT = 150

# status -> the buttons a lead sees: (action_id, label, style)
BUTTONS: dict[RiskStatus, tuple[tuple[str, str, str | None], ...]] = {
    RiskStatus.OPEN: (
        (ACKNOWLEDGE, "Acknowledge", "primary"),
        (ASSIGN, "Assign owner", None),
        (MITIGATE, "Mitigated", None),
        (CLOSE, "Close…", None),
    ),
    RiskStatus.ACKNOWLEDGED: ((ASSIGN, "Assign owner", None), (MITIGATE, "Mitigated", None), (CLOSE, "Close…", None)),
    RiskStatus.MITIGATED: ((CLOSE, "Close…", None), (REOPEN, "Reopen", None)),
    RiskStatus.CLOSED: ((REOPEN, "Reopen", None),),
}


# -- one risk ---------------------------------------------------------------------------------


def block_prefix(risk_id: int) -> str:
    return f"risk:{risk_id}:"


def risk_blocks(risk: RiskView, *, actions: bool = True, for_leads: bool = True) -> list[Json]:
    """The risk's title and detail, a line of facts, and the buttons its status allows. Someone
    who only reads the register (`for_leads=False`) gets the facts in plain words."""
    prefix = block_prefix(risk.id)
    heading = f"{SEVERITY_EMOJI[risk.severity]} *{escape(risk.title)}*"
    if risk.detail:
        heading += "\n" + escape(risk.detail)
    blocks: list[Block] = [
        SectionBlock(block_id=prefix + "title", text=MarkdownTextObject(text=shortened(heading, SECTION_TEXT))),
        ContextBlock(block_id=prefix + "about", elements=[MarkdownTextObject(text=_facts(risk, for_leads))]),
    ]
    if actions:
        buttons = [
            ButtonElement(text=label, action_id=action_id, value=str(risk.id), style=style)
            for action_id, label, style in BUTTONS[risk.status]
        ]
        blocks.append(ActionsBlock(block_id=prefix + "actions", elements=buttons))
    return [block.to_dict() for block in blocks]


def facts(risk: RiskView) -> str:
    """Severity · status · owner · age · the last thing that happened."""
    return shortened(risk_facts(risk, escape, _when), SECTION_TEXT)


def _facts(risk: RiskView, for_leads: bool) -> str:
    if for_leads:
        return facts(risk)
    return shortened(reader_facts(risk, escape, _when), SECTION_TEXT)


def _when(event: EventView) -> str:
    """Slack's date token: today/yesterday and the time where the reader is; London time as fallback."""
    local = event.at.astimezone(zone())
    fallback = f"{local:%-d %b %H:%M}"
    return f"<!date^{int(event.at.timestamp())}^{{date_short_pretty}} {{time}}|{fallback}>"


def replace_risk(blocks: Sequence[Json], risk: RiskView) -> list[Json] | None:
    """The message's blocks with this risk's blocks swapped for its new state; None when the
    message does not show the risk. Its buttons stay only if it had them."""
    prefix = block_prefix(risk.id)
    mine = [i for i, block in enumerate(blocks) if str(block.get("block_id", "")).startswith(prefix)]
    if not mine:
        return None
    had_actions = any(blocks[i].get("type") == "actions" for i in mine)
    fresh = risk_blocks(risk, actions=had_actions)
    kept = [block for i, block in enumerate(blocks) if i not in set(mine)]
    at = mine[0]
    return [*kept[:at], *fresh, *kept[at:]]


# -- an escalation post -----------------------------------------------------------------------


def escalation_text(risk: RiskView) -> str:
    """The notification text: what, how bad, and where it stands."""
    owner = risk.owner_name or "no owner yet"
    return (
        f"{risk.severity.value.capitalize()} risk escalated to the leads: {risk.title} ({risk.status.value}, {owner})"
    )


def escalation_message(risk: RiskView) -> tuple[str, list[Json]]:
    """The leads' copy, with their buttons. A partner of the owner organisation is sent plain
    words instead (bot.sending.escalations.partner_copy), which no lead's action rewrites."""
    header = ContextBlock(
        block_id=ESCALATION_BLOCK,
        elements=[MarkdownTextObject(text=f":rotating_light: *Risk escalated to the leads* · {risk.severity.value}")],
    ).to_dict()
    return shortened(escalation_text(risk), SECTION_TEXT), [header, *risk_blocks(risk)]


# -- /winter risks ----------------------------------------------------------------------------


def risks_list(result: RisksResult) -> tuple[str, list[Json]]:
    """Every open risk of the asker's programmes, most severe first, within 50 blocks; when
    they do not all fit, the most severe that do, and how many more were left out."""
    if isinstance(result, RiskRefused):
        return result.reason, [_section(escape(result.reason))]
    fixed = 2 * len(result.registers) + 1  # a header and a summary per programme; the footer
    shown = _choose(result.registers, MESSAGE_BLOCKS - fixed)
    blocks: list[Json] = []
    left_out = 0
    for index, register in enumerate(result.registers):
        risks = [r for r in register.risks if r.id in shown[index]]
        left_out += len(register.risks) - len(risks)
        blocks.append(HeaderBlock(text=shortened(f"Risks: {register.programme_name}", HEADER_TEXT)).to_dict())
        blocks.append(_section(_summary(register, len(risks))))
        for risk in risks:
            blocks += risk_blocks(risk, actions=register.may_act, for_leads=register.may_act)
    footer = "Shown only to you."
    if left_out:
        footer += f" {left_out} more not shown here: the daily brief and the digest list them too."
    blocks.append(_context(footer))
    return _list_text(result, left_out), blocks


def _choose(registers: Sequence[Register], budget: int) -> list[set[int]]:
    """Which risks fit in `budget` blocks, the most severe (then the oldest) first across programmes."""
    everything = sorted(
        ((index, risk) for index, register in enumerate(registers) for risk in register.risks),
        key=lambda pair: (-SEVERITY_RANK[pair[1].severity], pair[1].raised_at, pair[1].id),
    )
    shown: list[set[int]] = [set() for _ in registers]
    for index, risk in everything:
        cost = 3 if registers[index].may_act else 2
        if cost > budget:
            break
        budget -= cost
        shown[index].add(risk.id)
    return shown


def _summary(register: Register, shown: int) -> str:
    total = len(register.risks)
    if total == 0:
        text = "No open risks. Risks raised by the rules or by a lead appear here until they are closed."
    else:
        counts = [
            f"{sum(r.severity == s for r in register.risks)} {s.value}"
            for s in sorted(Severity, key=lambda s: -SEVERITY_RANK[s])
            if any(r.severity == s for r in register.risks)
        ]
        text = f"*{plural(total, 'open risk')}* ({', '.join(counts)}), most severe first."
        if shown < total:
            text += f" Showing the {shown} most severe; *{total - shown} more not shown*."
    if register.may_act:
        text += "\nAs a lead you can act on them with the buttons."
    else:
        text += f"\nThe leads act on these; you are {A_ROLE[register.role]}, so you can read the register but not change it."
    return text


def _list_text(result: RisksOverview, left_out: int) -> str:
    parts = [
        f"{r.programme_name}: {len(r.risks)} open risk{'s' if len(r.risks) != 1 else ''}" for r in result.registers
    ]
    text = "; ".join(parts) + "."
    if left_out:
        text += f" {left_out} more not shown."
    return shortened(text, SECTION_TEXT)


# -- the forms --------------------------------------------------------------------------------


def close_modal(risk: RiskView, private_metadata: str) -> Json:
    """Closing needs a note: what was done, or why the risk no longer applies."""
    note = InputBlock(
        block_id=NOTE_BLOCK,
        label="Closing note",
        element=PlainTextInputElement(
            action_id=NOTE_ACTION,
            multiline=True,
            max_length=MAX_TEXT,
            placeholder="What was done, or why it no longer applies",
        ),
        hint="Kept in the risk's history. No patient details, please.",
        optional=False,
    )
    return _risk_form(risk, note, (CLOSE_CALLBACK, "Close this risk", "Close risk"), private_metadata)


def assign_modal(risk: RiskView, organisations: Sequence[tuple[int, str]], private_metadata: str) -> Json:
    """Choose the organisation that owns the risk. Up to 100 as plain options; more, in
    groups of at most 100 (Slack's limits for a static select), so nobody is left out."""
    options = [Option(value=str(oid), text=shortened(name, OPTION_TEXT)) for oid, name in organisations]
    current = next(
        (o for o, (oid, _) in zip(options, organisations, strict=False) if oid == risk.owner_organisation_id), None
    )
    if len(options) <= SELECT_OPTIONS:
        select = StaticSelectElement(
            action_id=OWNER_ACTION, placeholder="Choose an organisation", options=options, initial_option=current
        )
    else:
        groups = [
            OptionGroup(
                label=_group_label(organisations[i : i + SELECT_OPTIONS]), options=options[i : i + SELECT_OPTIONS]
            )
            for i in range(0, len(options), SELECT_OPTIONS)
        ]
        select = StaticSelectElement(
            action_id=OWNER_ACTION, placeholder="Choose an organisation", option_groups=groups, initial_option=current
        )
    owner = InputBlock(block_id=OWNER_BLOCK, label="Owner organisation", element=select)
    return _risk_form(risk, owner, (ASSIGN_CALLBACK, "Assign an owner", "Assign"), private_metadata)


def _risk_form(risk: RiskView, answer: InputBlock, form: tuple[str, str, str], private_metadata: str) -> Json:
    """A form about one risk asking one thing; `form` is its callback id, title and submit button."""
    callback_id, title, submit = form
    view = View(
        type="modal",
        callback_id=callback_id,
        title=title,
        submit=submit,
        close="Cancel",
        private_metadata=private_metadata,
        blocks=[_about(risk), answer],
    )
    return view.to_dict()


def _group_label(chunk: Sequence[tuple[int, str]]) -> str:
    first, last = chunk[0][1][:1].upper() or "?", chunk[-1][1][:1].upper() or "?"
    return f"{first} to {last}" if first != last else f"{first} ({len(chunk)})"


def notice_modal(text: str) -> Json:
    """A form's answer when nothing changed: why, seen only by the person who sent it."""
    view = View(
        type="modal",
        title="Risk register",
        close="OK",
        blocks=[SectionBlock(text=MarkdownTextObject(text=shortened(escape(text), SECTION_TEXT)))],
    )
    return view.to_dict()


def _about(risk: RiskView) -> SectionBlock:
    return SectionBlock(
        text=MarkdownTextObject(
            text=shortened(f"{SEVERITY_EMOJI[risk.severity]} *{escape(risk.title)}*\n{facts(risk)}", SECTION_TEXT)
        )
    )


# -- small pieces -----------------------------------------------------------------------------


def _section(text: str) -> Json:
    return SectionBlock(text=MarkdownTextObject(text=shortened(text, SECTION_TEXT))).to_dict()


def _context(text: str) -> Json:
    return ContextBlock(elements=[MarkdownTextObject(text=text)]).to_dict()
