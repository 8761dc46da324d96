"""Partner voice as the brief quotes it: the same words from several organisations once, with
every organisation that said them, and only the first few. Pure.

The digest quotes bot.reports.voice's items one by one; the brief, read in a minute before the
huddle, groups them: partners often pass on the same blocker word for word.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date

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


# -- blockers, as the brief's Blockers section lists them ---------------------------------------------


@dataclass(frozen=True)
class RaisedBlocker:
    """One blocker as the brief reads it (bot.checkin.blockers' Blocker, its organisation named)."""

    blocker_id: int
    organisation: str
    text: str
    raised_on: date
    status: str  # open, or working when a lead's organisation took it on


@dataclass(frozen=True)
class BlockerQuote:
    """The same words raised on the same day, once, with every organisation that raised them."""

    blocker_ids: tuple[int, ...]  # oldest first; each one answered on its own
    organisations: tuple[str, ...]
    text: str
    raised_on: date
    new: bool  # raised on the day the brief covers
    open_days: int  # working days open, the day it was raised to the day the brief covers
    status: str  # the first one's


def blocker_quotes(raised: Sequence[RaisedBlocker], day: date, open_days: Callable[[date], int]) -> list[BlockerQuote]:
    """Each (day raised, words) once, oldest first; `raised` is oldest first too."""
    groups: dict[tuple[date, str], list[RaisedBlocker]] = {}
    for r in raised:
        groups.setdefault((r.raised_on, _key(r.text)), []).append(r)
    out = [
        BlockerQuote(
            blocker_ids=tuple(r.blocker_id for r in same),
            organisations=tuple(dict.fromkeys(r.organisation for r in same)),
            text=same[0].text,
            raised_on=same[0].raised_on,
            new=same[0].raised_on == day,
            open_days=open_days(same[0].raised_on),
            status=same[0].status,
        )
        for same in groups.values()
    ]
    out.sort(key=lambda q: (q.raised_on, q.blocker_ids[0]))
    return out


def without_listed(voice: Sequence[Voice], listed: Sequence[BlockerQuote]) -> list[Voice]:
    """The partner voice but the blockers the brief lists as items: said once, where the leads
    answer them. Comments stay, and blockers with no item (check-ins from before blockers were
    items)."""
    items = {(name, _key(q.text)) for q in listed for name in q.organisations}
    out = []
    for v in voice:
        if v.blockers and (v.organisation, _key(v.blockers)) in items:
            v = replace(v, blockers=None)
        if v.blockers or v.comment:
            out.append(v)
    return out


def _key(text: str) -> str:
    return " ".join(text.lower().split())
