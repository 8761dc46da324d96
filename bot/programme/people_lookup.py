"""Members named by email: their Slack or Teams account found when the file is loaded.

A member written `slack: by-email` (or `teams: by-email`) beside `email:` has, as their account,
the one with that address in the workspace (or tenant) the programme is loaded for. Reading the
file touches no network; `resolve` asks a `PeopleFinder` per platform (handlers/slack and
handlers/teams implement them; bot/app chooses them from the settings) and returns the file
with the ids filled in. A member no account has is reached the next way the file gives (their
email, through GOV.UK Notify) when that way is set up, and otherwise the load is refused with
every such member listed. Email addresses are never put in the messages: the line says who.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from bot.programme.fields import Path
from bot.programme.problems import Issue, Problem, to_problems
from bot.programme.specs import MemberSpec, ProgrammeFile
from models.vocabulary import Platform

PLATFORM_NAMES = {Platform.SLACK: "Slack", Platform.TEAMS: "Teams"}
PLACES = {Platform.SLACK: "the Slack workspace", Platform.TEAMS: "the Microsoft tenant"}


class PeopleFinder(Protocol):
    """One platform's directory, for one workspace or tenant."""

    def find(self, email: str) -> str | None:
        """The user id of the account with this email address, or None when none has it.
        Raises LookupFailed when the platform cannot be asked (unreachable, refused)."""


class LookupFailed(Exception):
    """The platform could not be asked: the whole load stops, and the message says what to fix."""


@dataclass(frozen=True)
class Resolution:
    """The file with the accounts found filled in, what was found, and what was not."""

    spec: ProgrammeFile
    found: dict[Platform, int] = field(default_factory=dict)
    notes: list[Problem] = field(default_factory=list)  # members reached another way instead
    problems: list[Problem] = field(default_factory=list)  # why the load is refused, if it is

    @property
    def refused(self) -> bool:
        return bool(self.problems)


def wanted(spec: ProgrammeFile) -> dict[Platform, int]:
    """How many accounts each platform is asked for."""
    counts: dict[Platform, int] = {}
    for member in spec.members:
        if member.looked_up is not None:
            counts[member.looked_up] = counts.get(member.looked_up, 0) + 1
    return counts


def resolve(
    spec: ProgrammeFile,
    finders: Mapping[Platform, PeopleFinder],
    reachable: Collection[Platform],
    places: Mapping[Platform, str] | None = None,
) -> Resolution:
    """Find each `by-email` member's account with the finder of its platform.

    `reachable`: the ways of reaching people that are set up (a member no account has falls back
    to their email only when Platform.EMAIL is in it). `places` names the workspace or tenant in
    the messages. Raises LookupFailed (from a finder, or for a platform without one)."""
    places = {**PLACES, **(places or {})}
    members: list[MemberSpec] = []
    found: dict[Platform, int] = {}
    notes: list[Issue] = []
    refusals: list[Issue] = []
    for index, member in enumerate(spec.members):
        platform = member.looked_up
        if platform is None or member.email is None:
            members.append(member)
            continue
        finder = finders.get(platform)
        if finder is None:
            raise LookupFailed(f"no way to look up {PLATFORM_NAMES[platform]} accounts is set up")
        user_id = finder.find(member.email)
        if user_id is not None:
            found[platform] = found.get(platform, 0) + 1
            members.append(member.model_copy(update={platform.value: user_id}))
            continue
        path: Path = ("members", index)
        nobody = f"no {PLATFORM_NAMES[platform]} account in {places[platform]} has {member.name}'s email address"
        if Platform.EMAIL in reachable:
            notes.append(Issue(path, f"{nobody}: they will be emailed through GOV.UK Notify instead"))
            members.append(member.model_copy(update={platform.value: None}))
        else:
            refusals.append(
                Issue(
                    path,
                    f"{nobody}, and GOV.UK Notify is not set up (NOTIFY_API_KEY) to email them instead: "
                    "check the address, add them to the workspace or tenant, or write their user id",
                )
            )
            members.append(member)
    resolved = spec.model_copy(update={"members": members})
    if not refusals:
        refusals = _clashes(spec, members)
    return Resolution(
        spec=resolved,
        found=found,
        notes=to_problems(notes, spec.lines, spec.source),
        problems=to_problems(refusals, spec.lines, spec.source),
    )


def _clashes(spec: ProgrammeFile, members: list[MemberSpec]) -> list[Issue]:
    """Two members with one account (two addresses of one person, or an account also written
    by id) would be one row: refused, naming both."""
    first: dict[tuple[Platform, str], int] = {}
    issues = []
    for index, member in enumerate(members):
        account = (member.platform, member.user_id)
        if account[0] not in PLATFORM_NAMES:
            continue
        if account in first:
            other = members[first[account]]
            line = spec.lines.get(("members", first[account]))
            at = f" (line {line})" if line is not None else ""
            how = "found by email" if spec.members[index].looked_up or spec.members[first[account]].looked_up else ""
            issues.append(
                Issue(
                    ("members", index),
                    f"{member.name} and {other.name}{at} have the same {PLATFORM_NAMES[account[0]]} account "
                    f"{account[1]}{f' ({how})' if how else ''}: give each person one line in `members`",
                )
            )
        else:
            first[account] = index
    return issues


def unresolved(spec: ProgrammeFile) -> list[Problem]:
    """The members still `by-email`: a file that was not resolved before loading."""
    issues = [
        Issue(
            ("members", index),
            f"{member.name}'s {PLATFORM_NAMES[member.looked_up]} account is written `by-email`: it is found "
            "when the file is loaded with `winterbot load`; here, write their user id instead",
        )
        for index, member in enumerate(spec.members)
        if member.looked_up is not None
    ]
    return to_problems(issues, spec.lines, spec.source)
