"""Confidential pressure reporting: whose levels and words a viewer may see by name.

GP practices asked to declare pressure often do not, for fear of sanctions; more than half
declared red or amber once it was confidential. So the programme file may mark an organisation
(`confidential: true`) or some of its services (`confidential: [gp]`) confidential, kept in
Programme.settings["confidential"] as {organisation key: "all" | [service, ...]}.

The rule, in one place:
- A confidential service's capacity level and measures, and the blockers and comments of an
  organisation with anything confidential, are shown by name only to the leads and admins and to
  the organisation's own members.
- Everyone else (partners of other organisations, observers, strangers, the programme channel that
  the weekly digest goes to) sees them only in aggregate, per service: how many confidential
  organisations report it and, when at least MIN_GROUP of them do, how many stand at PRESSED or
  above; with fewer, no level at all (one practice's "1 of 1" would be its level).
- Their words are left out of what everyone sees; text that names them (a risk's title) names
  "a confidential organisation" instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from bot.common.labels import service_label
from bot.common.wording import plural
from models.tables import Programme
from models.vocabulary import Role

ALL = "all"  # the whole organisation, as the settings keep it
MIN_GROUP = 3  # fewer confidential organisations than this in a service: no level is said
PRESSED = 3  # "at level 3 or above": major pressures (OPEL wording)
IN_CONFIDENCE = "a confidential organisation"
LEADS = frozenset({Role.ADMIN, Role.LEAD})


@dataclass(frozen=True)
class Confidentiality:
    """Which organisations (by key) and services of a programme are confidential."""

    whole: frozenset[str] = frozenset()
    services: Mapping[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, programme: Programme | None) -> Confidentiality:
        settings = (programme.settings or {}).get("confidential") if programme is not None else None
        whole, services = set(), {}
        for key, value in (settings or {}).items():
            if value == ALL:
                whole.add(key)
            elif isinstance(value, list) and value:
                services[key] = frozenset(str(service) for service in value)
        return cls(frozenset(whole), services)

    def level(self, organisation_key: str, service: str) -> bool:
        """Is this organisation's level (and measures) of `service` confidential?"""
        return organisation_key in self.whole or service in self.services.get(organisation_key, ())

    def words(self, organisation_key: str) -> bool:
        """Are this organisation's blockers and comments confidential? Yes when anything of it is:
        its words may be about the confidential service."""
        return organisation_key in self.whole or bool(self.services.get(organisation_key))

    def __bool__(self) -> bool:
        return bool(self.whole or self.services)


@dataclass(frozen=True)
class Audience:
    """Who is looking: a role and their organisation; no role is a stranger or a channel."""

    role: Role | None = None
    organisation_id: int | None = None

    @property
    def is_lead(self) -> bool:
        return self.role in LEADS

    def sees(self, organisation_id: int | None) -> bool:
        """May this audience see a confidential organisation's level and words by name?"""
        return self.is_lead or (organisation_id is not None and organisation_id == self.organisation_id)


CHANNEL = Audience()  # the programme channel (the weekly digest): everyone, so the rule's strictest


@dataclass(frozen=True)
class Aggregate:
    """One service's confidential organisations, hidden from a viewer, as a count."""

    service: str
    organisations: int  # confidential organisations running the service, hidden from the viewer
    reporting: int  # of those, how many have a level
    pressed: int | None  # how many at PRESSED or above; None: fewer than MIN_GROUP report

    @property
    def label(self) -> str:
        return service_label(self.service)


def aggregate(service: str, levels: Iterable[int | None]) -> Aggregate:
    """The count said of `levels` (one per hidden organisation; None: never reported)."""
    given = list(levels)
    reported = [level for level in given if level is not None]
    pressed = sum(1 for level in reported if level >= PRESSED) if len(reported) >= MIN_GROUP else None
    return Aggregate(service, len(given), len(reported), pressed)


def aggregate_sentence(a: Aggregate) -> str:
    """ "General practice: 2 of 5 confidential organisations at level 3 or above", or, with too few
    to say a level without giving one away, "General practice: 1 confidential organisation reporting,
    level not shown"."""
    if a.pressed is None:
        return f"{a.label}: {plural(a.reporting, 'confidential organisation')} reporting, level not shown"
    return f"{a.label}: {a.pressed} of {plural(a.reporting, 'confidential organisation')} at level {PRESSED} or above"


def scrub(text: str, names: Iterable[str]) -> str:
    """`text` with each of `names` replaced by IN_CONFIDENCE (longest first, so a name inside
    another is not left half-replaced)."""
    for name in sorted({n for n in names if n}, key=len, reverse=True):
        text = text.replace(name, IN_CONFIDENCE)
    if text.startswith(IN_CONFIDENCE):
        text = IN_CONFIDENCE[:1].upper() + text[1:]
    return text
