"""`away` and `back`: what was done, or why not and what to write."""

from __future__ import annotations

from microsoft_teams.cards import CardElement

from bot.people.away import AwayResult, Outcome
from handlers.teams.cards.base import Card, card, line, plain
from handlers.teams.cards.text import said


def away_card(result: AwayResult) -> Card:
    body: list[CardElement] = [line(said(result.text))]
    if result.outcome is Outcome.BAD_DATE:
        examples = " · ".join(f"`away {plain(e)}`" for e in result.examples)
        body.append(line(f"For example: {examples}", subtle=True))
    elif result.outcome is Outcome.AWAY:
        body.append(line("Back sooner? Type `back`.", subtle=True))
    elif result.outcome is Outcome.NOT_AWAY:
        body.append(line("Going away? Type `away` and the day you are back, e.g. `away 4 Jan`.", subtle=True))
    return card(body)
