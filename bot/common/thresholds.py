"""The programme file's thresholds, as the loader keeps them in `Programme.settings["thresholds"]`.

Each reader names the thresholds it uses, with their defaults, as a frozen dataclass of ints
(the risk rules' `RuleSettings`, for one); `thresholds_of` fills it from a programme's settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

Thresholds = TypeVar("Thresholds", bound="DataclassInstance")


def thresholds_of(kind: type[Thresholds], settings: Mapping[str, Any] | None) -> Thresholds:
    """`kind` filled from a programme's settings; a missing or empty value takes the default."""
    given = (settings or {}).get("thresholds") or {}
    defaults = kind()
    values = {
        field.name: int(given[field.name]) if given.get(field.name) is not None else getattr(defaults, field.name)
        for field in fields(kind)
    }
    return kind(**values)
