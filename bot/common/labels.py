"""The labels people read for the stored vocabulary values (models.vocabulary): services,
funding sources, units and scheme types, for every report, card and export."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import Enum
from typing import TypeVar

from models.vocabulary import (
    FUNDING_SOURCE_LABELS,
    SCHEME_TYPE_LABELS,
    SERVICE_LABELS,
    UNIT_LABELS,
    FundingSource,
    SchemeType,
    Service,
    Unit,
)

E = TypeVar("E", bound=Enum)


def vocabulary_label(
    labels: Mapping[E, str], vocabulary: type[E], value: str, unknown: Callable[[str], str] = str
) -> str:
    """The label of a stored vocabulary value; a value the vocabulary does not know, as
    `unknown` says it (as it is, by default)."""
    try:
        return labels[vocabulary(value)]
    except ValueError:
        return unknown(value)


def service_label(service: str) -> str:
    return vocabulary_label(SERVICE_LABELS, Service, service, lambda s: s.replace("_", " ").capitalize())


def source_label(source: str) -> str:
    return vocabulary_label(FUNDING_SOURCE_LABELS, FundingSource, source)


def unit_label(unit: str) -> str:
    return vocabulary_label(UNIT_LABELS, Unit, unit)


def scheme_type_label(value: str) -> str:
    return vocabulary_label(SCHEME_TYPE_LABELS, SchemeType, value)
