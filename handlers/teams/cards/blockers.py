"""`blockers`: the open blockers with their threads, what a lead just did to one, or why not."""

from __future__ import annotations

from microsoft_teams.cards import CardElement

from bot.checkin.blockers import BlockerActed, BlockerRefused, BlockersResult, BlockerView
from bot.checkin.blockers_words import acted_sentence, heading, listing_footer, listing_intro, thread
from handlers.teams.cards.base import Card, card, line, plain
from handlers.teams.cards.text import quoted, said

MOST = 40


def blockers_card(result: BlockersResult) -> Card:
    if isinstance(result, BlockerRefused):
        return card([line(said(result.message))])
    if isinstance(result, BlockerActed):
        return card([line(f"✅ {said(acted_sentence(result))}"), *_blocker(result.blocker)])
    body: list[CardElement] = [line(plain(listing_intro(result)))]
    for view in result.blockers[:MOST]:
        body += _blocker(view)
    body.append(line(said(listing_footer(result, "blockers")), subtle=True))
    return card(body)


def _blocker(view: BlockerView) -> list[CardElement]:
    return [line(f"**{plain(heading(view))}**"), quoted(view.text), *[line(plain(x)) for x in thread(view)]]
