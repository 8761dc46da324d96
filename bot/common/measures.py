"""Optional numbers a service gives at check-in beside its capacity level.

The programme file's `measures:` section defines them per service; the loader keeps them in
`Programme.settings["measures"]` as {service: [{"key", "label", "unit"}]}. A day's values
live in `CapacityReport.measures` as text of a Decimal with at most two places
({"hours_not_delivered": "12.5"}): JSON has no exact decimal, and a float would not round-trip.
Platform-neutral.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from bot.common.money import format_quantity

DISCHARGES = "discharges"  # the measure the "discharges rising" risk rule reads
PLACES = Decimal("0.01")


@dataclass(frozen=True)
class Measure:
    service: str
    key: str
    label: str
    unit: str | None = None

    @property
    def question(self) -> str:
        """The label with its unit, as a form asks it: "Care hours not delivered (hours)"."""
        return f"{self.label} ({self.unit})" if self.unit else self.label


def measures_for(settings: Mapping[str, Any] | None, service: str) -> tuple[Measure, ...]:
    """The measures the programme defines for a service, in file order (none: an empty tuple)."""
    defined = ((settings or {}).get("measures") or {}).get(service) or []
    return tuple(
        Measure(service=service, key=str(item["key"]), label=str(item["label"]), unit=item.get("unit") or None)
        for item in defined
        if isinstance(item, Mapping) and item.get("key") and item.get("label")
    )


def stored_value(value: Decimal) -> str:
    """A value as CapacityReport.measures keeps it: 12.5, 1200, 0 (never an exponent)."""
    return f"{value.quantize(PLACES).normalize():f}"


def measure_value(measures: Mapping[str, Any] | None, key: str) -> Decimal | None:
    """A stored value as a Decimal; None when it was not reported (or is not a number)."""
    value = (measures or {}).get(key)
    if value is None or isinstance(value, bool) or str(value).strip() == "":
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def value_text(value: Decimal, unit: str | None = None) -> str:
    """1,250 hours, 85%, 3: a value as people read it."""
    shown = format_quantity(value)
    if not unit:
        return shown
    return f"{shown}{unit}" if unit == "%" else f"{shown} {unit}"
