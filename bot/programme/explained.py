"""Pydantic's errors as an admin would want them: what to write instead, in words."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from decimal import Decimal
from enum import StrEnum
from typing import Any, get_args

from pydantic import BaseModel, ValidationError

from bot.programme.fields import Path
from bot.programme.problems import Issue
from models.vocabulary import FundingSource, OrganisationKind, Role, SchemeType, Service, Severity, Unit

_ENUMS: dict[str, tuple[str, type[StrEnum]]] = {
    "kind": ("organisation kind", OrganisationKind),
    "role": ("role", Role),
    "source": ("funding source", FundingSource),
    "type": ("scheme type", SchemeType),
    "unit": ("unit", Unit),
    "services": ("service", Service),
    "escalate_from": ("severity", Severity),
}


def _model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel]:
    for part in loc:
        info = model.model_fields.get(part) if isinstance(part, str) else None
        # An optional section (`ReturnSpec | None`) names its model inside the union.
        for nested in (info.annotation, *get_args(info.annotation)) if info else ():
            if isinstance(nested, type) and issubclass(nested, BaseModel):
                model = nested
                break
    return model


def shown_input(value: Any) -> str:
    return repr(value) if isinstance(value, (str, int, Decimal)) else type(value).__name__


def _explain(error: Mapping[str, Any], model: type[BaseModel]) -> str:
    kind, loc, value = error["type"], tuple(error["loc"]), error.get("input")
    name = next((str(p) for p in reversed(loc) if isinstance(p, str)), "")
    if kind == "missing":
        return f"`{name}` is missing"
    if kind == "extra_forbidden":
        allowed = list(_model_at(model, loc[:-1]).model_fields)
        close = difflib.get_close_matches(name, allowed, n=1)
        guess = f": did you mean `{close[0]}`?" if close else ""
        return f"unknown field `{name}`{guess} (the fields here are: {', '.join(allowed)})"
    if kind == "enum" and name in _ENUMS:
        noun, enum = _ENUMS[name]
        values = [member.value for member in enum]
        close = difflib.get_close_matches(str(value), values, n=1)
        guess = f" (did you mean {close[0]}?)" if close else ""
        return f"unknown {noun} {value!r}{guess}: use one of {', '.join(values)}"
    if kind == "value_error":
        return str(error["ctx"]["error"])
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"should be a mapping of `field: value` lines, not {shown_input(value)}"
    if kind == "list_type":
        return f"should be a list, one item per line starting with '- ', not {shown_input(value)}"
    if kind == "too_short":
        return "needs at least one item"
    if kind == "string_too_long" and isinstance(value, str):
        return f"is too long: keep it to {error['ctx']['max_length']} characters (it has {len(value)})"
    if kind == "string_too_short":
        return "is empty: write something here"
    if kind == "string_type":
        return f"should be text, not {shown_input(value)}"
    if kind.startswith("int_"):
        return f"should be a whole number, not {shown_input(value)}"
    message = str(error["msg"])
    return message[:1].lower() + message[1:] + (f" (got {shown_input(value)})" if value is not None else "")


def validation_issues(error: ValidationError, model: type[BaseModel], prefix: Path) -> list[Issue]:
    issues = []
    for e in error.errors(include_url=False):
        loc = tuple(p for p in e["loc"] if isinstance(p, (str, int)))
        if e["type"] == "invalid_key":
            # A stray non-text key is most often a number split at its commas in a { ... } item.
            issues.append(Issue(prefix + loc[:-1], _STRAY_KEY))
        else:
            issues.append(Issue(prefix + loc, _explain(e, model)))
    return issues


_STRAY_KEY = (
    "a number stands where a field name should be: in a one-line { ... } item a comma separates "
    'fields, so quote values that contain commas, like amount: "£1,234,567"'
)
