"""What changed about a risk in a window of time, in words the brief can say. Pure.

A risk's history is its RiskEvents (models.tables): "raised" by a rule, "updated" by the risk
scan (bot.risks.register: the note lists what changed, e.g. "severity low → medium; detail
changed"), or acted on by a lead (bot.risks.changes: acknowledged, mitigated, closed, reopened,
assigned, with the member who did it). The scan rewrites a risk's title and detail whenever its
figures move, which is every day for most risks: that is not news, so an update says something
only when the severity moved, and only by its net change over the window (low → medium → low
says nothing).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from models.vocabulary import Severity

RAISED = "raised"
UPDATED = "updated"
ASSIGNED = "assigned"
_SEVERITIES = [s.value for s in Severity]  # low .. critical
_SEVERITY = re.compile(r"\bseverity (\w+) → (\w+)")


@dataclass(frozen=True)
class Event:
    """One RiskEvent as the brief reads it."""

    action: str
    note: str | None = None
    by: str | None = None  # who acted, "Helen Price (NHS Vale ICB)"; None for a rule


@dataclass(frozen=True)
class Moves:
    """What a risk's events in the window amount to."""

    new: bool  # raised in the window
    severity: tuple[str, str] | None  # (from, to): the net change, None when it ended where it began
    said: tuple[str, ...]  # what changed, in words, the severity first, then the leads' actions in order

    @property
    def worth_saying(self) -> bool:
        return self.new or bool(self.said)

    def became(self, severity: Severity) -> bool:
        """Whether the risk was raised at, or moved to, `severity` in the window (its severity now
        is `severity` too: the caller checks that)."""
        return self.new or (self.severity is not None and self.severity[1] == severity.value)


def severity_change(note: str | None) -> tuple[str, str] | None:
    """(from, to) from an "updated" event's note, or None when the severity did not move."""
    match = _SEVERITY.search(note or "")
    return (match[1], match[2]) if match else None


def moves(events: Sequence[Event], owner: str | None, level: tuple[int, int] | None = None) -> Moves:
    """The events of one risk in the window, oldest first; `owner` is its owner now (the last
    "assigned" named them). `level`: for a risk about a service's capacity level, the level's
    change on the day: said instead of the severity's when both went the same way, and for a new
    risk when the level rose."""
    severities = [change for e in events if e.action == UPDATED and (change := severity_change(e.note))]
    net = (severities[0][0], severities[-1][1]) if severities else None
    if net is not None and net[0] == net[1]:
        net = None
    new = any(e.action == RAISED for e in events)
    said: list[str] = []
    if new and level is not None and level[1] > level[0]:
        said.append(f"level {level[0]} → {level[1]}")  # what raised it
    elif net and not new:
        said.append(_severity_words(net, level))
    for e in events:
        phrase = _acted(e, owner)
        if phrase and phrase not in said:
            said.append(phrase)
    return Moves(new, net, tuple(said))


def _severity_words(net: tuple[str, str], level: tuple[int, int] | None) -> str:
    rose = _rank(net[1]) > _rank(net[0])
    if level is not None and level[0] != level[1] and (level[1] > level[0]) == rose:
        return f"level {level[0]} → {level[1]}"
    return f"severity {net[0]} → {net[1]}"


def _rank(severity: str) -> int:
    return _SEVERITIES.index(severity) if severity in _SEVERITIES else -1


def _acted(event: Event, owner: str | None) -> str | None:
    """A lead's action in words; None for what a rule did (raised, updated)."""
    if event.action in (RAISED, UPDATED):
        return None
    if event.action == ASSIGNED:
        return f"assigned to {owner or 'nobody'}"
    return f"{event.action} by {event.by}" if event.by else event.action
