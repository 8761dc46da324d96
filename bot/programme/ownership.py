"""Whose a programme is: the Slack workspace (or Enterprise Grid organisation) and the Teams
tenant whose people may read and change it. Set when the programme is loaded for them, and
never moved by a later load: a file naming a programme of another workspace is refused."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields

from models.tables import Programme

SLACK_TEAM = re.compile(r"T[A-Z0-9]{2,31}")
SLACK_ENTERPRISE = re.compile(r"E[A-Z0-9]{2,31}")
TENANT = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


class OwnershipError(ValueError):
    """A load that would give a programme to another workspace or tenant, or a bad id."""


@dataclass(frozen=True)
class Owner:
    slack_team_id: str | None = None
    slack_enterprise_id: str | None = None
    teams_tenant_id: str | None = None

    def __post_init__(self) -> None:
        checks = (
            (
                self.slack_team_id,
                SLACK_TEAM,
                "a Slack workspace id is T followed by capitals and digits, like T0123ABCD",
            ),
            (
                self.slack_enterprise_id,
                SLACK_ENTERPRISE,
                "a Slack organisation id is E followed by capitals and digits",
            ),
            (
                self.teams_tenant_id,
                TENANT,
                "a Microsoft tenant id is a GUID, like 72f988bf-86f1-41af-91ab-2d7cd011db47",
            ),
        )
        for value, pattern, advice in checks:
            if value is not None and not pattern.fullmatch(value):
                raise OwnershipError(f"{value!r} is not an id winterbot can use: {advice}")

    @property
    def given(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))


def of(programme: Programme) -> Owner:
    return Owner(programme.slack_team_id, programme.slack_enterprise_id, programme.teams_tenant_id)


def claim(programme: Programme, owner: Owner) -> list[str]:
    """Give the programme to `owner` where it has no owner yet; returns the fields set. Raises
    OwnershipError when the programme already belongs to another workspace or tenant."""
    wanted = _wanted(owner)
    clashes = clashing(programme, owner)
    if clashes:
        raise OwnershipError(
            f"the programme {programme.slug!r} belongs to another workspace or tenant "
            f"({', '.join(_words(name) for name in clashes)} differs): choose another slug for this area's programme"
        )
    changed = [name for name, value in wanted.items() if getattr(programme, name) != value]
    for name in changed:
        setattr(programme, name, wanted[name])
    return changed


def clashing(programme: Programme, owner: Owner) -> list[str]:
    """The fields on which the programme already belongs to someone other than `owner`."""
    return [name for name, value in _wanted(owner).items() if getattr(programme, name) not in (None, value)]


def _wanted(owner: Owner) -> dict[str, str]:
    return {f.name: getattr(owner, f.name) for f in fields(owner) if getattr(owner, f.name)}


def _words(name: str) -> str:
    return {"slack_team_id": "the Slack workspace", "slack_enterprise_id": "the Slack organisation"}.get(
        name, "the Teams tenant"
    )
