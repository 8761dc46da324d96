"""Blockers as things with a life: what a partner raises at check-in becomes an item with an
owner, a status and a thread of replies, which the leads answer (`/winter blockers`).

Platform-neutral: a handler passes the chat user the platform gave it and renders the plain
results. Statuses: open, working (a lead's organisation has taken it on), resolved, wont_fix.
Who may do what:
- raise: a partner, by writing in the check-in's Blockers box (a new day starts blank; an
  amendment of the same day's check-in changes that day's blocker, not a second one);
- reply, take (on), resolve, wont_fix (with a note), reopen: the programme's leads and admins;
  an answer to one answers every live blocker of the programme in the same words;
- resolve, reopen: the partners of the organisation that raised it too (it is their problem);
- see: leads and admins every blocker of the programme; a partner their own organisation's.
Words are redacted before they are stored (bot.common.redact), as every free text is.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlmodel import Session, col, select

from bot.common.asking import JOIN_TEXT
from bot.common.redact import redact
from bot.people.membership import leading_first, memberships
from models.tables import Blocker, BlockerEvent, CheckIn, Member, Organisation, Programme, row_id
from models.vocabulary import Role

OPEN, WORKING, RESOLVED, WONT_FIX = "open", "working", "resolved", "wont_fix"
LIVE = (OPEN, WORKING)
LEADS = frozenset({Role.ADMIN, Role.LEAD})
ANSWERING = LEADS | {Role.PARTNER}
NOTE_MOST = 1000
# action: (who besides the leads may do it, the status it leaves, whether a note is needed)
ACTIONS: dict[str, tuple[frozenset[Role], str | None, bool]] = {
    "reply": (frozenset(), None, True),
    "take": (frozenset(), WORKING, False),
    "resolve": (frozenset({Role.PARTNER}), RESOLVED, False),
    "wontfix": (frozenset(), WONT_FIX, True),
    "reopen": (frozenset({Role.PARTNER}), OPEN, False),
    "decided": (frozenset(), None, True),  # by `/winter decide ... answers ID`, not typed here
}
USAGE = (
    "`blockers` lists the open ones; leads answer with `blockers reply ID TEXT`, `blockers take ID`, "
    "`blockers resolve ID [NOTE]`, `blockers wontfix ID NOTE` or `blockers reopen ID`."
)


@dataclass(frozen=True)
class Reply:
    who: str  # "Name (Organisation)"
    action: str
    note: str | None
    at: datetime


@dataclass(frozen=True)
class BlockerView:
    blocker_id: int
    organisation: str
    text: str
    status: str
    owner: str | None  # the organisation that took it on
    raised_on: date
    replies: tuple[Reply, ...]
    also: tuple[str, ...] = ()  # other organisations that raised the same words (listed as one)

    @property
    def answered(self) -> bool:
        return any(r.action != "raised" for r in self.replies)


@dataclass(frozen=True)
class BlockersList:
    programme_name: str
    blockers: tuple[BlockerView, ...]  # open and being worked on, oldest first
    may_answer: bool  # a lead or admin


@dataclass(frozen=True)
class BlockerActed:
    blocker: BlockerView
    action: str
    raiser_member_id: int  # whom to tell


@dataclass(frozen=True)
class BlockerRefused:
    message: str


BlockersResult = BlockersList | BlockerActed | BlockerRefused


# -- raised at check-in -------------------------------------------------------------------------


def raise_from_checkin(session: Session, checkin: CheckIn, text: str | None, now: datetime) -> Blocker | None:
    """The check-in's blocker: a new one, or today's from this member changed by an amendment
    (emptied: withdrawn, as resolved by the partner). Nothing written: None."""
    today = _todays(session, checkin)
    if not text:
        if today is not None and today.status in LIVE:
            _move(session, today, checkin.member_id, "resolve", "withdrawn when the check-in was amended", now)
        return None
    if today is not None:
        if today.text != text:
            today.text, today.checkin_id, today.updated_at = text, row_id(checkin), now
            session.add(today)
            session.add(BlockerEvent(blocker_id=row_id(today), member_id=checkin.member_id, action="changed", at=now))
        return today
    blocker = Blocker(
        programme_id=checkin.programme_id,
        organisation_id=checkin.organisation_id,
        raised_by_member_id=checkin.member_id,
        checkin_id=row_id(checkin),
        text=text,
        raised_on=checkin.local_date,
        raised_at=now,
        updated_at=now,
    )
    session.add(blocker)
    session.flush()
    session.add(BlockerEvent(blocker_id=row_id(blocker), member_id=checkin.member_id, action="raised", at=now))
    return blocker


def _todays(session: Session, checkin: CheckIn) -> Blocker | None:
    return session.exec(
        select(Blocker).where(Blocker.raised_by_member_id == checkin.member_id, Blocker.raised_on == checkin.local_date)
    ).first()


def answer_standing(session: Session, checkin: CheckIn, said: tuple[tuple[int, str], ...], now: datetime) -> int:
    """What the partner said at check-in of their organisation's open blockers: resolved, or
    changed (its new words are the day's new blocker). Only their organisation's, only live ones.
    Returns how many moved."""
    moved = 0
    for blocker_id, answer in said:
        blocker = session.get(Blocker, blocker_id)
        if blocker is None or blocker.organisation_id != checkin.organisation_id or blocker.status not in LIVE:
            continue
        note = "solved, said at check-in" if answer == "resolved" else "changed: its new words are a new blocker"
        _move(session, blocker, checkin.member_id, "resolve", note, now)
        moved += 1
    return moved


ANSWERS = ("reply", "take", "resolve", "wontfix", "decided")


def same_words(text: str) -> str:
    """What makes two blockers the same: their words, case and spacing aside."""
    return " ".join(text.casefold().split())


def unanswered_of(session: Session, programme_id: int) -> list[tuple[Blocker, str]]:
    """The programme's live blockers that nobody but their raiser has answered, oldest first,
    with the name of the organisation that raised each. Two queries."""
    live = session.exec(
        select(Blocker, Organisation.name)
        .join(Organisation, col(Organisation.id) == col(Blocker.organisation_id))
        .where(Blocker.programme_id == programme_id, col(Blocker.status).in_(LIVE))
        .order_by(col(Blocker.raised_on), col(Blocker.id))
    ).all()
    if not live:
        return []
    answered = set(
        session.exec(
            select(BlockerEvent.blocker_id)
            .join(Blocker, col(Blocker.id) == col(BlockerEvent.blocker_id))
            .where(
                Blocker.programme_id == programme_id,
                col(BlockerEvent.action).in_(ANSWERS),
                col(BlockerEvent.member_id) != col(Blocker.raised_by_member_id),
            )
        ).all()
    )
    return [(b, name) for b, name in live if b.id not in answered]


def open_blockers_of(session: Session, organisation_id: int) -> list[Blocker]:
    """An organisation's blockers still open or being worked on, oldest first."""
    return list(
        session.exec(
            select(Blocker)
            .where(Blocker.organisation_id == organisation_id, col(Blocker.status).in_(LIVE))
            .order_by(col(Blocker.raised_on), col(Blocker.id))
        )
    )


# -- `/winter blockers` ---------------------------------------------------------------------------


def blockers_command(session: Session, platform: str, user_id: str, rest: str, now: datetime) -> BlockersResult:
    rows = memberships(session, platform, user_id)
    if not rows:
        return BlockerRefused(JOIN_TEXT)
    rows = [(m, p) for m, p in rows if Role(m.role) in ANSWERING]
    if not rows:
        return BlockerRefused(
            "Blockers are for the programme's partners to raise and its leads to answer; you are an observer."
        )
    words = rest.split(maxsplit=2)
    if not words:
        chosen = leading_first(rows)
        assert chosen is not None  # rows is not empty here
        return _listing(session, *chosen)
    action = words[0].lower().replace("'", "").replace("-", "")
    if action not in ACTIONS or action == "decided":
        return BlockerRefused(f"“{words[0]}” is not something you can do to a blocker. {USAGE}")
    if len(words) < 2 or not words[1].lstrip("#").isdigit():
        return BlockerRefused(f"Say which blocker, by its number: `blockers {action} 12`. {USAGE}")
    note = words[2] if len(words) > 2 else None
    return act(session, rows, int(words[1].lstrip("#")), action, note, now)


def act(
    session: Session,
    rows: list[tuple[Member, Programme]],
    blocker_id: int,
    action: str,
    note: str | None,
    now: datetime,
) -> BlockerActed | BlockerRefused:
    blocker = session.exec(select(Blocker).where(Blocker.id == blocker_id).with_for_update()).first()
    member = next((m for m, _ in rows if blocker is not None and m.programme_id == blocker.programme_id), None)
    if blocker is None or member is None:
        return BlockerRefused(f"There is no blocker {blocker_id} in your programme; `blockers` lists them.")
    others, _, needs_note = ACTIONS[action]
    role = Role(member.role)
    own = member.organisation_id == blocker.organisation_id
    if role not in LEADS and not (role in others and own):
        return BlockerRefused(f"Only the programme's leads can {action} a blocker; you can see and resolve your own.")
    clean = redact((note or "").strip()).text[:NOTE_MOST] or None
    if needs_note and not clean:
        return BlockerRefused(f"`blockers {action} {blocker_id}` needs a note: say what you will do or why.")
    for same in [blocker, *_siblings(session, blocker)] if role in LEADS else [blocker]:
        _move(session, same, row_id(member), action, clean, now)
    session.flush()
    return BlockerActed(view_of(session, blocker), action, blocker.raised_by_member_id)


def _siblings(session: Session, blocker: Blocker) -> list[Blocker]:
    """The programme's other live blockers in the same words: one answer answers everyone who
    raised it, each told in their own thread."""
    words = same_words(blocker.text)
    others = session.exec(
        select(Blocker).where(
            Blocker.programme_id == blocker.programme_id, col(Blocker.status).in_(LIVE), Blocker.id != blocker.id
        )
    ).all()
    return [b for b in others if same_words(b.text) == words]


def _move(session: Session, blocker: Blocker, member_id: int, action: str, note: str | None, now: datetime) -> None:
    status = ACTIONS[action][1]
    if status is not None:
        blocker.status = status
    if action == "take":
        member = session.get(Member, member_id)
        blocker.owner_organisation_id = member.organisation_id if member else None
    blocker.updated_at = now
    session.add(blocker)
    session.add(BlockerEvent(blocker_id=row_id(blocker), member_id=member_id, action=action, note=note, at=now))


def _listing(session: Session, member: Member, programme: Programme) -> BlockersList:
    query = select(Blocker).where(Blocker.programme_id == programme.id, col(Blocker.status).in_(LIVE))
    leads = Role(member.role) in LEADS
    if not leads:
        query = query.where(Blocker.organisation_id == member.organisation_id)
    blockers = session.exec(query.order_by(col(Blocker.raised_on), col(Blocker.id))).all()
    groups: dict[str, list[Blocker]] = {}
    for blocker in blockers:
        groups.setdefault(same_words(blocker.text), []).append(blocker)
    views = views_of(session, row_id(programme), [g[0] for g in groups.values()])
    names = {o.id: o.name for o in session.exec(select(Organisation).where(Organisation.programme_id == programme.id))}
    also = [_also(g, names) for g in groups.values()]
    return BlockersList(programme.name, tuple(replace(v, also=a) for v, a in zip(views, also, strict=True)), leads)


def _also(group: list[Blocker], names: dict[int | None, str]) -> tuple[str, ...]:
    """The other organisations that raised the same words (one answer answers them all)."""
    first = group[0].organisation_id
    return tuple(dict.fromkeys(names.get(b.organisation_id, "") for b in group if b.organisation_id != first))


def view_of(session: Session, blocker: Blocker) -> BlockerView:
    return views_of(session, blocker.programme_id, [blocker])[0]


def views_of(session: Session, programme_id: int, blockers: list[Blocker]) -> list[BlockerView]:
    """The blockers with their threads: two queries however many there are."""
    names = {o.id: o.name for o in session.exec(select(Organisation).where(Organisation.programme_id == programme_id))}
    threads: dict[int, list[Reply]] = {row_id(b): [] for b in blockers}
    events = session.exec(
        select(BlockerEvent, Member)
        .join(Member, col(Member.id) == col(BlockerEvent.member_id), isouter=True)
        .where(col(BlockerEvent.blocker_id).in_(list(threads)))
        .order_by(col(BlockerEvent.at), col(BlockerEvent.id))
    ).all()
    for e, m in events:
        who = f"{m.name} ({names.get(m.organisation_id, '')})" if m else "winterbot"
        threads[e.blocker_id].append(Reply(who=who, action=e.action, note=e.note, at=e.at))
    return [
        BlockerView(
            blocker_id=row_id(b),
            organisation=names.get(b.organisation_id, ""),
            text=b.text,
            status=b.status,
            owner=names.get(b.owner_organisation_id) if b.owner_organisation_id else None,
            raised_on=b.raised_on,
            replies=tuple(threads[row_id(b)]),
        )
        for b in blockers
    ]


# -- answered from a button (the brief's Reply) ---------------------------------------------------

ANSWERED_BY_BUTTON = ("reply", "take", "resolve", "wontfix")


def answer_as(
    session: Session, platform: str, user_id: str, blocker_id: int, action: str, note: str | None, now: datetime
) -> BlockerActed | BlockerRefused:
    """A lead's answer from a button or a form, as `blockers ACTION ID NOTE` typed: the chat user
    is the one the platform gave, and act() checks that they lead the blocker's programme."""
    rows = [(m, p) for m, p in memberships(session, platform, user_id) if Role(m.role) in ANSWERING]
    if not rows:
        return BlockerRefused(JOIN_TEXT if not memberships(session, platform, user_id) else _OBSERVING)
    if action not in ANSWERED_BY_BUTTON:
        return BlockerRefused(f"“{action}” is not something you can do to a blocker here. {USAGE}")
    return act(session, rows, blocker_id, action, note, now)


def may_answer(session: Session, platform: str, user_id: str, blocker_id: int) -> BlockerView | BlockerRefused:
    """The blocker before its form opens, when the asker leads its programme; why not otherwise.
    Reads only: the answer itself goes through act()."""
    rows = memberships(session, platform, user_id)
    if not rows:
        return BlockerRefused(JOIN_TEXT)
    blocker = session.get(Blocker, blocker_id)
    member = next((m for m, _ in rows if blocker is not None and m.programme_id == blocker.programme_id), None)
    if blocker is None or member is None:
        return BlockerRefused(f"There is no blocker {blocker_id} in your programme; `blockers` lists them.")
    if Role(member.role) not in LEADS:
        return BlockerRefused("Only the programme's leads answer blockers from the brief; `blockers` shows yours.")
    return view_of(session, blocker)


_OBSERVING = "Blockers are for the programme's partners to raise and its leads to answer; you are an observer."


def answered_by_decision(
    session: Session, programme_id: int, member_id: int, blocker_ids: tuple[int, ...], text: str, now: datetime
) -> str | None:
    """A decision that answers blockers (`/winter decide ... answers 12`): a "decided" step in each
    one's thread, with the decision's words. None when done; else why not (nothing written)."""
    found = {b.id: b for b in session.exec(select(Blocker).where(col(Blocker.id).in_(blocker_ids))).all()}
    missing = [i for i in blocker_ids if i not in found or found[i].programme_id != programme_id]
    if missing:
        return f"There is no blocker {missing[0]} in this programme; `/winter blockers` lists them by number."
    for blocker_id in blocker_ids:
        _move(session, found[blocker_id], member_id, "decided", text, now)
    return None
