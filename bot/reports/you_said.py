"""You said, we did: the partners' blockers of a week and what answered them, for the weekly digest.

Platform-neutral. Definitions:
- *This week*: blockers raised from the week's first day to its last (local dates), or answered
  in it (an older blocker a lead answered this week is what "we did" is about), the same words
  from several organisations as one item naming them all.
- *Answers*: the steps in a blocker's thread by anyone but its raiser (a reply, taking it on,
  resolving it, saying it will not be fixed, a decision that answers it), oldest first.
- *Still waiting*: blockers raised before the week and still open, with the working days they
  have waited since they were raised (to the end of the week), the longest first.
- The digest goes to the whole programme channel, so the words of a confidential organisation
  (bot.people.confidential) are left out, as everywhere everyone reads.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session, col, select

from bot.checkin.blockers import LIVE, same_words
from bot.common.calendar import count_working_days, local_date
from bot.people.confidential import Confidentiality
from models.tables import Blocker, BlockerEvent, Member, Organisation, Programme, row_id

WAITING_MOST = 5  # still-waiting items named; the rest are counted


@dataclass(frozen=True)
class Answer:
    who: str  # "Name (Organisation)"
    action: str  # reply, take, resolve, wontfix, decided, reopen
    note: str | None
    on: date  # the local date it was given


@dataclass(frozen=True)
class SaidItem:
    blocker_id: int  # the oldest of the same words
    organisations: tuple[str, ...]
    text: str
    raised_on: date
    status: str  # the oldest's
    answers: tuple[Answer, ...]
    waited: int  # working days from the day after it was raised to the end of the week

    @property
    def answerable(self) -> bool:
        """Still open and nobody but its raiser has answered it: a lead may answer it from here."""
        return not self.answers and self.status in LIVE


@dataclass(frozen=True)
class YouSaid:
    raised: tuple[SaidItem, ...]  # raised or answered in the week, oldest first
    waiting: tuple[SaidItem, ...]  # raised before the week, still open, longest waiting first
    waiting_left_out: int = 0


NOTHING_SAID = YouSaid((), ())


def you_said(
    session: Session,
    programme: Programme,
    start: date,
    end: date,
    *,
    organisation_id: int | None = None,
    in_confidence: bool = False,
) -> YouSaid:
    """The week from `start` to `end` (local dates, both included). Three queries.
    `organisation_id`: that organisation's blockers only (a partner's own App Home);
    `in_confidence`: the reader may see confidential organisations' words (the leads, or their own)."""
    secret = Confidentiality.of(programme) if not in_confidence else Confidentiality()
    organisations = {
        o.id: o for o in session.exec(select(Organisation).where(Organisation.programme_id == programme.id))
    }
    blockers = [
        b
        for b in session.exec(
            select(Blocker)
            .where(Blocker.programme_id == programme.id, col(Blocker.raised_on) <= end)
            .order_by(col(Blocker.raised_on), col(Blocker.id))
        )
        if not secret.words(organisations[b.organisation_id].key) and organisation_id in (None, b.organisation_id)
    ]
    answers = _answers(session, programme, [row_id(b) for b in blockers], organisations, end)
    items = [_item(group, organisations, answers, end) for group in _grouped(blockers)]
    this_week = [i for i in items if i.raised_on >= start or any(a.on >= start for a in i.answers)]
    raised = tuple(this_week)
    waiting = sorted(
        (i for i in items if i not in this_week and i.status in LIVE), key=lambda i: (-i.waited, i.blocker_id)
    )
    return YouSaid(raised, tuple(waiting[:WAITING_MOST]), max(0, len(waiting) - WAITING_MOST))


def _grouped(blockers: list[Blocker]) -> list[list[Blocker]]:
    groups: dict[str, list[Blocker]] = {}
    for blocker in blockers:
        groups.setdefault(same_words(blocker.text), []).append(blocker)
    return list(groups.values())


def _answers(
    session: Session, programme: Programme, ids: list[int], organisations: dict[int | None, Organisation], end: date
) -> dict[int, list[Answer]]:
    """The answers given by the end of the week (a digest written again later says what it said)."""
    found: dict[int, list[Answer]] = defaultdict(list)
    if not ids:
        return found
    rows = session.exec(
        select(BlockerEvent, Blocker.raised_by_member_id, Member)
        .join(Blocker, col(Blocker.id) == col(BlockerEvent.blocker_id))
        .join(Member, col(Member.id) == col(BlockerEvent.member_id))
        .where(col(BlockerEvent.blocker_id).in_(ids), col(BlockerEvent.action).not_in(["raised", "changed"]))
        .order_by(col(BlockerEvent.at), col(BlockerEvent.id))
    ).all()
    for event, raiser, member in rows:
        on = local_date(event.at, programme.timezone)
        if member.id == raiser or on > end:
            continue
        organisation = organisations.get(member.organisation_id)
        who = f"{member.name} ({organisation.name})" if organisation else member.name
        found[event.blocker_id].append(Answer(who, event.action, event.note, on))
    return found


def _item(
    group: list[Blocker], organisations: dict[int | None, Organisation], answers: dict[int, list[Answer]], end: date
) -> SaidItem:
    first = group[0]
    seen: list[Answer] = []
    for blocker in group:
        seen += [a for a in answers.get(row_id(blocker), []) if a not in seen]
    return SaidItem(
        blocker_id=row_id(first),
        organisations=tuple(dict.fromkeys(organisations[b.organisation_id].name for b in group)),
        text=first.text,
        raised_on=first.raised_on,
        status=first.status,
        answers=tuple(seen),
        waited=count_working_days(first.raised_on + timedelta(days=1), end),
    )
