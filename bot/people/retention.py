"""How long people's words are kept: until `keep_words_days` calendar days after the programme's
deadline (WINTERBOT_KEEP_WORDS_DAYS, 180 unless set), then removed from every column of free text
(bot.people.words) and the audit trail's copies of them. The numbers, levels, dates and counts
stay, so the status, the return and the history read as before; only the words go.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlmodel import Session

from bot.common.wording import plural
from bot.people.words import AFTER_RETENTION, RISK_DETAILS, WORDS, remove_audit_words, remove_words
from models.tables import AuditEvent, Programme, row_id

AUDIT_KIND = "copies in the audit trail"
ACTOR = "words-retention"
ACTION = "words.removed"


def words_removed_after(programme: Programme, keep_days: int) -> date:
    """The last local date the programme's words are kept; they are removed from the day after."""
    return programme.deadline + timedelta(days=keep_days)


def words_due_for_removal(programme: Programme, keep_days: int, today: date) -> bool:
    return today > words_removed_after(programme, keep_days)


@dataclass
class Removed:
    """What was removed (or would be), by kind: counts of rows, never the words."""

    counts: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def words(self) -> str:
        """'check-in comments 3, decisions 1': the kinds are plural nouns, the counts after them."""
        return ", ".join(f"{kind} {count}" for kind, count in self.counts.items() if count) or "nothing"


def remove_programme_words(session: Session, programme: Programme, now: datetime, *, dry_run: bool = False) -> Removed:
    """Every person's words on the programme replaced by the retention marker; what was removed.
    A second run finds only markers and removes nothing. A removal is put in the audit trail (the
    counts only), which also moves the programme's data version (bot.views.status_cache), so no
    view computed before it is shown again."""
    pid = row_id(programme)
    removed = Removed()
    for words in (*WORDS, RISK_DETAILS):
        removed.counts[words.kind] = remove_words(
            session, words, words.in_programme(pid), AFTER_RETENTION, dry_run=dry_run
        )
    removed.counts[AUDIT_KIND] = remove_audit_words(session, None, AFTER_RETENTION, programme_id=pid, dry_run=dry_run)
    if removed.total and not dry_run:
        counts = {kind: count for kind, count in removed.counts.items() if count}
        session.add(
            AuditEvent(
                programme_id=pid, actor=ACTOR, action=ACTION, subject=programme.slug, detail={"removed": counts}, at=now
            )
        )
    session.flush()
    return removed


def retention_line(programme: Programme, keep_days: int, today: date, removed: Removed | None) -> str:
    """What the retention job says for a programme: when words go, or what went."""
    until = words_removed_after(programme, keep_days)
    if removed is None:
        return (
            f"nothing removed: words are kept until {until:%d %b %Y} "
            f"({plural(keep_days, 'day')} after the deadline, {programme.deadline:%d %b %Y})"
        )
    if not removed.total:
        return f"nothing left to remove: the words were kept until {until:%d %b %Y} and have gone"
    return f"removed the words of {removed.words()} (kept until {until:%d %b %Y}); the figures are kept"
