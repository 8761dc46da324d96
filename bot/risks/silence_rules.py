"""The silence rules, pure: a live organisation's listed service without a capacity report, and
a live partner without a check-in, for N working days or more (bot.common.calendar's
`silent_working_days`). Each takes readings (bot.risks.readings) and returns findings; the
definitions are in bot.risks.scan.
"""

from __future__ import annotations

from datetime import date, timedelta

from bot.common.calendar import silent_working_days
from bot.risks.register import Finding
from bot.risks.terms import Pair, RuleSettings, day_words, service_finding, service_words, since_words
from models.tables import Member, Organisation, row_id
from models.vocabulary import STATUTORY_KINDS, OrganisationKind, Severity

SILENT_SERVICE = "silent_service"
SILENT_PARTNER = "silent_partner"


def silent_service_findings(
    today: date, start: date, settings: RuleSettings, live: dict[int, Organisation], last_reported: dict[Pair, date]
) -> list[Finding]:
    """A risk for each live organisation's listed service not reported for N working days."""
    out = []
    for organisation in sorted(live.values(), key=lambda o: (o.name, o.id)):
        for service in organisation.services or []:
            last = last_reported.get((row_id(organisation), service))
            if silent_working_days(last, start, today) < settings.silent_after_working_days:
                continue
            words = service_words(service)
            out.append(
                service_finding(
                    SILENT_SERVICE,
                    organisation,
                    service,
                    f"{organisation.name}: no {words} capacity report",
                    f"No {words} capacity report from {organisation.name} {since_words(last, start)} "
                    f"({settings.silent_after_working_days} working days or more).",
                    _silence_severity(organisation),
                )
            )
    return out


def silent_partner_findings(
    today: date,
    start: date,
    settings: RuleSettings,
    live: dict[int, Organisation],
    partners: list[Member],
    last_checkins: dict[int, date],
) -> list[Finding]:
    """A risk for each live partner of a live organisation without a check-in for N working
    days. Away is never silent; a partner back from leave is counted from the day they came back."""
    out = []
    for member in partners:
        organisation = live.get(member.organisation_id)
        if organisation is None or (member.away_until is not None and member.away_until > today):
            continue
        last = last_checkins.get(row_id(member))
        back = _back_from_leave(member, last, start)
        counted_after = back - timedelta(days=1) if back else last
        if silent_working_days(counted_after, start, today) < settings.silent_after_working_days:
            continue
        words = since_words(last, start)
        if back:
            words += f", back from leave on {day_words(back)}"
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


def _back_from_leave(member: Member, last: date | None, start: date) -> date | None:
    """The day the member came back from leave, when that is after the day silence would
    otherwise be counted from."""
    since = last + timedelta(days=1) if last else start
    return member.away_until if member.away_until is not None and member.away_until > since else None


def _statutory(organisation: Organisation) -> bool:
    try:
        return OrganisationKind(organisation.kind) in STATUTORY_KINDS
    except ValueError:
        return False


def _silence_severity(organisation: Organisation) -> Severity:
    """Medium for a community organisation, low for a statutory one."""
    return Severity.LOW if _statutory(organisation) else Severity.MEDIUM
