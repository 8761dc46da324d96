"""The huddle board in Slack: the answer to `/winter board` (and to the brief's Huddle board
button), a button opening the board's signed link with when it expires, or why not; and the
brief's button itself. Pure functions.

Slack sends a press of a URL button too: handlers/slack/actions/board.py acknowledges LINK_ID.
"""

from __future__ import annotations

from typing import Any

from bot.reports.board import NOT_CONFIGURED, BoardLink, BoardResult
from handlers.slack.blocks.status import context, section
from handlers.slack.blocks.text import escape

Json = dict[str, Any]

BUTTON_ID = "board_open"  # the brief's button: a link for whoever pressed it, if they lead
LINK_ID = "board_link"  # the URL button of the answer
OPEN = "Open the huddle board"


def board_blocks(result: BoardResult, url: str | None) -> list[Json]:
    if not isinstance(result, BoardLink):
        return [section(escape(result.message))]
    if url is None:
        return [section(escape(NOT_CONFIGURED))]
    button = {
        "type": "button",
        "action_id": LINK_ID,
        "text": {"type": "plain_text", "text": OPEN},
        "url": url,
        "style": "primary",
    }
    board = section(
        f"*Huddle board: {escape(result.programme_name)}*\nMoney against the deadline, capacity by service, "
        "open risks, blockers waiting, partner voice and the decisions since the last huddle, on one screen "
        "that keeps itself up to date. It has a printable version for the minutes."
    )
    board["accessory"] = button
    return [board, context(f"{expiry(result)} The link is yours: share the screen, not the link. Shown only to you.")]


def board_text(result: BoardResult, url: str | None) -> str:
    if not isinstance(result, BoardLink):
        return result.message
    if url is None:
        return NOT_CONFIGURED
    return f"Huddle board for {result.programme_name}: {url} ({expiry(result)})"


def expiry(link: BoardLink) -> str:
    return f"The link works until {link.expires_local:%H:%M on %a %-d %b}."


def board_section(programme_slug: str) -> Json:
    """The brief's way to the board: its button is answered with a link only to a lead or admin
    who presses it (handlers/slack/actions/board.py)."""
    block = section("For the 09:00 huddle: the same picture on one shared screen, kept up to date.")
    block["accessory"] = {
        "type": "button",
        "action_id": BUTTON_ID,
        "text": {"type": "plain_text", "text": "Huddle board"},
        "value": programme_slug,
    }
    return block
