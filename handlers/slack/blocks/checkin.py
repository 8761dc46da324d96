"""The check-in modal, its confirmation, and the DM prompt once it has been answered.

Input blocks take the domain's field keys as block_ids, so `response_action: errors`
from `bot.checkin.validate` lands on the right field.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.checkin import form_words, said
from bot.checkin.answers import MAX_TEXT
from bot.checkin.field_keys import (
    BLOCKERS,
    COMMENT,
    CORRECTION,
    FIGURES,
    STANDING,
    STILL,
    blocker_key,
    scheme_key,
    service_key,
)
from bot.checkin.form import (
    CheckinForm,
    MeasureOnForm,
    OpenBlocker,
    SchemeOnForm,
    ServiceOnForm,
    amount_text,
    initial_values,
)
from bot.checkin.ledger import CheckinResult, ReportedScheme, ReportedService
from bot.checkin.questions_on_form import MAX_ANSWER, QuestionOnForm
from bot.common.capacity import LEVELS, level_label
from bot.common.measures import value_text
from bot.common.money import format_money
from handlers.slack.blocks.limits import SURFACE_BLOCKS
from handlers.slack.blocks.prompt import OPEN_CHECKIN
from handlers.slack.blocks.text import escape

CALLBACK_ID = "checkin_submit"
TEXT_ACTION = "value"
LEVEL_ACTION = "level"
STANDING_ACTION = "standing"
ANSWERED_BLOCK = "checkin_answered"
_FIXED_BLOCKS = 6  # intro, capacity heading, correction, blockers, comment, footer
_QUESTIONS_LEFT_OUT = "{n} of the leads' questions are left out so the form fits Slack: they stay open for you."
_SCHEME_BLOCKS = 5  # divider, heading, three inputs; two fewer when compact
_COMPACT_SCHEME_BLOCKS = 3
_MEASURES_LEFT_OUT = (
    "Some optional figures are left out so the form fits Slack: {names}. Your levels and figures above still count."
)


def _section(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=text))


def _context(text: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=text)])


# the modal


def checkin_modal(form: CheckinForm, private_metadata: str, notice: str | None = None) -> dict[str, Any]:
    view = View(
        type="modal",
        callback_id=CALLBACK_ID,
        title=form_words.form_title(form),
        submit=form_words.submit_words(form),
        close="Cancel",
        private_metadata=private_metadata,
        blocks=_form_blocks(form, notice),
    )
    return view.to_dict()


def _layout(form: CheckinForm) -> tuple[bool, int, int]:
    """Whether schemes go compact, how many measure inputs fit and how many question inputs
    (a heading and one input each). Measures are optional, so they are the first to go when
    even the compact form would pass Slack's 100 blocks; the leads' questions go next (they
    stay open for the partner's next check-in)."""
    measures = sum(len(s.measures) for s in form.services)
    questions = len(form.questions) + (1 if form.questions else 0)
    base = _FIXED_BLOCKS + len(form.services) + len(form.open_blockers) + (1 if form.open_blockers else 0)
    full = base + _SCHEME_BLOCKS * len(form.schemes)
    if full + questions + measures <= SURFACE_BLOCKS:
        return False, measures, len(form.questions)
    compact = base + _COMPACT_SCHEME_BLOCKS * len(form.schemes)
    room = max(0, SURFACE_BLOCKS - compact)
    asked = len(form.questions) if questions <= room else max(0, room - 1)
    used = asked + (1 if asked else 0)
    return True, max(0, min(measures, room - used)), asked


def _form_blocks(form: CheckinForm, notice: str | None) -> list[Block]:
    values = initial_values(form)
    compact, room, asked = _layout(form)
    left_out = [m for s in form.services for m in s.measures][room:]
    hidden = {m.key for m in left_out}
    blocks: list[Block] = [_intro(form, notice, left_out, len(form.questions) - asked)]
    for scheme in form.schemes:
        blocks += _scheme_blocks(scheme, values, compact)
    if form.services:
        blocks.append(_section(f"*{said.CAPACITY_HEADING}*, {said.CAPACITY_LEVELS}"))
        for service in form.services:
            blocks.append(_level_input(service, values))
            blocks += [_measure_input(m, values) for m in service.measures if m.key not in hidden]
    if asked:
        blocks.append(_section(f"*{form_words.QUESTIONS_HEADING}*: {form_words.QUESTIONS_NOTE}"))
        blocks += [_question_input(q, values) for q in form.questions[:asked]]
    if form.open_blockers:
        blocks.append(_section(f"*{form_words.OPEN_BLOCKERS_HEADING}*"))
        blocks += [_standing_input(b, values) for b in form.open_blockers]
    blocks += [
        _text_input(CORRECTION, form_words.CORRECTION_LABEL, values, hint=said.CORRECTION_HINT),
        _text_input(BLOCKERS, form_words.BLOCKERS_LABEL, values, multiline=True, hint=form_words.blockers_hint(form)),
        _text_input(COMMENT, form_words.COMMENT_LABEL, values, multiline=True),
        _context(said.NO_PATIENT_DETAILS),
    ]
    return blocks


def _intro(
    form: CheckinForm, notice: str | None, left_out: Sequence[MeasureOnForm] = (), questions_left_out: int = 0
) -> SectionBlock:
    lines = [f"*{escape(form.scope.organisation_name)}* · {form.local_date:%A %-d %B}"]
    if notice:
        lines.append(notice)
    if form.today is not None:
        lines.append(form_words.checked_in_sentence(form.today))
    if form.schemes:
        lines.append(form_words.FIGURES_TO_DATE)
    if left_out:
        names = ", ".join(escape(m.measure.label) for m in left_out)
        lines.append(_MEASURES_LEFT_OUT.format(names=names))
    if questions_left_out:
        lines.append(_QUESTIONS_LEFT_OUT.format(n=questions_left_out))
    return _section("\n".join(lines)[:3000])


def _scheme_blocks(scheme: SchemeOnForm, values: dict[str, str], compact: bool) -> list[Block]:
    """A heading and three inputs; when a big organisation would overflow the modal, the
    scheme's name moves into the labels instead of a heading of its own."""
    prefix = f"{scheme.name}: " if compact else ""
    inputs: list[Block] = [_figure_input(scheme, figure, prefix, values) for figure in FIGURES]
    if compact:
        return inputs
    heading = f"*{escape(scheme.name)}*\nBudget {format_money(scheme.budget)}"
    return [DividerBlock(), _section(heading), *inputs]


def _figure_input(scheme: SchemeOnForm, figure: str, prefix: str, values: dict[str, str]) -> InputBlock:
    key = scheme_key(scheme.id, figure)
    words = said.figure_words(scheme, figure)
    element = PlainTextInputElement(action_id=TEXT_ACTION, initial_value=values.get(key), placeholder=words.placeholder)
    return InputBlock(block_id=key, label=prefix + words.label, element=element, hint=words.hint or None)


def _level_option(n: int) -> Option:
    return Option(value=str(n), label=level_label(n))


def _level_input(service: ServiceOnForm, values: dict[str, str]) -> InputBlock:
    key = service_key(service.service)
    chosen = values.get(key)
    element = StaticSelectElement(
        action_id=LEVEL_ACTION,
        placeholder=form_words.LEVEL_PLACEHOLDER,
        options=[_level_option(level.number) for level in LEVELS],
        initial_option=_level_option(int(chosen)) if chosen else None,
    )
    return InputBlock(block_id=key, label=service.label, element=element, hint=form_words.last_level_hint(service))


def _standing_option(value: str) -> Option:
    return Option(value=value, label=form_words.STANDING_LABELS[value])


def _standing_input(blocker: OpenBlocker, values: dict[str, str]) -> InputBlock:
    """Still a problem, resolved or changed: asked of each open blocker instead of a refilled box."""
    key = blocker_key(blocker.blocker_id)
    element = StaticSelectElement(
        action_id=STANDING_ACTION,
        options=[_standing_option(v) for v in STANDING],
        initial_option=_standing_option(values.get(key) or STILL),
    )
    return InputBlock(block_id=key, label=form_words.open_blocker_label(blocker), element=element)


def _measure_input(measure: MeasureOnForm, values: dict[str, str]) -> InputBlock:
    """Optional, and blank each day: yesterday's number is not today's (the hint shows it)."""
    element = PlainTextInputElement(
        action_id=TEXT_ACTION, initial_value=values.get(measure.key), placeholder=form_words.MEASURE_PLACEHOLDER
    )
    hint = form_words.last_measure_hint(measure)
    return InputBlock(block_id=measure.key, label=measure.measure.question, element=element, hint=hint, optional=True)


def _question_input(question: QuestionOnForm, values: dict[str, str]) -> InputBlock:
    """Optional, multiline; the question is the label, who asked it and until when the hint."""
    element = PlainTextInputElement(
        action_id=TEXT_ACTION,
        initial_value=values.get(question.key),
        multiline=True,
        max_length=MAX_ANSWER,
        placeholder=form_words.QUESTION_PLACEHOLDER,
    )
    hint = form_words.question_hint(question)[:2000]
    return InputBlock(block_id=question.key, label=question.text, element=element, hint=hint, optional=True)


def _text_input(
    key: str, label: str, values: dict[str, str], *, multiline: bool = False, hint: str | None = None
) -> InputBlock:
    element = PlainTextInputElement(
        action_id=TEXT_ACTION, initial_value=values.get(key), multiline=multiline, max_length=MAX_TEXT
    )
    return InputBlock(block_id=key, label=label, element=element, hint=hint, optional=True)


# after it is sent


def redaction_notice(count: int) -> str:
    return f":warning: {said.redaction_sentence(count)}"


def _headline(result: CheckinResult) -> str:
    return said.headline(result, lambda name: f"*{escape(name)}*")


def _scheme_line(scheme: ReportedScheme) -> str:
    figures = scheme.figures
    line = (
        f"*{escape(scheme.name)}*\nSpent {amount_text(figures.actual)} · "
        f"committed {amount_text(figures.committed)} · {said.activity_words(scheme)}"
    )
    if scheme.correction_reason:
        line += f"\n_Correction: {escape(scheme.correction_reason)}_"
    return line[:3000]


def _notes(result: CheckinResult) -> list[Block]:
    notes: list[Block] = []
    if result.redactions:
        notes.append(_section(redaction_notice(result.redactions)))
    if result.questions_answered:
        notes.append(_context(said.questions_answered_sentence(result.questions_answered)))
    if result.nothing_to_reaffirm:
        names = ", ".join(escape(n) for n in result.nothing_to_reaffirm)
        notes.append(_context(f"Nothing on record yet for {names}: open the check-in to give figures."[:2000]))
    return notes


def _result_blocks(result: CheckinResult) -> list[Block]:
    room = SURFACE_BLOCKS - 5
    blocks: list[Block] = [_section(_headline(result)), *_notes(result)]
    blocks += [_section(_scheme_line(s)) for s in result.schemes[:room]]
    if result.services:
        lines = [_service_line(s) for s in result.services]
        blocks.append(_section((f"*{said.CAPACITY_HEADING}*\n" + "\n".join(lines))[:3000]))
    return blocks


def _service_line(service: ReportedService) -> str:
    lines = [f"{escape(service.label)}: {level_label(service.level)}"]
    lines += [f"    {escape(m.label)}: {escape(value_text(m.value, m.unit))}" for m in service.measures]
    return "\n".join(lines)


def confirmation_view(result: CheckinResult) -> dict[str, Any]:
    view = View(
        type="modal",
        callback_id="checkin_done",
        title="Check-in saved" if result.recorded else "Today's check-in",
        close="Done",
        blocks=_result_blocks(result),
    )
    return view.to_dict()


def notice_view(text: str, title: str = "Today's check-in") -> dict[str, Any]:
    """A modal that only says something: why there is no check-in here, say."""
    return View(type="modal", title=title, close="Close", blocks=[_section(escape(text))]).to_dict()


def answered_value(result: CheckinResult) -> str:
    """The same value as the prompt's buttons carry, for the Amend button."""
    return json.dumps({"programme": result.programme_id, "date": result.local_date.isoformat()})


def answered_prompt_blocks(result: CheckinResult) -> list[dict[str, Any]]:
    """The DM prompt once answered: what happened, and a way back in to amend."""
    blocks: list[Block] = [_section(":white_check_mark: " + _headline(result)), *_notes(result)]
    blocks.append(
        ActionsBlock(
            block_id=ANSWERED_BLOCK,
            elements=[
                ButtonElement(text="Amend today's check-in", action_id=OPEN_CHECKIN, value=answered_value(result))
            ],
        )
    )
    blocks.append(_context(f"{escape(result.programme_name)} · {result.local_date:%a %-d %b %Y}"))
    return [block.to_dict() for block in blocks]


def answered_prompt_text(result: CheckinResult) -> str:
    return _headline(result).replace("*", "")
