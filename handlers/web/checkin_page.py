"""The check-in page's content: the same form as Slack's modal and Teams' card, in the words
of bot.checkin.form_words and bot.checkin.said, laid out for the NHS.UK frontend's macros.

Each input's name is the domain's field key (bot.checkin.field_keys), so the form posts back
flat values as Teams' card does and `bot.checkin.validate`'s errors land on the right field;
its id is the key with ":" made "-", for the error summary's links.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from bot.checkin import form_words, said
from bot.checkin.field_keys import BLOCKERS, COMMENT, CORRECTION, FIGURES, STANDING, STILL, blocker_key, scheme_key
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
from bot.checkin.questions_on_form import QuestionOnForm
from bot.common.capacity import LEVELS, level_label
from bot.common.measures import value_text
from bot.common.money import format_money

MONEY = ("actual", "committed")
NO_CHANGE = "no-change"  # the value of the "Nothing new today" button, named ACTION
ACTION = "action"


def field_id(key: str) -> str:
    return key.replace(":", "-")


@dataclass(frozen=True)
class Field:
    """One input: `kind` is money, number, text, textarea or radios."""

    key: str
    kind: str
    label: str
    value: str
    hint: str | None = None
    error: str | None = None
    choices: tuple[tuple[str, str, str | None], ...] = ()  # radios: (value, text, hint)

    @property
    def id(self) -> str:
        return field_id(self.key)

    @property
    def items(self) -> list[dict[str, Any]]:
        """The radios' items as the NHS.UK macro takes them."""
        return [
            {"value": value, "text": text, **({"hint": {"text": hint}} if hint else {})}
            for value, text, hint in self.choices
        ]


@dataclass(frozen=True)
class Group:
    """A fieldset: a scheme's three figures, or a service's level and measures."""

    legend: str
    hint: str | None
    fields: tuple[Field, ...]
    id: str = ""  # of the hint, which the fieldset is described by


@dataclass(frozen=True)
class Page:
    form: CheckinForm
    schemes: tuple[Group, ...]
    services: tuple[Group, ...]
    questions: tuple[Field, ...]
    open_blockers: tuple[Field, ...]
    notes: tuple[Field, ...]  # correction, new blockers, comment
    errors: tuple[tuple[str, str | None], ...] = ()  # (message, #id of its field or None)
    words: dict[str, str] = field(default_factory=dict)

    @property
    def error_list(self) -> list[dict[str, str]]:
        """The error summary's items: each message, linking to its field when it is on the page."""
        return [{"text": text, **({"href": href} if href else {})} for text, href in self.errors]

    @property
    def no_change_offered(self) -> bool:
        """As on the prompt's card: only before today's answer, and when there are figures to keep."""
        return not self.form.amending and bool(self.form.schemes or self.form.services)


def checkin_page(
    form: CheckinForm, typed: Mapping[str, str | None] | None = None, errors: Mapping[str, str] | None = None
) -> Page:
    """The form prefilled as the platforms prefill it, or with what was typed and its errors."""
    values = _web_values(initial_values(form)) if typed is None else {k: v or "" for k, v in typed.items()}
    errors = errors or {}

    def make(key: str, kind: str, label: str, hint: str | None = None, **more: Any) -> Field:
        return Field(key, kind, label, values.get(key) or "", hint, errors.get(key), **more)

    page = Page(
        form=form,
        schemes=tuple(_scheme(s, make) for s in form.schemes),
        services=tuple(_service(s, make) for s in form.services),
        questions=tuple(_question(q, make) for q in form.questions),
        open_blockers=tuple(_standing(b, make, values) for b in form.open_blockers),
        notes=(
            make(CORRECTION, "text", form_words.CORRECTION_LABEL, said.CORRECTION_HINT),
            make(BLOCKERS, "textarea", form_words.BLOCKERS_LABEL, form_words.blockers_hint(form)),
            make(COMMENT, "textarea", form_words.COMMENT_LABEL),
        ),
        words=_words(form),
    )
    return Page(**{**page.__dict__, "errors": _summary(page, errors)})


def _web_values(values: dict[str, str]) -> dict[str, str]:
    """The money inputs carry a £ of their own in front, so their starting amounts do not."""
    money = {key for key in values if key.startswith("scheme:") and key.rsplit(":", 1)[-1] in MONEY}
    return {key: value.removeprefix("£") if key in money else value for key, value in values.items()}


def _words(form: CheckinForm) -> dict[str, str]:
    scope = form.scope
    return {
        "organisation": scope.organisation_name,
        "programme": scope.programme_name,
        "day": f"{form.local_date:%A %-d %B}",
        "checked_in": form_words.checked_in_sentence(form.today) if form.today is not None else "",
        "figures_to_date": form_words.FIGURES_TO_DATE if form.schemes else "",
        "capacity_heading": said.CAPACITY_HEADING,
        "capacity_levels": said.CAPACITY_LEVELS,
        "questions_heading": form_words.QUESTIONS_HEADING,
        "questions_note": form_words.QUESTIONS_NOTE,
        "open_blockers_heading": form_words.OPEN_BLOCKERS_HEADING,
        "no_patient_details": said.NO_PATIENT_DETAILS,
    }


def _scheme(scheme: SchemeOnForm, make: Any) -> Group:
    fields = []
    for figure in FIGURES:
        words = said.figure_words(scheme, figure)
        fields.append(
            make(
                scheme_key(scheme.id, figure), "money" if figure in MONEY else "number", words.label, words.hint or None
            )
        )
    return Group(scheme.name, f"Budget {format_money(scheme.budget)}", tuple(fields), f"scheme-{scheme.id}-budget")


def _service(service: ServiceOnForm, make: Any) -> Group:
    """A service's level is a group of radios; with measures too, the service is a fieldset
    around them, and its radios' legend says which they are."""
    choices = tuple((str(level.number), f"Level {level.number}", level.wording) for level in LEVELS)
    label = "Capacity level" if service.measures else service.label
    level = make(service.keys[0], "radios", label, form_words.last_level_hint(service), choices=choices)
    return Group(service.label, None, (level, *(_measure(m, make) for m in service.measures)))


def _measure(measure: MeasureOnForm, make: Any) -> Field:
    hint = form_words.last_measure_hint(measure) or form_words.MEASURE_PLACEHOLDER
    return make(measure.key, "number", measure.measure.question, hint)


def _question(question: QuestionOnForm, make: Any) -> Field:
    return make(question.key, "textarea", question.text, form_words.question_hint(question))


def _standing(blocker: OpenBlocker, make: Any, values: Mapping[str, str]) -> Field:
    choices = tuple((value, form_words.STANDING_LABELS[value], None) for value in STANDING)
    found = make(blocker_key(blocker.blocker_id), "radios", form_words.open_blocker_label(blocker), choices=choices)
    return found if found.value else Field(**{**found.__dict__, "value": STILL})


def _summary(page: Page, errors: Mapping[str, str]) -> tuple[tuple[str, str | None], ...]:
    """Every error, in the order of the fields on the page, each linking to its field."""
    shown = [f for g in (*page.schemes, *page.services) for f in g.fields]
    shown += [*page.questions, *page.open_blockers, *page.notes]
    found: list[tuple[str, str | None]] = [(f.error, f"#{f.id}") for f in shown if f.error]
    keys = {f.key for f in shown}
    found += [(message, None) for key, message in errors.items() if key not in keys]
    return tuple(found)


# after it is sent


@dataclass(frozen=True)
class Stored:
    """The confirmation: what was stored, in the platforms' words."""

    headline: Markup
    notes: tuple[str, ...]
    warning: str | None
    schemes: tuple[tuple[str, str, str | None], ...]  # (name, figures, correction)
    services: tuple[tuple[str, tuple[str, ...]], ...]  # (level line, measure lines)
    footer: str
    capacity_heading: str = said.CAPACITY_HEADING


def stored_page(result: CheckinResult) -> Stored:
    notes = []
    if result.questions_answered:
        notes.append(said.questions_answered_sentence(result.questions_answered))
    if result.nothing_to_reaffirm:
        notes.append(
            f"Nothing on record yet for {', '.join(result.nothing_to_reaffirm)}: amend the check-in to give figures."
        )
    return Stored(
        headline=Markup(said.headline(result, lambda name: str(Markup("<strong>%s</strong>") % name))),
        notes=tuple(notes),
        warning=said.redaction_sentence(result.redactions) if result.redactions else None,
        schemes=tuple(_scheme_line(s) for s in result.schemes),
        services=tuple(_service_line(s) for s in result.services),
        footer=f"{result.programme_name} · {result.local_date:%a %-d %b %Y}",
    )


def _scheme_line(scheme: ReportedScheme) -> tuple[str, str, str | None]:
    figures = scheme.figures
    text = f"Spent {amount_text(figures.actual)} · committed {amount_text(figures.committed)} · {said.activity_words(scheme)}"
    return scheme.name, text, scheme.correction_reason


def _service_line(service: ReportedService) -> tuple[str, tuple[str, ...]]:
    return (
        f"{service.label}: {level_label(service.level)}",
        tuple(f"{m.label}: {value_text(m.value, m.unit)}" for m in service.measures),
    )
