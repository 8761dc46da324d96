"""The words of the leads' questions: how to ask, whom a question was asked of, and what the
lead who asked is told."""

from __future__ import annotations

from datetime import date

from bot.checkin.audiences import ALL, COMMUNITY, STATUTORY
from bot.common.redact import removed_sentence

EXAMPLE = "/winter ask How many people are waiting for a package of care today?"
USAGE = "ask [community: | statutory:] QUESTION"
NOT_A_LEAD = "If there is something the leads should ask, tell one of them, or say it in your check-in."
AUDIENCE_WORDS = {ALL: "every partner", COMMUNITY: "community partners", STATUTORY: "statutory partners"}


def audience_words(audience: str) -> str:
    """Whom a question was asked of, in words: "community partners"."""
    return AUDIENCE_WORDS.get(audience, AUDIENCE_WORDS[ALL])


def asked_message(programme: str, audience: str, partners: int, closes_on: date, redactions: int) -> str:
    """What the lead who asked is told: who will see the question, until when."""
    who = "partner" if audience == ALL else f"{audience} partner"
    if partners:
        people = f"1 {who}" if partners == 1 else f"{partners} {who}s"
        message = (
            f"Question asked on {programme}: {people} will see it at their next check-in, "
            f"until {closes_on:%a %-d %b}. `/winter ask` shows the answers."
        )
    else:
        message = (
            f"Question stored on {programme}, but no {who} is on the programme yet, so nobody will see it "
            f"unless one joins by {closes_on:%a %-d %b}."
        )
    if redactions:
        message += " " + removed_sentence(redactions)
    return message
