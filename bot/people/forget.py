"""Forgetting a person on request (`winterbot forget`): their identifiers and their words removed
from a programme, the figures and counts left as they were.

- Their member row stays, archived, named "forgotten member 12" with no chat id, email, mobile,
  time zone or away dates, so every check-in, spend figure and level they gave still counts and
  the programme's history still adds up.
- Their words (bot.people.words) are replaced by a marker, and so are the audit trail's copies
  of them and the risk register's quotes of their blockers.
- Their name and ids are replaced wherever else they appear: others' words, the risk register
  (a silent partner's risk names them), the delivery ledger's keys and targets (a DM is keyed
  by their chat id) and Notify receipts' references to those keys, the audit trail's actor ids.
- The Teams chats kept for them are deleted, and a Slack installation they made keeps neither
  their user id nor their own token (the workspace's bot token stays), once no live membership
  is left under those ids.

One audit row says that a forget happened and how many rows of each kind it changed, without
the identifiers. Someone forgotten is no longer found by any identifier, so a second forget
finds nothing left.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, func, or_, select, update
from sqlmodel import Session, col

from bot.people.person import identifiers, their_conversations
from bot.people.words import ON_REQUEST, RISK_DETAILS, WORDS, remove_audit_words, remove_words
from models.tables import (
    AuditEvent,
    Blocker,
    ConversationRef,
    Delivery,
    Member,
    NotifyReceipt,
    Programme,
    Risk,
    row_id,
)
from models.vocabulary import Platform
from models.workspaces import slack_installations

ACTION = "member.forgotten"
MEMBER_ROWS = "member records (name, chat id, email, mobile, time zone, away dates)"
RISK_QUOTES = "risk details quoting their blockers"
AUDIT_COPIES = "copies of their words in the audit trail"
MENTIONS = "mentions of their name or ids in others' words and the risk register"
DELIVERIES = "delivery keys and targets naming them"
RECEIPTS = "Notify receipt references to those keys"
AUDIT_ACTORS = "audit trail rows naming them"
CHATS = "Teams chats kept for them"
INSTALLS = "Slack installations they made (their user id and user token)"
AWAY_DATES = "their away dates in the audit trail"
AWAY_ACTIONS = ("member.away", "member.back")


def forgotten_name(member_id: int) -> str:
    return f"forgotten member {member_id}"


def forgotten_id(member_id: int) -> str:
    return f"forgotten-{member_id}"


def forget_member(
    session: Session, member: Member, programme: Programme, now: datetime, actor: str, *, dry_run: bool = False
) -> Counter[str]:
    """Remove one member row's identifiers and words from its programme; the rows of each kind
    changed (or that would be, with `dry_run`)."""
    mid, pid = row_id(member), row_id(programme)
    chats = their_conversations(session, member)
    needles = identifiers(member, chats)
    removed: Counter[str] = Counter()
    removed[MEMBER_ROWS] = 1
    for words in WORDS:
        assert words.author is not None
        where = words.in_programme(pid) & words.by([mid])
        removed[words.kind] = remove_words(session, words, where, ON_REQUEST, dry_run=dry_run)
    theirs = select(col(Blocker.id)).where(col(Blocker.raised_by_member_id) == mid)
    quoted = select(col(Risk.id)).where(col(Risk.programme_id) == pid, _quotes_blockers(session, theirs))
    removed[RISK_QUOTES] = remove_words(session, RISK_DETAILS, col(Risk.id).in_(quoted), ON_REQUEST, dry_run=dry_run)
    removed[AUDIT_COPIES] = remove_audit_words(
        session, col(AuditEvent.member_id) == mid, ON_REQUEST, programme_id=pid, dry_run=dry_run
    )
    removed[AWAY_DATES] = _drop_away_dates(session, mid, dry_run)
    replace = _Replacer(needles, member.name, mid)
    for words in WORDS:  # others' words: theirs were removed whole above
        others = words.in_programme(pid) & words.not_by(mid)
        removed[MENTIONS] += _sweep(session, words.model, words.column, others, replace, dry_run)
    removed[MENTIONS] += _sweep(session, Risk, "detail", col(Risk.programme_id) == pid, replace, dry_run)
    removed[MENTIONS] += _sweep(session, Risk, "title", col(Risk.programme_id) == pid, replace, dry_run)
    removed[DELIVERIES], removed[RECEIPTS] = _sweep_deliveries(session, pid, replace, dry_run)
    removed[AUDIT_ACTORS] = _sweep_audit(session, pid, replace, dry_run)
    still_here = _still_a_member_elsewhere(session, member)
    removed[CHATS] = 0 if still_here else _drop_chats(session, chats, dry_run)
    removed[INSTALLS] = 0 if still_here else _slack_installer(session, member, dry_run)
    if not dry_run:
        _neutralise(member, now)
        session.add(member)
        session.add(_audit(pid, mid, actor, removed, now))
    session.flush()
    return removed


def _quotes_blockers(session: Session, blocker_ids: Any) -> ColumnElement[bool]:
    """Risks raised about their blockers (rule blocker_unanswered, subject `blocker:ID`)."""
    ids = session.execute(blocker_ids).scalars().all()
    return col(Risk.subject).in_([f"blocker:{each}" for each in ids])


class _Replacer:
    """Every identifier in a text replaced: their name by "forgotten member N", an id by "forgotten-N".
    Whole words only, so one id is not found inside a longer one; `needles` pre-filter rows in SQL."""

    def __init__(self, needles: list[str], name: str, member_id: int) -> None:
        self.needles = needles
        self._pattern = re.compile(
            r"(?<![\w@.+-])(" + "|".join(re.escape(n) for n in needles) + r")(?![\w@-])", re.IGNORECASE
        )
        self._name = name.casefold()
        self._member_id = member_id

    def __call__(self, text: str) -> str:
        return self._pattern.sub(self._one, text)

    def _one(self, found: re.Match[str]) -> str:
        if found.group(0).casefold() == self._name:
            return forgotten_name(self._member_id)
        return forgotten_id(self._member_id)


def _mentioning(column: Any, needles: list[str]) -> ColumnElement[bool]:
    return or_(*(func.lower(column).contains(n.lower(), autoescape=True) for n in needles))


def _sweep(
    session: Session,
    model: Any,
    column: str,
    where: ColumnElement[bool],
    replace: _Replacer,
    dry_run: bool,
) -> int:
    """Replace identifiers in one text column of the rows `where` picks; how many rows changed."""
    field = col(getattr(model, column))
    rows = session.execute(select(model).where(where, _mentioning(field, replace.needles))).scalars()
    changed = 0
    for row in rows:
        before = getattr(row, column)
        after = replace(before)
        if after != before:
            changed += 1
            if not dry_run:
                setattr(row, column, after)
                session.add(row)
    return changed


def _sweep_deliveries(session: Session, pid: int, replace: _Replacer, dry_run: bool) -> tuple[int, int]:
    """The ledger's keys and targets (a chat member's DM is keyed by their chat id), and the Notify
    receipts that refer to a key, renamed together so each still finds its delivery."""
    needles = replace.needles
    picked = or_(*(_mentioning(col(getattr(Delivery, c)), needles) for c in ("key", "target", "last_error")))
    deliveries = receipts = 0
    for row in session.execute(select(Delivery).where(col(Delivery.programme_id) == pid, picked)).scalars():
        old_key = row.key
        new = {c: replace(v) if isinstance(v := getattr(row, c), str) else v for c in ("key", "target", "last_error")}
        if all(new[c] == getattr(row, c) for c in new):
            continue
        deliveries += 1
        found = session.execute(select(NotifyReceipt).where(col(NotifyReceipt.reference) == old_key)).scalars().all()
        receipts += len(found) if new["key"] != old_key else 0
        if dry_run:
            continue
        for c, value in new.items():
            setattr(row, c, value)
        session.add(row)
        for receipt in found:
            receipt.reference = new["key"]
            session.add(receipt)
    return deliveries, receipts


def _sweep_audit(session: Session, pid: int, replace: _Replacer, dry_run: bool) -> int:
    """The audit trail's actor ids (`slack:U…`), subjects and details that name them."""
    changed = 0
    for event in session.execute(select(AuditEvent).where(col(AuditEvent.programme_id) == pid)).scalars():
        actor, subject, detail = replace(event.actor), _maybe(replace, event.subject), _walk(event.detail, replace)
        if (actor, subject, detail) == (event.actor, event.subject, event.detail):
            continue
        changed += 1
        if not dry_run:
            event.actor, event.subject, event.detail = actor, subject, detail
            session.add(event)
    return changed


def _drop_away_dates(session: Session, mid: int, dry_run: bool) -> int:
    """When they said they were away (bot.people.away): the dates go, the row that it happened stays."""
    rows = session.execute(
        select(AuditEvent).where(col(AuditEvent.member_id) == mid, col(AuditEvent.action).in_(AWAY_ACTIONS))
    ).scalars()
    changed = 0
    for event in rows:
        if event.detail:
            changed += 1
            if not dry_run:
                event.detail = {}
                session.add(event)
    return changed


def _maybe(replace: _Replacer, text: str | None) -> str | None:
    return None if text is None else replace(text)


def _walk(value: Any, replace: _Replacer) -> Any:
    if isinstance(value, str):
        return replace(value)
    if isinstance(value, dict):
        return {key: _walk(each, replace) for key, each in value.items()}
    if isinstance(value, list):
        return [_walk(each, replace) for each in value]
    return value


def _still_a_member_elsewhere(session: Session, member: Member) -> bool:
    """Whether a live membership on another programme still uses the same chat id (forgotten on
    one programme only): then the chats and the installation it reaches them by are still needed."""
    return bool(
        session.execute(
            select(func.count())
            .select_from(Member)
            .where(
                col(Member.platform_user_id) == member.platform_user_id,
                col(Member.id) != row_id(member),
                col(Member.archived_at).is_(None),
            )
        ).scalar_one()
    )


def _drop_chats(session: Session, chats: list[ConversationRef], dry_run: bool) -> int:
    """The Teams chats kept for them."""
    if chats and not dry_run:
        session.execute(delete(ConversationRef).where(col(ConversationRef.id).in_([row_id(c) for c in chats])))
    return len(chats)


def _slack_installer(session: Session, member: Member, dry_run: bool) -> int:
    """A Slack installation they made keeps their user id and, with user scopes, their own token:
    the id is replaced and their token dropped; the workspace's bot token, which is not theirs, stays."""
    if member.platform != Platform.SLACK.value:
        return 0
    installs = slack_installations
    theirs = installs.c.user_id == member.platform_user_id
    found = int(session.execute(select(func.count()).select_from(installs).where(theirs)).scalar_one())
    if found and not dry_run:
        session.execute(
            update(installs)
            .where(theirs)
            .values(
                user_id=forgotten_id(row_id(member)),
                user_token=None,
                user_refresh_token=None,
                user_scopes=None,
                user_token_expires_at=None,
            )
        )
    return found


def _neutralise(member: Member, now: datetime) -> None:
    mid = row_id(member)
    member.name = forgotten_name(mid)
    member.platform_user_id = forgotten_id(mid)
    member.email = member.mobile = member.timezone = None
    member.away_until = None
    if member.archived_at is None:
        member.archived_at = now


def _audit(pid: int, mid: int, actor: str, removed: Counter[str], now: datetime) -> AuditEvent:
    """That a forget happened, by whom (the operator, never the person), and the counts only."""
    return AuditEvent(
        programme_id=pid,
        member_id=mid,
        actor=actor,
        action=ACTION,
        subject=f"member:{mid}",
        detail={"removed": {kind: count for kind, count in removed.items() if count}},
        at=now,
    )
