"""A risk's facts in the words both platforms show: severity, status, owner, age and the last
thing that happened. Each platform passes its own escaping and sets an event's time its own
way (Slack shows it in the reader's timezone)."""

from __future__ import annotations

from collections.abc import Callable

from bot.common.wording import age_words, shortened
from bot.risks.listing import EventView, RiskView

# A risk's status as the status screen's panel says it to everyone who reads it: plain words, not
# the register's (a partner or observer never sees "acknowledged" or "mitigated").
PANEL_STATUS = {
    "open": "not picked up yet",
    "acknowledged": "a lead is on it",
    "mitigated": "in hand",
    "closed": "closed",
}

Escape = Callable[[str], str]
When = Callable[[EventView], str]
NOTE_SHOWN = 200


def risk_facts(risk: RiskView, escape: Escape, when: When) -> str:
    """ "High · Acknowledged · owner Brightside · 3 working days old · acknowledged by Asha 10:04"."""
    owner = f"owner {escape(risk.owner_name)}" if risk.owner_name else "no owner yet"
    parts = [risk.severity.value.capitalize(), risk.status.value.capitalize(), owner, age_words(risk.age_working_days)]
    if risk.last_event is not None:
        parts.append(event_words(risk.last_event, escape, when))
    return " · ".join(parts)


def event_words(event: EventView, escape: Escape, when: When) -> str:
    who = f"by {escape(event.by)}" if event.by else "by a rule"
    text = f"{escape(event.action)} {who} {when(event)}"
    if event.note and event.action != "raised":
        text += f": “{escape(shortened(event.note, NOTE_SHOWN))}”"
    return text
