"""The pieces every card is made of, built with the Teams SDK's card models so a misspelt
property fails here rather than in someone's Teams client."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from microsoft_teams.cards import (
    AdaptiveCard,
    CardElement,
    ExecuteAction,
    Fact,
    FactSet,
    ShowCardAction,
    TextBlock,
)

VERSION = "1.5"
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
MAX_TEXT = 4000  # kept well under Teams' 28 KB message limit per block of text

Card = dict[str, Any]


def card(body: Sequence[CardElement], actions: Sequence[ExecuteAction | ShowCardAction] = ()) -> Card:
    """A whole card as JSON, full width in Teams (cards are narrow by default)."""
    model = AdaptiveCard(version=VERSION, body=list(body), actions=list(actions) or None)
    data = model.model_dump(by_alias=True, exclude_none=True)
    data["$schema"] = SCHEMA
    data["msteams"] = {"width": "Full"}
    return data


def heading(text: str) -> TextBlock:
    return TextBlock(text=plain(text), weight="Bolder", size="Medium", wrap=True)


def subheading(text: str) -> TextBlock:
    return TextBlock(text=plain(text), weight="Bolder", wrap=True, spacing="Medium")


def line(text: str, *, subtle: bool = False, attention: bool = False) -> TextBlock:
    """A paragraph of text. Call `plain` on anyone's own words before putting them here."""
    block = TextBlock(text=text[:MAX_TEXT], wrap=True)
    if subtle:
        block.is_subtle = True
    if attention:
        block.color = "Attention"
    return block


def facts(pairs: Iterable[tuple[str, str]]) -> FactSet:
    return FactSet(facts=[Fact(title=plain(title), value=plain(value)) for title, value in pairs])


def action(title: str, verb: str, **data: Any) -> ExecuteAction:
    """A button that comes back to the bot as an `adaptiveCard/action` invoke with this verb."""
    return ExecuteAction(title=title, verb=verb, data={"verb": verb, **data})


_MARKDOWN = str.maketrans({ch: "\\" + ch for ch in "\\*_[]`"})


def plain(text: str) -> str:
    """Someone's own words shown as written: Teams reads TextBlock text as markdown, so the
    characters that would make bold, italics or a link are escaped."""
    return text.translate(_MARKDOWN)


def notice_card(text: str) -> Card:
    """One plain sentence on a card of its own: a refusal, or a notice to a channel."""
    return card([line(plain(text))])
