"""Capacity levels 1-4 per service, worded like the NHS OPEL levels. There is no level 5."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Level:
    number: int
    wording: str
    label: str  # for a select option: at most 75 characters, as Slack requires


LEVELS: tuple[Level, ...] = (
    Level(1, "Able to maintain flow and meet expected demand", "1 · Able to maintain flow and meet expected demand"),
    Level(2, "Showing signs of pressure", "2 · Showing signs of pressure"),
    Level(3, "Major pressures compromising flow", "3 · Major pressures compromising flow"),
    Level(
        4,
        "Pressure continues to escalate; unable to deliver comprehensive care; safety may be at risk",
        "4 · Escalating: cannot deliver comprehensive care; safety may be at risk",
    ),
)
BY_NUMBER = {level.number: level for level in LEVELS}
LOWEST, HIGHEST = LEVELS[0].number, LEVELS[-1].number


def level(n: int) -> Level:
    try:
        return BY_NUMBER[n]
    except KeyError:
        raise ValueError(f"capacity levels run from {LOWEST} to {HIGHEST}, not {n}") from None


def level_label(n: int) -> str:
    return level(n).label


def level_wording(n: int) -> str:
    return level(n).wording


def parse_level(text: str | None) -> int | None:
    """The level a person chose, or None for anything that is not 1-4."""
    cleaned = (text or "").strip()
    return int(cleaned) if cleaned in {str(n) for n in BY_NUMBER} else None
