"""Blockers left unanswered as risks, pure: a partner's blocker open for N working days with no
answer from anyone but whoever raised it is raised to the leads (rule `blocker_unanswered`,
subject `blocker:ID`, medium, no owner: it is the leads' to answer).

Counted like every silence (bot.common.calendar.silent_working_days): the working days from the
day after it was raised to yesterday, so one raised on Friday is 3 working days unanswered on
the Thursday after. The same words raised by several organisations are one risk, on the oldest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.common.calendar import silent_working_days
from bot.common.wording import shortened
from bot.risks.register import Finding
from bot.risks.terms import RuleSettings, day_words
from models.vocabulary import Severity

BLOCKER_UNANSWERED = "blocker_unanswered"


@dataclass(frozen=True)
class Unanswered:
    """A live blocker no one but its raiser has answered."""

    blocker_id: int
    organisations: tuple[str, ...]  # who raised these words, the oldest first
    text: str
    raised_on: date


def blocker_findings(today: date, settings: RuleSettings, blockers: list[Unanswered]) -> list[Finding]:
    after = settings.blocker_unanswered_working_days
    out = []
    for blocker in blockers:
        days = silent_working_days(blocker.raised_on, blocker.raised_on, today)
        if days < after:
            continue
        who = blocker.organisations[0] + (
            f" and {len(blocker.organisations) - 1} more" if len(blocker.organisations) > 1 else ""
        )
        out.append(
            Finding(
                rule=BLOCKER_UNANSWERED,
                subject=f"blocker:{blocker.blocker_id}",
                title=f"A blocker from {who} has had no answer",
                detail=(
                    f"“{shortened(blocker.text, 200)}”, raised {day_words(blocker.raised_on)}, has had no answer "
                    f"for {days} working days. Answer it: `/winter blockers reply {blocker.blocker_id} TEXT`."
                ),
                severity=Severity.MEDIUM,
                owner_organisation_id=None,
            )
        )
    return out
