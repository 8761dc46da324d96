"""The risk rules: what the bot raises in the register on its own, as of a working day.

Platform-neutral: `findings` reads the programme (bot.risks.readings) and runs the pure rules
(bot.risks.capacity_rules, silence_rules, spend_rules) for plain `Finding`s; `scan` raises each
through `bot.risks.register.raise_risks` (one open risk per programme, rule and subject: raising again updates
it, and an escalation is reported only when the severity rises). Rules never close a risk:
when a condition clears, the risk stays as it is until a lead closes it.

Definitions (the README repeats them for users). N, W and D are the programme's thresholds
(`Programme.settings["thresholds"]`, defaults below when absent):
- A service's *level* on a day is its organisation's latest capacity report for that service
  dated on or before the day (by local date, then reported_at, then id: an amended check-in's
  newer row of the same day wins).
- A report is *recent* while the service is not silent (below).
- *Silent*: working days counted from the day after the last report (never reported: from
  the programme's start, the earliest available date of its live tranches) to yesterday;
  today does not count while it lasts. N or more is silent.
- Rules:
  1. `capacity` (subject "org-key:service"): the recent level is at or above
     `capacity_alert_level` (3): high at the alert level and above, critical at level 4.
     Owner: the organisation. The detail names the day the run at that level began, so the
     same level answered again the next day changes nothing.
  2. `capacity_worsening` (org-key:service, medium): the recent level is at least one above
     the level as of the working day W working days before today, and below the alert level.
  3. `silent_service` (org-key:service): a live organisation's listed service, silent.
     Medium for a community organisation, low for a statutory one (STATUTORY_KINDS).
  4. `silent_partner` ("member:ID"): a live partner (in a live organisation) without a
     check-in, counted the same way. Away (`away_until` after today) is never silent; a
     member back from leave is counted from `away_until` when that is later. Severity as 3.
  5. `discharges_outpacing` (programme slug, high, no owner): the programme's total of the
     `discharges` measure (each organisation's newest report of a service on a day; summed
     over services and organisations) on the latest recent day with a figure is higher than
     on the day D working days before it, while a GP, home care or community nursing service
     is at or above the alert level (recent level, live organisation).
  6. Spend flags (bot.spend.flags): `activity_behind_plan` for a staff_wte scheme becomes
     `recruitment_behind_plan` (medium), otherwise `activity_behind_plan` (low);
     `underspend_risk` (high, programme, no owner); `overcommitted` (high for the programme,
     no owner; medium for a scheme); `silent_scheme` (low). A scheme's risk is owned by the
     scheme's owner organisation and its subject is the scheme key.
- Nothing on a day that is not a working day, or after the deadline.

A fixed handful of queries whatever the size of the programme or the length of the winter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from bot.checkin.window import asked_from
from bot.common.calendar import add_working_days, is_working_day, local_date
from bot.risks.blocker_rules import blocker_findings
from bot.risks.capacity_rules import (
    at_alert,
    below_alert,
    capacity_findings,
    discharge_days_from,
    discharge_findings,
    pressed_services,
    worsening_findings,
)
from bot.risks.readings import (
    daily_reports,
    earlier_levels,
    first_needed,
    last_checkins,
    last_reported,
    levels_as_of,
    live_organisations,
    live_partners,
    run_starts,
    scheme_owners,
    unanswered_blockers,
)
from bot.risks.register import Finding, RaisedRisk, raise_risks
from bot.risks.silence_rules import silent_partner_findings, silent_service_findings
from bot.risks.spend_rules import spend_findings
from bot.risks.terms import Pair, Report, RuleSettings, recent_reports
from bot.spend.ledger import spend_position
from models.tables import Organisation, Programme, row_id
from models.vocabulary import Severity


@dataclass(frozen=True)
class ScanResult:
    """What a scan did: counts by outcome, and each risk raised as (risk_id, escalated, severity)."""

    programme_slug: str
    local_date: date
    new: int
    updated: int
    unchanged: int
    raised: tuple[tuple[int, bool, Severity], ...]
    outcomes: tuple[tuple[Finding, RaisedRisk], ...]

    @property
    def escalated(self) -> tuple[int, ...]:
        return tuple(risk_id for risk_id, escalated, _ in self.raised if escalated)


def findings(session: Session, programme: Programme, today: date) -> list[Finding]:
    """Every rule's findings for the programme as of `today`, its local date."""
    if not is_working_day(today) or today > programme.deadline:
        return []
    programme_id = row_id(programme)
    settings = RuleSettings.of(programme)
    start = asked_from(session, programme)
    live = live_organisations(session, programme_id)
    window = first_needed(today, settings)
    latest = {pair: r for pair, r in levels_as_of(session, programme_id, today, window).items() if pair[0] in live}
    listed = {(oid, service) for oid, o in live.items() for service in o.services or []}
    heard = {pair: r.local_date for pair, r in latest.items()} | last_reported(
        session, programme_id, listed - latest.keys()
    )
    recent = recent_reports(latest, start, today, settings)
    alerting = at_alert(recent, settings)
    candidates = below_alert(recent, settings)
    earlier_day = add_working_days(today, -settings.worsening_over_working_days)
    partners = live_partners(session, programme_id)
    out = [
        *capacity_findings(alerting, run_starts(session, programme_id, alerting), live),
        *worsening_findings(
            candidates, earlier_levels(session, programme_id, earlier_day, window, set(candidates)), live, settings
        ),
        *silent_service_findings(today, start, settings, live, heard),
        *silent_partner_findings(today, start, settings, live, partners, last_checkins(session, programme_id, today)),
        *_discharges(session, programme, today, start, settings, live, recent),
        *spend_findings(spend_position(session, programme, today), scheme_owners(session, programme_id)),
        *blocker_findings(today, settings, unanswered_blockers(session, programme_id)),
    ]
    return _unique(out)


def _discharges(
    session: Session,
    programme: Programme,
    today: date,
    start: date,
    settings: RuleSettings,
    live: dict[int, Organisation],
    recent: dict[Pair, Report],
) -> list[Finding]:
    """The discharges rule, reading the days it compares only while community capacity is pressed."""
    pressed = pressed_services(recent, settings, live)
    if not pressed:
        return []
    daily = daily_reports(session, row_id(programme), discharge_days_from(today, settings), today)
    return discharge_findings(programme.slug, today, start, settings, live, pressed, daily)


def _unique(found: list[Finding]) -> list[Finding]:
    """The first finding of each (rule, subject)."""
    seen: set[tuple[str, str]] = set()
    unique = []
    for finding in found:
        if (finding.rule, finding.subject) not in seen:
            seen.add((finding.rule, finding.subject))
            unique.append(finding)
    return unique


def scan(session: Session, programme: Programme, now: datetime) -> ScanResult:
    """Raise every finding for the programme's local today; idempotent at the same instant."""
    today = local_date(now, programme.timezone)
    found = findings(session, programme, today)
    outcomes = list(zip(found, raise_risks(session, row_id(programme), found, now), strict=False))
    count = lambda outcome: sum(1 for _, r in outcomes if r.outcome == outcome)  # noqa: E731
    return ScanResult(
        programme_slug=programme.slug,
        local_date=today,
        new=count("new"),
        updated=count("updated"),
        unchanged=count("unchanged"),
        raised=tuple((r.risk_id, r.escalated, r.severity) for _, r in outcomes),
        outcomes=tuple(outcomes),
    )
