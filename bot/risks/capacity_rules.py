"""The capacity rules, pure: services at or above the alert level, services worsening, and
discharges rising while community capacity is pressed. Each takes readings
(bot.risks.readings) and returns findings; the definitions are in bot.risks.scan.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from bot.common.calendar import add_working_days, silent_working_days
from bot.common.capacity import HIGHEST, level_wording
from bot.common.measures import DISCHARGES, measure_value
from bot.risks.register import Finding
from bot.risks.terms import Pair, Report, RuleSettings, by_name, day_words, service_finding, service_words
from models.tables import Organisation
from models.vocabulary import Service, Severity

CAPACITY = "capacity"
CAPACITY_WORSENING = "capacity_worsening"
DISCHARGES_OUTPACING = "discharges_outpacing"
COMMUNITY_SERVICES = frozenset({Service.GP.value, Service.HOME_CARE.value, Service.COMMUNITY_NURSING.value})


def at_alert(recent: dict[Pair, Report], settings: RuleSettings) -> dict[Pair, Report]:
    """The services whose recent level is at or above the alert level."""
    return {pair: r for pair, r in recent.items() if r.level >= settings.capacity_alert_level}


def below_alert(recent: dict[Pair, Report], settings: RuleSettings) -> dict[Pair, Report]:
    """The services whose recent level is below the alert level: those that may be worsening."""
    return {pair: r for pair, r in recent.items() if r.level < settings.capacity_alert_level}


def capacity_findings(
    alerting: dict[Pair, Report], run_starts: dict[Pair, date], live: dict[int, Organisation]
) -> list[Finding]:
    """A risk for each service at or above the alert level, naming the day its run began."""
    out = []
    for pair in by_name(alerting, live):
        report, organisation = alerting[pair], live[pair[0]]
        words = service_words(report.service)
        out.append(
            service_finding(
                CAPACITY,
                organisation,
                report.service,
                f"{organisation.name}: {words} at level {report.level}",
                f"Level {report.level}: {level_wording(report.level)}. {organisation.name} has reported "
                f"{words} at level {report.level} since {day_words(run_starts[pair])}.",
                Severity.CRITICAL if report.level >= HIGHEST else Severity.HIGH,
            )
        )
    return out


def worsening_findings(
    candidates: dict[Pair, Report], earlier: dict[Pair, Report], live: dict[int, Organisation], settings: RuleSettings
) -> list[Finding]:
    """A risk for each service below the alert level that is at least one level above where it
    stood W working days before (`earlier`)."""
    out = []
    for pair in by_name(candidates, live):
        now, before = candidates[pair], earlier.get(pair)
        if before is None or now.level < before.level + 1:
            continue
        organisation, words = live[pair[0]], service_words(now.service)
        out.append(
            service_finding(
                CAPACITY_WORSENING,
                organisation,
                now.service,
                f"{organisation.name}: {words} worsening, level {before.level} to {now.level}",
                f"{organisation.name} reports {words} at level {now.level} ({level_wording(now.level)}), "
                f"up from level {before.level} within {settings.worsening_over_working_days} working days. "
                f"Level {settings.capacity_alert_level} raises a capacity risk.",
                Severity.MEDIUM,
            )
        )
    return out


def pressed_services(recent: dict[Pair, Report], settings: RuleSettings, live: dict[int, Organisation]) -> list[Report]:
    """The community services (GP, home care, community nursing) at or above the alert level."""
    pressed = {pair: r for pair, r in at_alert(recent, settings).items() if r.service in COMMUNITY_SERVICES}
    return [pressed[pair] for pair in by_name(pressed, live)]


def discharge_days_from(today: date, settings: RuleSettings) -> date:
    """The first day whose discharges the rule compares."""
    n, d = settings.silent_after_working_days, settings.discharges_rising_over_working_days
    return add_working_days(today, -(n + d + 1))


def discharge_findings(
    subject: str,
    today: date,
    start: date,
    settings: RuleSettings,
    live: dict[int, Organisation],
    pressed: list[Report],
    daily: dict[Pair, dict[date, Report]],
) -> list[Finding]:
    """The programme's discharges on the latest recent day with a figure, against the day D
    working days before it, while community capacity is pressed."""
    if not pressed:
        return []
    totals: dict[date, Decimal] = defaultdict(Decimal)
    for (organisation_id, _), days in daily.items():
        if organisation_id not in live:
            continue
        for day, report in days.items():
            figure = measure_value(report.measures, DISCHARGES)
            if figure is not None:
                totals[day] += figure
    recent_days = [day for day in totals if silent_working_days(day, start, today) < settings.silent_after_working_days]
    if not recent_days:
        return []
    latest_day = max(recent_days)
    earlier_day = add_working_days(latest_day, -settings.discharges_rising_over_working_days)
    if earlier_day not in totals or totals[latest_day] <= totals[earlier_day]:
        return []
    services = "; ".join(
        f"{live[r.organisation_id].name} ({service_words(r.service)}, level {r.level})" for r in pressed
    )
    return [
        Finding(
            rule=DISCHARGES_OUTPACING,
            subject=subject,
            title="Discharges outpacing community capacity",
            detail=(
                f"Discharges reported across the programme rose from {totals[earlier_day]:f} on "
                f"{day_words(earlier_day)} to {totals[latest_day]:f} on {day_words(latest_day)}, while community "
                f"capacity is at level {settings.capacity_alert_level} or above: {services}."
            ),
            severity=Severity.HIGH,
            owner_organisation_id=None,
        )
    ]
