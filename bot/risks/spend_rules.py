"""The spend flags as risks, pure: bot.spend's flags on the spend position become findings.
`activity_behind_plan` for a staff_wte scheme becomes `recruitment_behind_plan`; a scheme's
risk is owned by the scheme's owner organisation; the programme's have no owner.
"""

from __future__ import annotations

from bot.risks.register import Finding
from bot.spend.position import Flag, SpendPosition
from models.vocabulary import Severity, Unit

RECRUITMENT_BEHIND_PLAN = "recruitment_behind_plan"
ACTIVITY_BEHIND_PLAN = "activity_behind_plan"
UNDERSPEND_RISK = "underspend_risk"
OVERCOMMITTED = "overcommitted"
SILENT_SCHEME = "silent_scheme"


def spend_findings(position: SpendPosition, owners: dict[str, tuple[int, str]]) -> list[Finding]:
    """A finding for each flag the position raises; `owners` holds each live scheme's owner
    organisation and unit by key (a flag on a scheme not there raises nothing)."""
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
