"""What the risk rules are made of: the programme's thresholds, the capacity reports they read,
and the words they share (a rule returns bot.risks.register's `Finding`s). Pure: no database here.

The definitions of each rule are in bot.risks.scan, which reads and runs them all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.common.calendar import silent_working_days
from bot.common.labels import service_label
from bot.common.thresholds import thresholds_of
from bot.risks.register import Finding
from models.tables import Organisation, Programme
from models.vocabulary import Severity

Pair = tuple[int, str]  # (organisation id, service)


@dataclass(frozen=True)
class RuleSettings:
    capacity_alert_level: int = 3
    silent_after_working_days: int = 3
    worsening_over_working_days: int = 3
    discharges_rising_over_working_days: int = 3
    underspend_risk_percent: int = 90
    blocker_unanswered_working_days: int = 3

    @classmethod
    def of(cls, programme: Programme) -> RuleSettings:
        """The programme's thresholds; a missing or empty value takes the default."""
        return thresholds_of(cls, programme.settings)


@dataclass(frozen=True)
class Report:
    """A service's capacity report as the rules read it: the newest of its day."""

    organisation_id: int
    service: str
    local_date: date
    level: int
    measures: dict[str, Any]


def recent_reports(latest: dict[Pair, Report], start: date, today: date, settings: RuleSettings) -> dict[Pair, Report]:
    """The latest reports of the services not silent: a report is recent while its service is not."""
    return {
        pair: report
        for pair, report in latest.items()
        if silent_working_days(report.local_date, start, today) < settings.silent_after_working_days
    }


def by_name(pairs: Iterable[Pair], live: dict[int, Organisation]) -> list[Pair]:
    """The pairs in the order findings are listed: by organisation name, then service."""
    return sorted(pairs, key=lambda pair: (live[pair[0]].name, pair[1]))


def service_finding(
    rule: str, organisation: Organisation, service: str, title: str, detail: str, severity: Severity
) -> Finding:
    """A finding about one organisation's service: its subject is "org-key:service", the
    organisation owns it."""
    return Finding(rule, f"{organisation.key}:{service}", title, detail, severity, organisation.id)


def service_words(service: str) -> str:
    """A service's label to go inside a sentence: "home care"."""
    label = service_label(service)
    return label[:1].lower() + label[1:]


def day_words(day: date) -> str:
    """ "Mon 7 Dec 2026"."""
    return f"{day:%a} {day.day} {day:%b %Y}"


def since_words(last: date | None, start: date) -> str:
    """Since when nothing was heard: the last day heard from, or the programme's start."""
    return f"since {day_words(last)}" if last else f"since the programme started on {day_words(start)}"
