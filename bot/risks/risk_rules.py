"""The risk rules: what the bot raises in the register on its own, as of a working day.

Platform-neutral: `findings` returns plain `Finding`s; `scan` raises each through
`bot.risks.risks.raise_risk` (one open risk per programme, rule and subject: raising again updates
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
  6. Spend flags (bot.spend.spend): `activity_behind_plan` for a staff_wte scheme becomes
     `recruitment_behind_plan` (medium), otherwise `activity_behind_plan` (low);
     `underspend_risk` (high, programme, no owner); `overcommitted` (high for the programme,
     no owner; medium for a scheme); `silent_scheme` (low). A scheme's risk is owned by the
     scheme's owner organisation and its subject is the scheme key.
- Nothing on a day that is not a working day, or after the deadline.

A fixed handful of queries whatever the size of the programme or the length of the winter.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from bot.checkin.form import service_label
from bot.checkin.levels import newest_levels
from bot.common.calendar import add_working_days, count_working_days, is_working_day, local_date, silent_working_days
from bot.common.capacity import HIGHEST, level_wording
from bot.risks.risks import RaisedRisk, raise_risks
from bot.spend.spend import Flag, SpendPosition, spend_position
from models.tables import CapacityReport, CheckIn, Member, Organisation, Programme, Scheme, Tranche, row_id
from models.vocabulary import STATUTORY_KINDS, OrganisationKind, Role, Service, Severity, Unit

CAPACITY = "capacity"
CAPACITY_WORSENING = "capacity_worsening"
SILENT_SERVICE = "silent_service"
SILENT_PARTNER = "silent_partner"
DISCHARGES_OUTPACING = "discharges_outpacing"
RECRUITMENT_BEHIND_PLAN = "recruitment_behind_plan"
ACTIVITY_BEHIND_PLAN = "activity_behind_plan"
UNDERSPEND_RISK = "underspend_risk"
OVERCOMMITTED = "overcommitted"
SILENT_SCHEME = "silent_scheme"

DISCHARGES = "discharges"
RUN_LOOKBACK_DAYS = 42  # calendar days the capacity rule reads first to find when a run began
COMMUNITY_SERVICES = frozenset({Service.GP.value, Service.HOME_CARE.value, Service.COMMUNITY_NURSING.value})


@dataclass(frozen=True)
class RuleSettings:
    capacity_alert_level: int = 3
    silent_after_working_days: int = 3
    worsening_over_working_days: int = 3
    discharges_rising_over_working_days: int = 3
    underspend_risk_percent: int = 90

    @classmethod
    def of(cls, programme: Programme) -> RuleSettings:
        """The programme's thresholds; a missing or empty value takes the default."""
        given = (programme.settings or {}).get("thresholds") or {}
        defaults = cls()
        values = {
            name: int(given[name]) if given.get(name) is not None else getattr(defaults, name)
            for name in cls.__dataclass_fields__
        }
        return cls(**values)


@dataclass(frozen=True)
class Finding:
    rule: str
    subject: str
    title: str
    detail: str
    severity: Severity
    owner_organisation_id: int | None


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


# --- reading the programme: a fixed handful of queries ----------------------------------------


@dataclass(frozen=True)
class _Report:
    organisation_id: int
    service: str
    local_date: date
    level: int
    measures: dict[str, Any]


def _latest_as_of(
    session: Session, programme_id: int, day: date, first: date | None = None, organisations: set[int] | None = None
) -> dict[tuple[int, str], _Report]:
    """Each (organisation, service)'s latest report dated on or before `day` (and on or after
    `first`, when given; of those organisations, when given): one query."""
    found = newest_levels(session, programme_id, day, first, organisations)
    return {key: _Report(key[0], key[1], day, level, {}) for key, (level, day) in found.items()}


def _last_reported(session: Session, programme_id: int, pairs: set[tuple[int, str]]) -> dict[tuple[int, str], date]:
    """The day of each pair's newest report, for the few not heard from in the window."""
    if not pairs:
        return {}
    rows = session.execute(
        sa_select(col(CapacityReport.organisation_id), col(CapacityReport.service), func.max(CapacityReport.local_date))
        .where(
            col(CapacityReport.programme_id) == programme_id,
            col(CapacityReport.organisation_id).in_({o for o, _ in pairs}),
        )
        .group_by(col(CapacityReport.organisation_id), col(CapacityReport.service))
    ).all()
    return {(o, s): day for o, s, day in rows if (o, s) in pairs}


def _window(today: date, settings: RuleSettings) -> date:
    """The first day the rules need reports from: a service not heard from since before it is
    silent, and every comparison the rules make is with a day after it."""
    n, w, d = (
        settings.silent_after_working_days,
        settings.worsening_over_working_days,
        settings.discharges_rising_over_working_days,
    )
    return add_working_days(today, -(max(n, w, n + d + 1) + 1))


def _daily(
    session: Session,
    programme_id: int,
    first: date | None,
    last: date,
    pairs: set[tuple[int, str]] | None = None,
    *,
    measures: bool = True,
) -> dict[tuple[int, str], dict[date, _Report]]:
    """The newest report of each (organisation, service) on each day from first (None: the
    beginning) to last: one query, read as plain rows."""
    columns = [
        col(CapacityReport.organisation_id),
        col(CapacityReport.service),
        col(CapacityReport.local_date),
        col(CapacityReport.level),
    ] + ([col(CapacityReport.measures)] if measures else [])
    query = (
        sa_select(*columns)
        .where(col(CapacityReport.programme_id) == programme_id, col(CapacityReport.local_date) <= last)
        .order_by(col(CapacityReport.reported_at), col(CapacityReport.id))
    )
    if first is not None:
        query = query.where(col(CapacityReport.local_date) >= first)
    if pairs is not None:
        query = query.where(
            col(CapacityReport.organisation_id).in_({o for o, _ in pairs}),
            col(CapacityReport.service).in_({s for _, s in pairs}),
        )
    out: dict[tuple[int, str], dict[date, _Report]] = defaultdict(dict)
    for row in session.execute(query):
        key = (row[0], row[1])
        if pairs is not None and key not in pairs:
            continue
        out[key][row[2]] = _Report(row[0], row[1], row[2], row[3], dict(row[4] or {}) if measures else {})
    return out


def _run_starts(
    session: Session, programme_id: int, at_alert: dict[tuple[int, str], _Report]
) -> dict[tuple[int, str], date]:
    """The first day of each service's unbroken run at its latest level. Read from the last
    RUN_LOOKBACK_DAYS first; only a run that reaches back past them reads that service's whole
    history, so the scan's cost follows the recent weeks, not the length of the winter."""
    if not at_alert:
        return {}
    newest = max(r.local_date for r in at_alert.values())
    recent = _daily(
        session, programme_id, newest - timedelta(days=RUN_LOOKBACK_DAYS), newest, set(at_alert), measures=False
    )
    starts: dict[tuple[int, str], date] = {}
    longer: set[tuple[int, str]] = set()
    for key, report in at_alert.items():
        since, broken = _run_start(recent.get(key, {}), report)
        if broken:
            starts[key] = since
        else:
            longer.add(key)
    if longer:
        whole = _daily(session, programme_id, None, newest, longer, measures=False)
        starts |= {key: _run_start(whole.get(key, {}), at_alert[key])[0] for key in longer}
    return starts


def _last_checkins(session: Session, programme_id: int, today: date) -> dict[int, date]:
    rows = session.exec(
        select(CheckIn.member_id, func.max(CheckIn.local_date))
        .where(CheckIn.programme_id == programme_id, col(CheckIn.local_date) <= today)
        .group_by(col(CheckIn.member_id))
    ).all()
    return dict(rows)


def _start(session: Session, programme: Programme) -> date:
    """The programme's start: the earliest available date of its live tranches (none: the day
    it was created)."""
    first = session.exec(
        select(func.min(Tranche.available_on)).where(
            Tranche.programme_id == programme.id, col(Tranche.archived_at).is_(None)
        )
    ).one()
    return first if first is not None else local_date(programme.created_at, programme.timezone)


# --- the rules --------------------------------------------------------------------------------


def findings(session: Session, programme: Programme, today: date) -> list[Finding]:
    """Every rule's findings for the programme as of `today`, its local date."""
    if not is_working_day(today) or today > programme.deadline:
        return []
    assert programme.id is not None
    settings = RuleSettings.of(programme)
    start = _start(session, programme)
    organisations = {
        row_id(o): o for o in session.exec(select(Organisation).where(Organisation.programme_id == programme.id))
    }
    live = {oid: o for oid, o in organisations.items() if o.archived_at is None}
    window = _window(today, settings)
    latest = {k: r for k, r in _latest_as_of(session, programme.id, today, window).items() if k[0] in live}
    listed = {(oid, service) for oid, o in live.items() for service in o.services or []}
    last_reported = {k: r.local_date for k, r in latest.items()} | _last_reported(
        session, programme.id, listed - latest.keys()
    )
    recent = {
        k: r
        for k, r in latest.items()
        if silent_working_days(r.local_date, start, today) < settings.silent_after_working_days
    }
    out = [
        *_capacity(session, programme, today, settings, live, recent),
        *_worsening(session, programme, today, settings, live, recent, window),
        *_silent_services(today, start, settings, live, last_reported),
        *_silent_partners(session, programme, today, start, settings, live),
        *_discharges(session, programme, today, start, settings, live, recent),
        *_spend(session, programme, today),
    ]
    seen: set[tuple[str, str]] = set()
    unique = []
    for finding in out:
        if (finding.rule, finding.subject) not in seen:
            seen.add((finding.rule, finding.subject))
            unique.append(finding)
    return unique


def _service_words(service: str) -> str:
    label = service_label(service)
    return label[:1].lower() + label[1:]


def _subject(organisation: Organisation, service: str) -> str:
    return f"{organisation.key}:{service}"


def _statutory(organisation: Organisation) -> bool:
    try:
        return OrganisationKind(organisation.kind) in STATUTORY_KINDS
    except ValueError:
        return False


def _silence_severity(organisation: Organisation) -> Severity:
    return Severity.LOW if _statutory(organisation) else Severity.MEDIUM


def _day(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


def _capacity(
    session: Session,
    programme: Programme,
    today: date,
    settings: RuleSettings,
    live: dict[int, Organisation],
    recent: dict[tuple[int, str], _Report],
) -> list[Finding]:
    alert = settings.capacity_alert_level
    at_alert = {k: r for k, r in recent.items() if r.level >= alert}
    if not at_alert:
        return []
    starts = _run_starts(session, row_id(programme), at_alert)
    out = []
    for key in sorted(at_alert, key=lambda k: (live[k[0]].name, k[1])):
        report, organisation = at_alert[key], live[key[0]]
        since = starts[key]
        words = _service_words(report.service)
        out.append(
            Finding(
                rule=CAPACITY,
                subject=_subject(organisation, report.service),
                title=f"{organisation.name}: {words} at level {report.level}",
                detail=(
                    f"Level {report.level}: {level_wording(report.level)}. {organisation.name} has reported "
                    f"{words} at level {report.level} since {_day(since)}."
                ),
                severity=Severity.CRITICAL if report.level >= HIGHEST else Severity.HIGH,
                owner_organisation_id=organisation.id,
            )
        )
    return out


def _run_start(days: dict[date, _Report], latest: _Report) -> tuple[date, bool]:
    """The first day of the unbroken run of reports at the latest level (days without a report
    do not break it), and whether a day at another level was found before it (False: the run
    may go back further than `days` reach)."""
    since = latest.local_date
    for day in sorted((d for d in days if d <= latest.local_date), reverse=True):
        if days[day].level != latest.level:
            return since, True
        since = day
    return since, False


def _worsening(
    session: Session,
    programme: Programme,
    today: date,
    settings: RuleSettings,
    live: dict[int, Organisation],
    recent: dict[tuple[int, str], _Report],
    window: date,
) -> list[Finding]:
    candidates = {k: r for k, r in recent.items() if r.level < settings.capacity_alert_level}
    if not candidates:
        return []
    earlier_day = add_working_days(today, -settings.worsening_over_working_days)
    earlier = _latest_as_of(session, row_id(programme), earlier_day, window)
    before_window = candidates.keys() - earlier.keys()
    if before_window:  # back after a silence: compared with their last level before it
        older = _latest_as_of(session, row_id(programme), earlier_day, organisations={o for o, _ in before_window})
        earlier |= {k: r for k, r in older.items() if k in before_window}
    out = []
    for key in sorted(candidates, key=lambda k: (live[k[0]].name, k[1])):
        now, before = candidates[key], earlier.get(key)
        if before is None or now.level < before.level + 1:
            continue
        organisation, words = live[key[0]], _service_words(now.service)
        out.append(
            Finding(
                rule=CAPACITY_WORSENING,
                subject=_subject(organisation, now.service),
                title=f"{organisation.name}: {words} worsening, level {before.level} to {now.level}",
                detail=(
                    f"{organisation.name} reports {words} at level {now.level} ({level_wording(now.level)}), "
                    f"up from level {before.level} within {settings.worsening_over_working_days} working days. "
                    f"Level {settings.capacity_alert_level} raises a capacity risk."
                ),
                severity=Severity.MEDIUM,
                owner_organisation_id=organisation.id,
            )
        )
    return out


def _silent_services(
    today: date,
    start: date,
    settings: RuleSettings,
    live: dict[int, Organisation],
    last_reported: dict[tuple[int, str], date],
) -> list[Finding]:
    out = []
    for organisation in sorted(live.values(), key=lambda o: (o.name, o.id)):
        for service in organisation.services or []:
            last = last_reported.get((row_id(organisation), service))
            if silent_working_days(last, start, today) < settings.silent_after_working_days:
                continue
            words = _service_words(service)
            since = f"since {_day(last)}" if last else f"since the programme started on {_day(start)}"
            out.append(
                Finding(
                    rule=SILENT_SERVICE,
                    subject=_subject(organisation, service),
                    title=f"{organisation.name}: no {words} capacity report",
                    detail=(
                        f"No {words} capacity report from {organisation.name} {since} "
                        f"({settings.silent_after_working_days} working days or more)."
                    ),
                    severity=_silence_severity(organisation),
                    owner_organisation_id=organisation.id,
                )
            )
    return out


def _silent_partners(
    session: Session,
    programme: Programme,
    today: date,
    start: date,
    settings: RuleSettings,
    live: dict[int, Organisation],
) -> list[Finding]:
    members = session.exec(
        select(Member)
        .where(
            Member.programme_id == programme.id, Member.role == Role.PARTNER.value, col(Member.archived_at).is_(None)
        )
        .order_by(col(Member.id))
    ).all()
    last_checkins = _last_checkins(session, row_id(programme), today)
    out = []
    for member in members:
        organisation = live.get(member.organisation_id)
        if organisation is None or (member.away_until is not None and member.away_until > today):
            continue
        last = last_checkins.get(row_id(member))
        since = last + timedelta(days=1) if last else start
        back = member.away_until if member.away_until is not None and member.away_until > since else None
        if count_working_days(back or since, today - timedelta(days=1)) < settings.silent_after_working_days:
            continue
        words = f"since {_day(last)}" if last else f"since the programme started on {_day(start)}"
        if back:
            words += f", back from leave on {_day(back)}"
        out.append(
            Finding(
                rule=SILENT_PARTNER,
                subject=f"member:{member.id}",
                title=f"{member.name} ({organisation.name}) has not checked in",
                detail=(
                    f"No check-in from {member.name} of {organisation.name} {words} "
                    f"({settings.silent_after_working_days} working days or more)."
                ),
                severity=_silence_severity(organisation),
                owner_organisation_id=organisation.id,
            )
        )
    return out


def _figure(measures: dict[str, Any]) -> Decimal | None:
    value = measures.get(DISCHARGES)
    if value is None or isinstance(value, bool) or str(value).strip() == "":
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _discharges(
    session: Session,
    programme: Programme,
    today: date,
    start: date,
    settings: RuleSettings,
    live: dict[int, Organisation],
    recent: dict[tuple[int, str], _Report],
) -> list[Finding]:
    pressed = sorted(
        (r for r in recent.values() if r.service in COMMUNITY_SERVICES and r.level >= settings.capacity_alert_level),
        key=lambda r: (live[r.organisation_id].name, r.service),
    )
    if not pressed:
        return []
    n, d = settings.silent_after_working_days, settings.discharges_rising_over_working_days
    first = add_working_days(today, -(n + d + 1))
    totals: dict[date, Decimal] = defaultdict(Decimal)
    for (organisation_id, _), days in _daily(session, row_id(programme), first, today).items():
        if organisation_id not in live:
            continue
        for day, report in days.items():
            figure = _figure(report.measures)
            if figure is not None:
                totals[day] += figure
    recent_days = [day for day in totals if silent_working_days(day, start, today) < n]
    if not recent_days:
        return []
    latest_day = max(recent_days)
    earlier_day = add_working_days(latest_day, -d)
    if earlier_day not in totals or totals[latest_day] <= totals[earlier_day]:
        return []
    services = "; ".join(
        f"{live[r.organisation_id].name} ({_service_words(r.service)}, level {r.level})" for r in pressed
    )
    return [
        Finding(
            rule=DISCHARGES_OUTPACING,
            subject=programme.slug,
            title="Discharges outpacing community capacity",
            detail=(
                f"Discharges reported across the programme rose from {totals[earlier_day]:f} on "
                f"{_day(earlier_day)} to {totals[latest_day]:f} on {_day(latest_day)}, while community "
                f"capacity is at level {settings.capacity_alert_level} or above: {services}."
            ),
            severity=Severity.HIGH,
            owner_organisation_id=None,
        )
    ]


# --- spend flags --------------------------------------------------------------------------------


def _spend(session: Session, programme: Programme, today: date) -> list[Finding]:
    position = spend_position(session, programme, today)
    owners = {
        key: (owner_id, unit)
        for key, owner_id, unit in session.exec(
            select(Scheme.key, Scheme.owner_organisation_id, Scheme.unit).where(
                Scheme.programme_id == programme.id, col(Scheme.archived_at).is_(None)
            )
        ).all()
    }
    return [f for flag in position.flags if (f := _from_flag(flag, position, owners)) is not None]


def _from_flag(flag: Flag, position: SpendPosition, owners: dict[str, tuple[int, str]]) -> Finding | None:
    names = {s.key: s.name for s in position.schemes}
    programme_wide = flag.subject == position.programme_slug and (
        flag.subject not in owners or flag.message.startswith("Overcommitted:")
    )
    if flag.rule == UNDERSPEND_RISK:
        return Finding(
            UNDERSPEND_RISK,
            flag.subject,
            f"Underspend risk: {position.programme_name}",
            flag.message,
            Severity.HIGH,
            None,
        )
    if flag.rule == OVERCOMMITTED and programme_wide:
        return Finding(
            OVERCOMMITTED, flag.subject, f"Overcommitted: {position.programme_name}", flag.message, Severity.HIGH, None
        )
    if flag.subject not in owners:
        return None
    owner_id, unit = owners[flag.subject]
    name = names.get(flag.subject, flag.subject)
    if flag.rule == OVERCOMMITTED:
        return Finding(OVERCOMMITTED, flag.subject, f"{name} is overcommitted", flag.message, Severity.MEDIUM, owner_id)
    if flag.rule == SILENT_SCHEME:
        return Finding(SILENT_SCHEME, flag.subject, f"{name}: no spend reported", flag.message, Severity.LOW, owner_id)
    if flag.rule == ACTIVITY_BEHIND_PLAN and unit == Unit.STAFF_WTE.value:
        return Finding(
            RECRUITMENT_BEHIND_PLAN,
            flag.subject,
            f"{name}: recruitment behind plan",
            flag.message,
            Severity.MEDIUM,
            owner_id,
        )
    if flag.rule == ACTIVITY_BEHIND_PLAN:
        return Finding(
            ACTIVITY_BEHIND_PLAN, flag.subject, f"{name}: activity behind plan", flag.message, Severity.LOW, owner_id
        )
    return None


# --- the scan -----------------------------------------------------------------------------------


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
