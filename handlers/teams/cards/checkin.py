"""The check-in as an Adaptive Card in the member's personal chat: the prompt with the form
inline, the form again with its errors, and what was stored.

Inputs take the domain's field keys as ids, so `bot.checkin.validate`'s errors land under
the right field, and a card sent back with errors keeps every answer as it was typed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date

from microsoft_teams.cards import CardElement, Choice, ChoiceSetInput, TextInput

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
from bot.checkin.prompts import Prompt
from bot.checkin.questions_on_form import MAX_ANSWER, QuestionOnForm
from bot.common.capacity import LEVELS, level_label
from bot.common.measures import value_text
from bot.common.money import format_money
from handlers.teams.cards.base import Card, action, card, heading, line, plain, subheading

SUBMIT = "checkin:submit"
NO_CHANGE = "checkin:no-change"
OPEN = "checkin:open"

CARD_BYTES = 26_000  # inside Teams' 28 KB a message, with room for the activity around the card

Values = Mapping[str, str | None]
Errors = Mapping[str, str]


def form_data(programme_id: int, local_date: date) -> dict[str, object]:
    return {"programme": programme_id, "date": local_date.isoformat()}


def checkin_card(
    form: CheckinForm,
    *,
    typed: Values | None = None,
    errors: Errors | None = None,
    notice: str | None = None,
    prompt: Prompt | None = None,
) -> Card:
    """The form, prefilled from the last answers, or (`typed`) with what was sent back. An
    organisation with many schemes gets the compact form (each scheme's name in its labels,
    no hints), which keeps some forty schemes inside Teams' 28 KB a message."""
    full = _checkin_card(form, typed, errors, notice, prompt, compact=False)
    if len(json.dumps(full).encode()) <= CARD_BYTES:
        return full
    return _checkin_card(form, typed, errors, notice, prompt, compact=True)


def _checkin_card(
    form: CheckinForm,
    typed: Values | None,
    errors: Errors | None,
    notice: str | None,
    prompt: Prompt | None,
    *,
    compact: bool,
) -> Card:
    values = dict(initial_values(form))
    if typed is not None:
        values = {key: value or "" for key, value in typed.items()}
    errors = errors or {}
    body: list[CardElement] = _opening(form, prompt, notice, errors)
    for scheme in form.schemes:
        body += _scheme(scheme, values, errors, compact)
    if form.services:
        body.append(subheading(f"{said.CAPACITY_HEADING}, {said.CAPACITY_LEVELS}"))
        for service in form.services:
            body += _service(service, values, errors, compact)
    if form.questions:
        body.append(subheading(f"{form_words.QUESTIONS_HEADING}: {form_words.QUESTIONS_NOTE}"))
        for question in form.questions:
            body += _question(question, values, errors)
    if form.open_blockers:
        body.append(subheading(form_words.OPEN_BLOCKERS_HEADING))
        for blocker in form.open_blockers:
            body += _standing(blocker, values, errors)
    body += _text(CORRECTION, form_words.CORRECTION_LABEL, values, errors, hint=said.CORRECTION_HINT)
    body += _text(
        BLOCKERS,
        f"{form_words.BLOCKERS_LABEL}: {form_words.blockers_hint(form, 'blockers')}",
        values,
        errors,
        multiline=True,
    )
    body += _text(COMMENT, form_words.COMMENT_LABEL, values, errors, multiline=True)
    body.append(line(said.NO_PATIENT_DETAILS, subtle=True))
    data = form_data(form.scope.programme_id, form.local_date)
    actions = [action(form_words.submit_words(form), SUBMIT, **data)]
    if prompt is not None and not form.amending and (form.schemes or form.services):
        actions.append(action("Nothing new today", NO_CHANGE, **data))
    return card(body, actions)


def _opening(form: CheckinForm, prompt: Prompt | None, notice: str | None, errors: Errors) -> list[CardElement]:
    scope = form.scope
    first = scope.member_name.split()[0] if scope.member_name else "there"
    if prompt is not None and prompt.kind == "reminder":
        title = f"Hello {plain(first)}, a gentle reminder: we have not had today's check-in from you yet."
    elif prompt is not None:
        title = f"Good morning {plain(first)}. Here is today's check-in for {plain(scope.organisation_name)}."
    else:
        title = f"{form_words.form_title(form)}: {scope.organisation_name}"
    body: list[CardElement] = [heading(title) if prompt is None else line(f"**{title}**")]
    body.append(line(f"{plain(scope.programme_name)} · {form.local_date:%A %-d %B}", subtle=True))
    if errors:
        count = "one answer" if len(errors) == 1 else f"{len(errors)} answers"
        body.append(line(f"Please change {count} below, then send again. Nothing you typed is lost.", attention=True))
    if notice:
        body.append(line(notice, attention=True))
    if form.today is not None:
        body.append(line(form_words.checked_in_sentence(form.today)))
    if form.schemes:
        body.append(line(form_words.FIGURES_TO_DATE))
    return body


def _error(key: str, errors: Errors) -> list[CardElement]:
    return [line(f"⚠ {errors[key]}", attention=True)] if key in errors else []


def _scheme(scheme: SchemeOnForm, values: Values, errors: Errors, compact: bool) -> list[CardElement]:
    body: list[CardElement] = (
        []
        if compact
        else [
            subheading(scheme.name),
            line(f"Budget {format_money(scheme.budget)}", subtle=True),
        ]
    )
    for figure in FIGURES:
        key = scheme_key(scheme.id, figure)
        words = said.figure_words(scheme, figure)
        body.append(
            TextInput(
                id=key,
                label=f"{scheme.name}: {words.label}" if compact else words.label,
                value=values.get(key) or None,
                placeholder=None if compact else words.placeholder,
                is_required=True,
            )
        )
        if words.hint and not compact:
            body.append(line(words.hint, subtle=True))
        body += _error(key, errors)
    return body


def _service(service: ServiceOnForm, values: Values, errors: Errors, compact: bool) -> list[CardElement]:
    key = service_key(service.service)
    body: list[CardElement] = [
        ChoiceSetInput(
            id=key,
            label=service.label,
            placeholder=form_words.LEVEL_PLACEHOLDER,
            choices=[Choice(title=level_label(level.number), value=str(level.number)) for level in LEVELS],
            value=values.get(key) or None,
            is_required=True,
            error_message=f"{service.label}: choose a level, 1 to 4",
        )
    ]
    last = form_words.last_level_hint(service)
    if last is not None and not compact:
        body.append(line(last, subtle=True))
    body += _error(key, errors)
    for measure in service.measures:
        body += _measure(measure, values, errors)
    return body


def _standing(blocker: OpenBlocker, values: Values, errors: Errors) -> list[CardElement]:
    """Still a problem, resolved or changed: asked of each open blocker instead of a refilled box."""
    key = blocker_key(blocker.blocker_id)
    choice = ChoiceSetInput(
        id=key,
        label=form_words.open_blocker_label(blocker),
        choices=[Choice(title=form_words.STANDING_LABELS[v], value=v) for v in STANDING],
        value=values.get(key) or STILL,
    )
    return [choice, *_error(key, errors)]


def _measure(measure: MeasureOnForm, values: Values, errors: Errors) -> list[CardElement]:
    body: list[CardElement] = [
        TextInput(
            id=measure.key,
            label=measure.measure.question,
            placeholder=form_words.MEASURE_PLACEHOLDER,
            value=values.get(measure.key) or None,
        )
    ]
    last = form_words.last_measure_hint(measure)
    if last is not None:
        body.append(line(last, subtle=True))
    return body + _error(measure.key, errors)


def _question(question: QuestionOnForm, values: Values, errors: Errors) -> list[CardElement]:
    return [
        TextInput(
            id=question.key,
            label=question.text[:500],
            is_multiline=True,
            max_length=MAX_ANSWER,
            placeholder=form_words.QUESTION_PLACEHOLDER,
            value=values.get(question.key) or None,
        ),
        line(plain(form_words.question_hint(question)), subtle=True),
        *_error(question.key, errors),
    ]


def _text(
    key: str, label: str, values: Values, errors: Errors, *, multiline: bool = False, hint: str | None = None
) -> list[CardElement]:
    body: list[CardElement] = [
        TextInput(
            id=key,
            label=label,
            is_multiline=multiline,
            max_length=MAX_TEXT,
            value=values.get(key) or None,
        )
    ]
    if hint:
        body.append(line(hint, subtle=True))
    return body + _error(key, errors)


# after it is sent


def confirmation_card(result: CheckinResult) -> Card:
    body: list[CardElement] = [line("✅ " + said.headline(result, lambda name: f"**{plain(name)}**"))]
    if result.redactions:
        body.append(line(f"⚠ {said.redaction_sentence(result.redactions)}", attention=True))
    if result.questions_answered:
        body.append(line(said.questions_answered_sentence(result.questions_answered), subtle=True))
    if result.nothing_to_reaffirm:
        names = ", ".join(plain(n) for n in result.nothing_to_reaffirm)
        body.append(line(f"Nothing on record yet for {names}: amend the check-in to give figures.", subtle=True))
    body += [line(_scheme_line(s)) for s in result.schemes]
    if result.services:
        body.append(subheading(said.CAPACITY_HEADING))
        body += [line(_service_line(s)) for s in result.services]
    body.append(line(f"{plain(result.programme_name)} · {result.local_date:%a %-d %b %Y}", subtle=True))
    return card(body, [action("Amend today's check-in", OPEN, **form_data(result.programme_id, result.local_date))])


def _scheme_line(scheme: ReportedScheme) -> str:
    figures = scheme.figures
    text = (
        f"**{plain(scheme.name)}**: spent {amount_text(figures.actual)} · "
        f"committed {amount_text(figures.committed)} · {said.activity_words(scheme)}"
    )
    if scheme.correction_reason:
        text += f"\n\n_Correction: {plain(scheme.correction_reason)}_"
    return text


def _service_line(service: ReportedService) -> str:
    lines = [f"{plain(service.label)}: {level_label(service.level)}"]
    lines += [f"- {plain(m.label)}: {plain(value_text(m.value, m.unit))}" for m in service.measures]
    return "\n\n".join(lines)
