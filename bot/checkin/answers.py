"""Checking a member's answers against their form. Pure: no database, no platform.

`validate` returns either a Submission ready to store or the errors keyed by field key.
Cumulative figures (spend and activity to date) may not fall without a correction reason;
committed money may fall freely as it is spent. Answers to the leads' questions are optional
free text of at most MAX_ANSWER characters. NHS numbers in free text (answers included) are
redacted here, before anything is stored or shown.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from bot.checkin.field_keys import (
    BLOCKERS,
    CHANGED,
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
    Figures,
    MeasureOnForm,
    SchemeOnForm,
    ServiceOnForm,
    amount_text,
    quantity_text,
)
from bot.checkin.questions_on_form import MAX_ANSWER, QuestionOnForm
from bot.common.capacity import HIGHEST, LOWEST, parse_level
from bot.common.money import AmountError, format_money, parse_amount
from bot.common.redact import figure_holds_nhs_number, figure_refusal, redact
from bot.common.wording import shortened

Answers = Mapping[str, str | None]
Errors = dict[str, str]

ABSURD_MULTIPLE = 5
MAX_TEXT = 3000
CUMULATIVE = ("actual", "activity")
_QUANTITY = re.compile(r"^(?P<whole>[0-9]+)(?:\.(?P<places>[0-9]+))?$")
MAX_QUANTITY_DIGITS = 12
MISSING = {
    "actual": "Give the amount spent to date in pounds (0 if nothing yet)",
    "committed": "Give the amount committed but not yet spent, in pounds (0 if none)",
    "activity": "Give a number, like 1,250 or 37.5 (0 if none yet)",
}


class FieldError(ValueError):
    """An answer that cannot stand; the message says what to write instead."""


@dataclass(frozen=True)
class SchemeAnswer:
    scheme: SchemeOnForm
    figures: Figures
    lowered: tuple[str, ...]  # the cumulative figures below the last ones
    correction_reason: str | None


@dataclass(frozen=True)
class ServiceAnswer:
    service: ServiceOnForm
    level: int
    measures: dict[str, Decimal] = field(default_factory=dict)  # by measure key; blank ones left out


@dataclass(frozen=True)
class QuestionAnswered:
    question: QuestionOnForm
    text: str  # NHS numbers redacted


@dataclass(frozen=True)
class Submission:
    form: CheckinForm
    schemes: tuple[SchemeAnswer, ...]
    services: tuple[ServiceAnswer, ...]
    correction: str | None
    blockers: str | None
    comment: str | None
    redactions: int
    questions: tuple[QuestionAnswered, ...] = ()  # the non-blank answers only
    standing: tuple[tuple[int, str], ...] = ()  # (open blocker, "resolved" or "changed"); still ones left out


@dataclass(frozen=True)
class _Text:
    text: str | None
    redactions: int


def validate(form: CheckinForm, answers: Answers) -> Submission | Errors:
    errors: Errors = {}
    figures = {s.id: _figures(s, answers, errors) for s in form.schemes}
    levels = {s.service: _level(s, answers, errors) for s in form.services}
    measures = {s.service: _measures(s, answers, errors) for s in form.services}
    texts = {key: _free_text(answers, key, errors) for key in (CORRECTION, BLOCKERS, COMMENT)}
    replies = {q.id: _free_text(answers, q.key, errors, MAX_ANSWER) for q in form.questions}
    standing = _standing(form, answers, bool(texts[BLOCKERS].text), errors)
    lowered = {s.id: _lowered(s, figures[s.id]) for s in form.schemes}
    if any(lowered.values()) and not texts[CORRECTION].text:
        errors.update(_correction_errors(form, figures, lowered))
    if errors:
        return errors
    return Submission(
        form=form,
        # Without errors every figure and level was read: the None of "could not read" is gone.
        schemes=_scheme_answers(form, figures, lowered, texts[CORRECTION].text),  # type: ignore[arg-type]
        services=tuple(
            ServiceAnswer(s, levels[s.service], measures[s.service])  # type: ignore[arg-type]
            for s in form.services
        ),
        correction=texts[CORRECTION].text,
        blockers=texts[BLOCKERS].text,
        comment=texts[COMMENT].text,
        redactions=sum(t.redactions for t in (*texts.values(), *replies.values())),
        questions=tuple(
            QuestionAnswered(q, replies[q.id].text)  # type: ignore[arg-type]  # not None: filtered below
            for q in form.questions
            if replies[q.id].text
        ),
        standing=standing,
    )


def _standing(form: CheckinForm, answers: Answers, new_words: bool, errors: Errors) -> tuple[tuple[int, str], ...]:
    """What the partner says of each open blocker: still a problem (the default), resolved, or
    changed (then the New blockers box says how)."""
    out = []
    for blocker in form.open_blockers:
        key = blocker_key(blocker.blocker_id)
        said = (answers.get(key) or STILL).strip().lower()
        if said not in STANDING:
            errors[key] = "Choose still a problem, resolved or changed."
        elif said == CHANGED and not new_words:
            errors[key] = "Say how it has changed under New blockers, or choose still a problem or resolved."
        elif said != STILL:
            out.append((blocker.blocker_id, said))
    return tuple(out)


def parse_activity(text: str, what: str = "activity to date", asked: str = "the figure") -> Decimal:
    """A count to date: 0 or more, commas allowed, at most two decimal places. A valid NHS
    number is refused, saying why: `asked` is what to enter instead ("the number of hours")."""
    raw = text.strip()
    if figure_holds_nhs_number(raw):
        raise FieldError(figure_refusal(asked))
    cleaned = raw.replace(",", "").replace(" ", "")
    if cleaned.startswith("-"):
        raise FieldError(f"{raw!r} is negative: {what} is 0 or more")
    match = _QUANTITY.match(cleaned)
    if not match:
        raise FieldError(f"{raw!r} is not a number: write it like 1,250 or 37.5")
    if len(match["places"] or "") > 2:
        raise FieldError(f"{raw!r} has more than two decimal places")
    if len(match["whole"].lstrip("0")) > MAX_QUANTITY_DIGITS:
        raise FieldError(f"{raw!r} is too large to be {what}: check the figure")
    return Decimal(cleaned).quantize(Decimal("0.01"))


def read_measure(measure: MeasureOnForm, text: str) -> Decimal:
    """A measure's value by the activity rules; "85%" is fine for a measure in %."""
    raw = text.strip()
    if measure.measure.unit == "%" and raw.endswith("%"):
        raw = raw[:-1]
    try:
        return parse_activity(raw, what="a figure here", asked=_asked(measure.measure.unit))
    except FieldError as error:
        raise FieldError(f"{error} (or leave it blank if you have no figure today)") from None


def _asked(unit: str | None) -> str:
    if unit == "%":
        return "a percentage"
    return f"the number of {unit}" if unit else "the figure"


def read_amount(text: str, budget: Decimal) -> Decimal:
    try:
        value = parse_amount(text)
    except AmountError as error:
        raise FieldError(str(error)) from None
    if budget > 0 and value > budget * ABSURD_MULTIPLE:
        raise FieldError(
            f"{format_money(value)} is more than {ABSURD_MULTIPLE} times this scheme's budget of "
            f"{format_money(budget)}: check the figure (12.5k is £12,500; 1.2m is £1,200,000)"
        )
    return value


def _read(scheme: SchemeOnForm, figure: str, text: str | None) -> Decimal:
    if not (text or "").strip():
        raise FieldError(MISSING[figure])
    if figure == "activity":
        return parse_activity(text or "", asked=_asked(scheme.unit_label))
    return read_amount(text or "", scheme.budget)


def _figures(scheme: SchemeOnForm, answers: Answers, errors: Errors) -> Figures | None:
    values: dict[str, Decimal] = {}
    for figure in FIGURES:
        key = scheme_key(scheme.id, figure)
        try:
            values[figure] = _read(scheme, figure, answers.get(key))
        except FieldError as error:
            errors[key] = str(error)
    return Figures(**values) if len(values) == 3 else None


def _level(service: ServiceOnForm, answers: Answers, errors: Errors) -> int | None:
    level = parse_level(answers.get(service_key(service.service)))
    if level is None:
        errors[service_key(service.service)] = (
            f"Choose today's level for {service.label.lower()}, from {LOWEST} to {HIGHEST}"
        )
    return level


def _measures(service: ServiceOnForm, answers: Answers, errors: Errors) -> dict[str, Decimal]:
    """Optional: a blank measure is simply not reported today."""
    values: dict[str, Decimal] = {}
    for measure in service.measures:
        text = (answers.get(measure.key) or "").strip()
        if not text:
            continue
        try:
            values[measure.measure.key] = read_measure(measure, text)
        except FieldError as error:
            errors[measure.key] = str(error)
    return values


def _free_text(answers: Answers, key: str, errors: Errors, most: int = MAX_TEXT) -> _Text:
    raw = (answers.get(key) or "").strip()
    if len(raw) > most:
        errors[key] = f"Keep this under {most:,} characters (it has {len(raw):,})"
    redacted = redact(raw)
    return _Text(redacted.text or None, redacted.count)


def _lowered(scheme: SchemeOnForm, figures: Figures | None) -> tuple[str, ...]:
    if scheme.last is None or figures is None:
        return ()
    return tuple(f for f in CUMULATIVE if figures.get(f) < scheme.last.get(f))


def _shown(figure: str, value: Decimal) -> str:
    return quantity_text(value) if figure == "activity" else amount_text(value)


def _correction_errors(
    form: CheckinForm, figures: dict[int, Figures | None], lowered: dict[int, tuple[str, ...]]
) -> Errors:
    errors: Errors = {}
    changes: list[str] = []
    for scheme in form.schemes:
        last, now = scheme.last, figures[scheme.id]
        if last is None or now is None:
            continue
        for figure in lowered[scheme.id]:
            before, after = _shown(figure, last.get(figure)), _shown(figure, now.get(figure))
            errors[scheme_key(scheme.id, figure)] = (
                f"Lower than the {before} reported on {last.local_date:%a %-d %b}. "
                f"If {after} is right, give the reason under Correction"
            )
            changes.append(f"{scheme.name}, {_figure_name(scheme, figure)}: {before} → {after}")
    errors[CORRECTION] = "Say why these figures are lower than last reported: " + "; ".join(changes)
    return {key: shortened(message, 500) for key, message in errors.items()}


def _figure_name(scheme: SchemeOnForm, figure: str) -> str:
    label = "spent to date" if figure == "actual" else scheme.activity_label
    return label[0].lower() + label[1:]


def _scheme_answers(
    form: CheckinForm,
    figures: dict[int, Figures],
    lowered: dict[int, tuple[str, ...]],
    correction: str | None,
) -> tuple[SchemeAnswer, ...]:
    """The correction reason goes on the schemes whose figures fell; when none fell it
    stands for the whole check-in, so it goes on every scheme."""
    any_lowered = any(lowered.values())
    return tuple(
        SchemeAnswer(
            scheme=s,
            figures=figures[s.id],
            lowered=lowered[s.id],
            correction_reason=correction if (lowered[s.id] or not any_lowered) else None,
        )
        for s in form.schemes
    )
