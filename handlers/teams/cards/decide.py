"""`decide TEXT`: the decision as stored, confirmed to the lead who recorded it, or why not."""

from __future__ import annotations

from bot.reports.decisions import DecisionRecorded, DecisionRefused
from handlers.teams.cards.base import Card, card, line, plain
from handlers.teams.cards.text import quoted, said

DecideResult = DecisionRecorded | DecisionRefused


def decide_card(result: DecideResult) -> Card:
    if isinstance(result, DecisionRefused):
        return card([line(said(result.message))])
    by = plain(result.by) + (f" ({plain(result.organisation)})" if result.organisation else "")
    return card(
        [
            line(f"✅ {said(result.message)}"),
            quoted(result.text),
            line(f"Recorded by {by} on {result.local_date:%a %d %b %Y}.", subtle=True),
        ]
    )
