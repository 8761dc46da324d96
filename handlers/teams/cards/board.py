"""The huddle board in Teams: the answer to `board` (and to the brief's Huddle board button), a
card whose Action.OpenUrl opens the board's signed link, with when it expires; or why not.

The link is signed with the service's address and key (bot.reports.board.board_address), which
the handler's context carries to the renderer.
"""

from __future__ import annotations

from microsoft_teams.cards import OpenUrlAction

from bot.common.config import Settings
from bot.reports.board import NOT_CONFIGURED, BoardLink, BoardResult, board_address
from handlers.teams.cards.base import Card, card, heading, line, notice_card, plain
from handlers.teams.cards.text import teams_words

OPEN = "Open the huddle board"


def typed_board_card(result: BoardResult, settings: Settings) -> Card:
    url = board_address(settings, result) if isinstance(result, BoardLink) else None
    return board_card(result, url)


def board_card(result: BoardResult, url: str | None) -> Card:
    if not isinstance(result, BoardLink):
        return notice_card(teams_words(result.message))
    if url is None:
        return notice_card(NOT_CONFIGURED)
    data = card(
        [
            heading(f"Huddle board: {result.programme_name}"),
            line(
                "Money against the deadline, capacity by service, open risks, blockers waiting, partner voice "
                "and the decisions since the last huddle, on one screen that keeps itself up to date. "
                "It has a printable version for the minutes."
            ),
            line(
                f"The link works until {result.expires_local:%H:%M on %a %-d %b}. It is yours: share the screen, "
                "not the link.",
                subtle=True,
            ),
        ]
    )
    data["actions"] = [OpenUrlAction(title=plain(OPEN), url=url).model_dump(by_alias=True, exclude_none=True)]
    return data


# The brief's pointer to the board. Not a button: Teams would answer it in the channel, for all to
# see, and the board's link is its holder's alone (Slack answers its button to the presser only).
BOARD_HINT = "Huddle board for the shared screen: type `board` in your chat with winterbot for a link of your own."
