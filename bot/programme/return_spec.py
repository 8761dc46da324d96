"""The programme file's `fortnightly_return:` setting: when the return's periods end, and which
check-in measures feed its activity lines.

The loader keeps it in `Programme.settings["fortnightly_return"]` as
{"first_period_end": "2026-12-13", "every_days": 14, "lines": {line: ["service.measure_key", ...]}};
bot.spend.return_calendar reads it back. Regions lay the return out differently, so the lines
are fed by whichever measures an area asks at check-in, one or more each (summed).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from bot.programme.fields import Day, as_word, measure_key
from models.vocabulary import Service

# The activity lines of the return, in its order, with the words the files use.
RETURN_LINES: dict[str, str] = {
    "discharges_pathway_0": "Discharges, pathway 0 (home, no new support)",
    "discharges_pathway_1": "Discharges, pathway 1 (home with new or restarted support)",
    "discharges_pathway_2": "Discharges, pathway 2 (short-term community bed)",
    "discharges_pathway_3": "Discharges, pathway 3 (care home placement)",
    "packages_booked": "Packages of care booked",
}
MAX_PERIOD_DAYS = 31


def _measure_ref(value: Any) -> str:
    """'acute_discharge.discharges_p0': a service and one of its measure keys."""
    hint = "write the service and its measure key joined by a dot, like acute_discharge.discharges_p0"
    if not isinstance(value, str) or value.count(".") != 1:
        raise ValueError(f"{value!r} is not a check-in measure: {hint}")
    service, key = (part.strip() for part in value.split("."))
    try:
        named = Service(as_word(service))
    except ValueError:
        services = ", ".join(s.value for s in Service)
        raise ValueError(f"unknown service {service!r} in {value!r}: use one of {services}") from None
    return f"{named.value}.{measure_key(key)}"


def _one_or_more(value: Any) -> Any:
    """One measure may be written without the list brackets."""
    return [value] if isinstance(value, str) else value


MeasureRef = Annotated[str, AfterValidator(_measure_ref)]
Feeds = Annotated[list[MeasureRef], BeforeValidator(_one_or_more)]


class ReturnLines(BaseModel):
    """Which measures feed each activity line; a line with none stays blank in the return."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    discharges_pathway_0: Feeds = Field(default_factory=list)
    discharges_pathway_1: Feeds = Field(default_factory=list)
    discharges_pathway_2: Feeds = Field(default_factory=list)
    discharges_pathway_3: Feeds = Field(default_factory=list)
    packages_booked: Feeds = Field(default_factory=list)

    def fed(self) -> dict[str, list[str]]:
        return {line: list(getattr(self, line)) for line in RETURN_LINES}


class ReturnSpec(BaseModel):
    """Periods of `every_days` days, the first ending on `first_period_end`, then one every
    `every_days` until the one that holds the deadline."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    first_period_end: Day
    every_days: int = Field(14, ge=1, le=MAX_PERIOD_DAYS)
    lines: ReturnLines = Field(default_factory=ReturnLines)
