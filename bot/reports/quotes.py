"""Partner voice as the brief quotes it: the same words from several organisations once, with
every organisation that said them, and only the first few. Pure.

The digest quotes bot.reports.voice's items one by one; the brief, read in a minute before the
huddle, groups them: partners often pass on the same blocker word for word.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.common.wording import join_words
from bot.reports.voice import Voice

BLOCKERS, COMMENT = "blockers", "comment"


@dataclass(frozen=True)
class Quote:
    text: str
    label: str  # "blockers" when any organisation gave it as a blocker, else "comment"
    organisations: tuple[str, ...]  # in the order they said it (newest first)

    @property
    def attribution(self) -> str:
        return f"{join_words(self.organisations)}, {self.label}"


def quotes(voice: Sequence[Voice]) -> list[Quote]:
    """Each distinct text once (compared without case or spacing), blockers before comments,
    then the words most organisations said, then in the order given."""
    said: dict[str, str] = {}
    who: dict[str, list[str]] = {}
    how: dict[str, set[str]] = {}
    for v in voice:
        for label, text in ((BLOCKERS, v.blockers), (COMMENT, v.comment)):
            if not text:
                continue
            key = _key(text)
            said.setdefault(key, text)
            if v.organisation not in who.setdefault(key, []):
                who[key].append(v.organisation)
            how.setdefault(key, set()).add(label)
    out = [Quote(text, BLOCKERS if BLOCKERS in how[key] else COMMENT, tuple(who[key])) for key, text in said.items()]
    out.sort(key=lambda q: (q.label != BLOCKERS, -len(q.organisations)))  # stable: otherwise as given
    return out


def first_quotes(voice: Sequence[Voice], most: int) -> tuple[tuple[Quote, ...], int]:
    """The first `most` quotes, and how many are left out."""
    every = quotes(voice)
    return tuple(every[:most]), max(0, len(every) - most)


def _key(text: str) -> str:
    return " ".join(text.lower().split())
