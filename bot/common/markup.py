"""How a platform sets the words bot/ says. bot/ writes a sentence once; each platform passes
its own way of escaping anyone's words, of bold and quoting, and its coloured marks (Slack's
mrkdwn and emoji codes, Teams' markdown and emoji), so both say the same thing alike."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from models.vocabulary import Severity


class Markup(Protocol):
    @property
    def warning(self) -> str:
        """The mark before a flag."""
        ...

    @property
    def paragraph(self) -> str:
        """What starts a new paragraph inside one block of text."""
        ...

    @property
    def bullet(self) -> str:
        """What starts an item of a list."""
        ...

    @property
    def up(self) -> str:
        """The arrow of a level that rose."""
        ...

    @property
    def down(self) -> str:
        """The arrow of a level that fell."""
        ...

    @property
    def severities(self) -> Mapping[Severity, str]:
        """A risk's severity as a coloured mark."""
        ...

    @property
    def levels(self) -> Mapping[int, str]:
        """A capacity level's coloured mark."""
        ...

    @property
    def never(self) -> str:
        """The mark of a service never reported on."""
        ...

    @property
    def stale(self) -> str:
        """The mark of a report too old to count as today's."""
        ...

    def text(self, words: str) -> str:
        """Words, which may be someone's own, escaped so they show as written."""
        ...

    def bold(self, words: str) -> str:
        """Words escaped and set in bold."""
        ...

    def quoted(self, words: str) -> list[str]:
        """Someone's own words escaped and quoted, in as many pieces as a block of text needs."""
        ...
