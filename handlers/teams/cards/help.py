"""What the asker may do (`help`), and the answer to a word winterbot does not know."""

from __future__ import annotations

from microsoft_teams.cards import CardElement

from bot.commands.table import Help
from bot.common.wording import join_words, shortened
from handlers.teams.cards.base import Card, card, heading, line, plain
from handlers.teams.cards.text import teams_words
from models.vocabulary import A_ROLE

TITLE = "What you can do with winterbot"
WORD_WIDTH = 40


def _body(help: Help) -> list[CardElement]:
    body: list[CardElement] = [heading(TITLE)]
    if help.role is not None:
        names = join_words([plain(name) for name in help.member_of])
        body.append(line(f"You are **{A_ROLE[help.role]}**" + (f" on {names}." if names else ".")))
    if help.how_to_join:
        body.append(line(teams_words(help.how_to_join)))
    body.append(line("Type a command here, in our chat:", subtle=True))
    body.append(line("\n".join(f"- `{c.usage}`: {c.summary}" for c in help.commands)))
    return body


def help_card(help: Help) -> Card:
    return card(_body(help))


def unknown_command_card(word: str, help: Help) -> Card:
    shown = plain(shortened(word, WORD_WIDTH))
    return card([line(f"I don't know “{shown}”."), *_body(help)])
