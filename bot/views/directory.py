"""Who is on which programme, and each programme's data version, held in memory for at most a
second: so a read whose answer is already computed (bot.views.status_cache) is answered without a
round trip to the database, and without waiting for a database thread behind the partners'
check-ins.

Platform-neutral. What the memory may hold back, and for how long:

- Any commit in this process through the same engine (a check-in, a decision, a programme file
  loaded by this process) makes everything held stale at once: a read after a write in this
  process always asks the database again.
- A write by another process (the clock, `winterbot load`, another web process) is seen within
  MAX_AGE_SECONDS: a lead removed from the programme file stops seeing the status screen within
  a second, and a check-in stored elsewhere shows within a second.

The directory of memberships is read whole (every live membership of every programme, with its
organisation and programme) and read again only when its *signature* moves: one statement of
maxima and counts over member, organisation, programme and audit_event (the loader writes one
audit event per load, so edits in place of names and roles move it). A programme's version is
bot.views.status_cache's, read per programme when asked for.

Callers on the event loop use `memberships` and `version`, which never touch the database and
return None when what they hold is stale; `refresh` (on a database thread, in the caller's
session) brings them up to date.
"""

from __future__ import annotations

import itertools
import threading
import time
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.common.calendar import local_date
from bot.views.status_cache import Membership, ScreenCache, ScreenKey, Version, programme_version

MAX_AGE_SECONDS = 1.0

_SIGNATURE_SQL = text(
    "SELECT "
    + " || '|' || ".join(
        f"COALESCE(CAST({value} AS VARCHAR), '')"
        for value in (
            "(SELECT max(id) FROM member)",
            "(SELECT count(*) FROM member WHERE archived_at IS NOT NULL)",
            "(SELECT max(archived_at) FROM member)",
            "(SELECT max(id) FROM organisation)",
            "(SELECT count(*) FROM organisation WHERE archived_at IS NOT NULL)",
            "(SELECT max(archived_at) FROM organisation)",
            "(SELECT count(*) FROM programme)",
            "(SELECT max(id) FROM programme)",
            "(SELECT max(updated_at) FROM programme)",
            "(SELECT max(id) FROM audit_event)",
        )
    )
)
_MEMBERSHIPS_SQL = text("""
    SELECT m.platform, m.platform_user_id, m.id, m.name, m.role, m.organisation_id, o.name,
           p.id, p.slug, p.name, p.timezone, p.slack_team_id, p.slack_enterprise_id, p.teams_tenant_id
    FROM member m
    JOIN programme p ON p.id = m.programme_id
    LEFT JOIN organisation o ON o.id = m.organisation_id
    WHERE m.archived_at IS NULL
    ORDER BY p.id, m.id
""")


Memberships = dict[tuple[str, str], tuple[Membership, ...]]
Owner = tuple[str | None, str | None, str | None]  # a programme's Slack team, Grid organisation, Teams tenant


@dataclass(frozen=True)
class _Held:
    value: Any
    read_at: float  # the clock when the reading began: what was read is at least this old
    generation: int  # this process's commits counted when the reading began


class Directory:
    """The memberships of every chat user and the versions of their programmes, as last read.
    Thread-safe: `memberships` and `version` read what is held; `refresh` replaces it whole."""

    def __init__(self, max_age: float = MAX_AGE_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_age, self.clock = max_age, clock
        self._commits = itertools.count(1)
        self._generation = 0
        self._signature: _Held | None = None
        self._memberships: tuple[str, Memberships] | None = None  # signature read with, memberships
        self._owners: dict[int, Owner] = {}  # read with the memberships
        self._versions: dict[int, _Held] = {}
        self._refreshing = threading.Lock()

    def committed(self, *_: object) -> None:
        """A commit in this process: nothing held may be used until read again."""
        self._generation = next(self._commits)

    def memberships(self, platform: str, user_id: str) -> tuple[Membership, ...] | None:
        """The user's live memberships, oldest programme first (empty: on no programme); None
        when the directory is stale."""
        signature, held = self._signature, self._memberships
        if signature is None or held is None or not self._fresh(signature):
            return None
        read_with, by_user = held
        if read_with != signature.value:
            return None
        return by_user.get((platform, user_id), ())

    def owners(self, platform: str, user_ids: Iterable[str]) -> list[Owner] | None:
        """The owners of the programmes these ids (one person's) are live members of, for the
        check of each request's workspace (bot.people.tenancy); None when the directory is stale."""
        found: list[Owner] = []
        for user_id in user_ids:
            held = self.memberships(platform, user_id)
            if held is None:
                return None
            found += [self._owners[m.programme_id] for m in held if m.programme_id in self._owners]
        return found

    def version(self, programme_id: int) -> Version | None:
        held = self._versions.get(programme_id)
        return held.value if held is not None and self._fresh(held) else None

    def refresh(self, session: Session, platform: str, user_id: str) -> None:
        """Bring the directory and the versions of this user's programmes up to date, reading
        only what is stale. One caller at a time: the others then find it fresh."""
        with self._refreshing:
            if self.memberships(platform, user_id) is None:
                self._read_directory(session)
            for membership in self.memberships(platform, user_id) or ():
                if self.version(membership.programme_id) is None:
                    self._read_version(session, membership.programme_id)

    def _read_directory(self, session: Session) -> None:
        started, generation = self.clock(), self._generation
        connection = session.connection()
        signature = connection.execute(_SIGNATURE_SQL).scalar_one()
        if self._memberships is None or self._memberships[0] != signature:
            rows = connection.execute(_MEMBERSHIPS_SQL).all()
            self._owners = {row[7]: (row[11], row[12], row[13]) for row in rows}
            self._memberships = (signature, _by_user(row[:11] for row in rows))
        self._signature = _Held(signature, started, generation)

    def _read_version(self, session: Session, programme_id: int) -> None:
        started, generation = self.clock(), self._generation
        version = programme_version(session, programme_id)
        if version is not None:
            self._versions[programme_id] = _Held(version, started, generation)

    def _fresh(self, held: _Held | None) -> bool:
        return held is not None and held.generation == self._generation and self.clock() - held.read_at < self.max_age


def _by_user(rows: Iterable[Any]) -> Memberships:
    found: dict[tuple[str, str], list[Membership]] = {}
    for platform, user_id, *rest in rows:
        member_id, name, role, organisation_id, organisation_name, *programme = rest
        found.setdefault((platform, user_id), []).append(
            Membership(member_id, name, role, organisation_id, organisation_name or "", *programme)
        )
    return {key: tuple(value) for key, value in found.items()}


def chosen(memberships: tuple[Membership, ...], leading: Iterable[str]) -> Membership | None:
    """The membership a view is for: the first where the user leads, else the first (as
    bot.reports.leads_view.choose)."""
    roles = frozenset(leading)
    return next((m for m in memberships if m.role in roles), memberships[0] if memberships else None)


def held_view(
    directory: Directory, screens: ScreenCache, membership: Membership, now: datetime, kind: str = "status"
) -> tuple[ScreenKey, Any] | None:
    """The view of `kind` of the membership's programme at `now`, with its key, when the
    programme's version is held and the view was computed for it; else None."""
    version = directory.version(membership.programme_id)
    if version is None:
        return None
    key = ScreenKey(screens.serial, membership.programme_id, version, local_date(now, membership.timezone), kind)
    value = screens.peek(key)
    return None if value is None else (key, value)


_BY_ENGINE: weakref.WeakKeyDictionary[Engine, Directory] = weakref.WeakKeyDictionary()
_REGISTRY_LOCK = threading.Lock()


def directory_for(engine: Engine) -> Directory:
    """The process's directory for the database of `engine`, told of every commit made through it."""
    with _REGISTRY_LOCK:
        found = _BY_ENGINE.get(engine)
        if found is None:
            found = _BY_ENGINE[engine] = Directory()
            event.listen(engine, "commit", found.committed)
        return found
