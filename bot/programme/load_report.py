"""What loading a programme file did, kind by kind: created, updated (and which fields), archived,
restored; and the lines an admin reads after `winterbot load`."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from bot.common.money import format_money
from bot.programme.problems import Problem

SHOWN = 5  # names listed per kind; the rest are counted

# Column names as the file spells them, for the report.
FILE_NAMES = {
    "funding_source": "source",
    "announced_on": "announced",
    "available_on": "available",
    "owner_organisation_id": "owner",
    "organisation_id": "organisation",
    "scheme_type": "type",
    "checkin_time": "cadence.checkin",
    "reminder_time": "cadence.reminder",
    "brief_time": "cadence.brief",
    "digest_weekday": "cadence.digest",
    "digest_time": "cadence.digest",
    "platform": "reached on",  # a member found by email at last, or no longer
    "platform_user_id": "reached on",
}


@dataclass
class KindReport:
    """What happened to one kind of row. Labels are keys (or "name (user id)" for members)."""

    created: list[str] = field(default_factory=list)
    updated: dict[str, list[str]] = field(default_factory=dict)
    restored: list[str] = field(default_factory=list)
    archived: list[str] = field(default_factory=list)
    unchanged: int = 0
    not_in_file: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.restored or self.archived)

    def counts(self) -> dict[str, int]:
        return {
            "created": len(self.created),
            "updated": len(self.updated),
            "restored": len(self.restored),
            "archived": len(self.archived),
            "unchanged": self.unchanged,
            "not_in_file": self.not_in_file,
        }


@dataclass
class LoadReport:
    slug: str
    name: str
    source: str
    programme_created: bool
    programme_changes: list[str]
    kinds: dict[str, KindReport]
    prune: bool
    allocation: Decimal
    budgeted: Decimal
    warnings: list[Problem] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.programme_created or bool(self.programme_changes) or any(r.changed for r in self.kinds.values())

    def counts(self) -> dict[str, dict[str, int]]:
        return {kind: report.counts() for kind, report in self.kinds.items()}

    def lines(self) -> list[str]:
        """The report as the CLI prints it."""
        title = f"programme {self.slug} ({self.name})"
        if self.programme_created:
            head = f"Created {title} from {self.source}."
        elif not self.changed:
            head = f"No changes to {title}: the database already matches {self.source}."
        elif self.programme_changes:
            head = f"Updated {title} from {self.source}: changed {', '.join(self.programme_changes)}."
        else:
            head = f"Updated {title} from {self.source}."
        out = [head, *(_kind_line(kind, report) for kind, report in self.kinds.items())]
        unassigned = self.allocation - self.budgeted
        out.append(
            f"Money: {format_money(self.allocation, pence=True)} in tranches, "
            f"{format_money(self.budgeted, pence=True)} budgeted in schemes, "
            f"{format_money(unassigned, pence=True)} not yet assigned."
        )
        out += [f"Warning: {problem}" for problem in self.warnings]
        return out


def _names(labels: list[str]) -> str:
    shown = ", ".join(labels[:SHOWN])
    return shown + (f" and {len(labels) - SHOWN} more" if len(labels) > SHOWN else "")


def _kind_line(kind: str, report: KindReport) -> str:
    parts = []
    if report.created:
        parts.append(f"{len(report.created)} created")
    if report.updated:
        details = [f"{label}: {', '.join(fields)}" for label, fields in report.updated.items()]
        parts.append(f"{len(report.updated)} updated ({_names(details)})")
    if report.restored:
        parts.append(f"{len(report.restored)} restored ({_names(report.restored)})")
    if report.archived:
        parts.append(f"{len(report.archived)} archived ({_names(report.archived)})")
    if report.unchanged:
        parts.append(f"{report.unchanged} unchanged")
    if report.not_in_file:
        parts.append(f"{report.not_in_file} not in the file, left as they were (--prune archives them)")
    return f"  {kind}: {', '.join(parts) or 'none'}"
