"""The checks across sections: duplicate keys, references, dates, budgets against allocations."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from bot.common.money import format_money
from bot.programme.fields import MAX_MEASURES, Path, as_by_email
from bot.programme.problems import Issue, format_location
from bot.programme.return_checks import return_line_advisories
from models.vocabulary import (
    FUNDING_SOURCE_LABELS,
    FundingSource,
    Role,
    SchemeType,
)

if TYPE_CHECKING:  # the specs' own validators run these checks: the specs import this module
    from bot.programme.specs import ProgrammeFile, ProgrammeSettings, SchemeSpec, TrancheSpec


@dataclass
class Parts:
    """What the checks across sections look at: the items that passed validation (with their
    index in the file), every item as written, and the sections where some item failed."""

    settings: ProgrammeSettings | None = None
    tranches: list[tuple[int, TrancheSpec]] = field(default_factory=list)
    schemes: list[tuple[int, SchemeSpec]] = field(default_factory=list)
    written: dict[Path, list[tuple[int, Mapping[str, Any]]]] = field(default_factory=dict)
    incomplete: set[Path] = field(default_factory=set)
    measure_counts: dict[Path, int] = field(default_factory=dict)  # items as written, mappings or not

    def written_values(self, section: Path, name: str) -> list[tuple[Path, str]]:
        """Every item's `name` as written, valid or not, so one mistake cannot hide another."""
        values = []
        for index, item in self.written.get(section, []):
            value = item.get(name)
            if isinstance(value, (str, int)) and not isinstance(value, bool):
                values.append(((*section, index, name), str(value).strip()))
        return values


def _where(path: Path, lines: Mapping[Path, int]) -> str:
    return f"line {lines[path]}" if path in lines else format_location(path)


def _duplicates(items: list[tuple[Path, str]], what: str, lines: Mapping[Path, int]) -> list[Issue]:
    first: dict[str, Path] = {}
    issues = []
    for path, ident in items:
        if ident in first:
            issues.append(Issue(path, f"{what} {ident!r} is given twice (first at {_where(first[ident], lines)})"))
        else:
            first[ident] = path
    return issues


def _unique(parts: Parts, lines: Mapping[Path, int]) -> list[Issue]:
    return [
        *_duplicates(parts.written_values(("programme", "tranches"), "key"), "tranche key", lines),
        *_duplicates(parts.written_values(("organisations",), "key"), "organisation key", lines),
        *_duplicates(_chat_ids(parts, "slack"), "Slack user", lines),
        *_duplicates(_chat_ids(parts, "teams"), "Teams user", lines),
        *_duplicates([(p, v.lower()) for p, v in parts.written_values(("members",), "email")], "Email address", lines),
        *_duplicates(parts.written_values(("members",), "mobile"), "Mobile number", lines),
        *_duplicates(parts.written_values(("schemes",), "key"), "scheme key", lines),
    ]


def _chat_ids(parts: Parts, name: str) -> list[tuple[Path, str]]:
    """The user ids written for `name`; many members may be `by-email`, each found by their own address."""
    return [(path, value) for path, value in parts.written_values(("members",), name) if not is_by_email(value)]


def is_by_email(value: Any) -> bool:
    return isinstance(value, str) and as_by_email(value) is not None


def platform_problem(member: Mapping[str, Any]) -> str | None:
    """One chat account at most; an email address or a mobile number may stand beside it or
    instead of it. An account found `by-email` needs the address to find it by."""
    chats = [name for name in ("slack", "teams") if member.get(name) is not None]
    if len(chats) > 1:
        return "give one of `slack: <user id>` or `teams: <user id>`, not both"
    looked_up = [name for name in chats if is_by_email(member.get(name))]
    if looked_up and member.get("email") is None:
        platform = "Slack" if looked_up[0] == "slack" else "Teams"
        return (
            f"`{looked_up[0]}: by-email` finds their {platform} account by their email address: add "
            f"`email: <address>` (the one their {platform} account has), or write their user id instead"
        )
    if chats or any(member.get(name) is not None for name in ("email", "mobile")):
        return None
    return (
        "say how to reach this member: `slack: <user id>`, `teams: <user id>`, `email: <address>` "
        "or `mobile: <UK mobile number>`"
    )


def _platforms(parts: Parts) -> list[Issue]:
    """Checked on the items as written, so a bad role does not hide a missing user id."""
    return [
        Issue(("members", index), problem)
        for index, item in parts.written.get(("members",), [])
        if (problem := platform_problem(item))
    ]


def _unknown_organisation(key: str, known: set[str]) -> str:
    close = difflib.get_close_matches(key, sorted(known), n=1)
    hint = f"did you mean {close[0]!r}?" if close else f"the keys are: {', '.join(sorted(known)) or 'none'}"
    return f"no organisation has the key {key!r} in `organisations`: {hint}"


def _references(parts: Parts) -> list[Issue]:
    known = {key for _, key in parts.written_values(("organisations",), "key")}
    references = [
        *parts.written_values(("members",), "organisation"),
        *parts.written_values(("schemes",), "owner"),
    ]
    return [Issue(path, _unknown_organisation(key, known)) for path, key in references if key not in known]


def _tranche_dates(parts: Parts) -> list[Issue]:
    if parts.settings is None:
        return []
    deadline = parts.settings.deadline
    return [
        Issue(
            ("programme", "tranches", i, "available"),
            f"available {t.available} is after the spend deadline {deadline}: the money could not be spent",
        )
        for i, t in parts.tranches
        if t.available > deadline
    ]


def _return_calendar(parts: Parts) -> list[Issue]:
    settings = parts.settings
    if settings is None or settings.fortnightly_return is None:
        return []
    first = settings.fortnightly_return.first_period_end
    if first <= settings.deadline:
        return []
    return [
        Issue(
            ("programme", "fortnightly_return", "first_period_end"),
            f"the first return period would end on {first}, after the spend deadline {settings.deadline}: "
            "give the end of the first period the return covers",
        )
    ]


def _sum_by_source(pairs: list[tuple[FundingSource, Decimal]]) -> dict[FundingSource, Decimal]:
    totals: dict[FundingSource, Decimal] = {}
    for source, amount in pairs:
        totals[source] = totals.get(source, Decimal("0")) + amount
    return totals


def _funding(parts: Parts) -> list[Issue]:
    """Budgets per funding source may not exceed that source's tranches: an error, not a warning,
    because a plan that spends money the area has not got makes every forecast wrong.

    Needs every tranche; the schemes that passed are enough to show an overspend."""
    if ("programme", "tranches") in parts.incomplete or not parts.tranches:
        return []
    allocated = _sum_by_source([(t.source, t.amount) for _, t in parts.tranches])
    issues = [
        Issue(
            ("schemes", i, "source"),
            f"no tranche is funded by {s.source.value}: add that tranche to `programme.tranches`, "
            f"or fund the scheme from {', '.join(src.value for src in allocated)}",
        )
        for i, s in parts.schemes
        if s.source not in allocated
    ]
    budgeted = _sum_by_source([(s.source, s.budget) for _, s in parts.schemes])
    for source, total in budgeted.items():
        available = allocated.get(source)
        if available is not None and total > available:
            label = FUNDING_SOURCE_LABELS[source]
            issues.append(
                Issue(
                    ("schemes",),
                    f"schemes funded by {source.value} add up to {format_money(total, pence=True)}, more than "
                    f"the {format_money(available, pence=True)} of {label} tranches "
                    f"({format_money(total - available, pence=True)} over): reduce budgets or add a tranche",
                )
            )
    return issues


def _too_many_measures(path: Path, count: int) -> list[Issue]:
    if count <= MAX_MEASURES:
        return []
    return [
        Issue(path, f"{count} measures: give at most {MAX_MEASURES} a service (each is a box on the check-in form)")
    ]


def _measure_lists(parts: Parts, lines: Mapping[Path, int]) -> list[Issue]:
    """Keys unique within a service, and few enough to fit the check-in form."""
    issues = []
    for section, items in parts.written.items():
        if section[0] != "measures":
            continue
        issues += _duplicates(parts.written_values(section, "key"), "measure key", lines)
        issues += _too_many_measures(section, parts.measure_counts.get(section, len(items)))
    return issues


def _is_confidential(value: Any) -> bool:
    return (
        value is True
        or (isinstance(value, str) and value.strip().lower() in ("true", "yes"))
        or bool(isinstance(value, list) and value)
    )


def _private_leads_channel(parts: Parts) -> list[Issue]:
    """With a confidential organisation, each platform's leads' channel must be given: without
    one, the leads' brief and escalations go to the programme channel, read by everyone."""
    settings = parts.settings
    secret = [i for i, item in parts.written.get(("organisations",), []) if _is_confidential(item.get("confidential"))]
    if settings is None or not secret:
        return []
    missing = [
        name
        for name, channel, leads in (
            ("leads_channel", settings.channel, settings.leads_channel),
            ("teams_leads_channel", settings.teams_channel, settings.teams_leads_channel),
        )
        if channel and not leads
    ]
    return [
        Issue(
            ("organisations", secret[0], "confidential"),
            f"a confidential organisation needs `{name}:` in `programme` (a private channel for the leads): "
            "without it the leads' brief and escalations, which name it with its level, go to the programme "
            "channel, where everyone reads them",
        )
        for name in missing
    ]


def cross_check(parts: Parts, lines: Mapping[Path, int]) -> list[Issue]:
    return [
        *_private_leads_channel(parts),
        *_unique(parts, lines),
        *_measure_lists(parts, lines),
        *_references(parts),
        *_platforms(parts),
        *_tranche_dates(parts),
        *_return_calendar(parts),
        *_funding(parts),
    ]


def advisories(spec: ProgrammeFile) -> list[Issue]:
    issues = []
    cap = Decimal(spec.programme.thresholds.admin_cap_percent)
    admin = sum((s.budget for s in spec.schemes if s.type is SchemeType.ADMINISTRATION), Decimal("0"))
    if spec.allocation and admin * 100 > spec.allocation * cap:
        issues.append(
            Issue(
                ("schemes",),
                f"administration schemes take {format_money(admin)}, more than {cap}% of the "
                f"{format_money(spec.allocation)} allocation (check the fund's conditions)",
            )
        )
    if spec.members and not any(m.role in (Role.ADMIN, Role.LEAD) for m in spec.members):
        issues.append(Issue(("members",), "no member is a lead or admin: nobody will get the daily brief"))
    reported = {service for o in spec.organisations for service in o.services or []}
    issues += [
        Issue(
            ("measures", service.value), f"no organisation reports {service.value}, so nobody is asked these measures"
        )
        for service in spec.measures
        if service not in reported
    ]
    issues += return_line_advisories(spec)
    staffed = {m.organisation for m in spec.members}
    issues += [
        Issue(("schemes", i, "owner"), f"nobody at {s.owner!r} is in `members`, so nobody can report this scheme")
        for i, s in enumerate(spec.schemes)
        if spec.members and s.owner not in staffed
    ]
    return issues
