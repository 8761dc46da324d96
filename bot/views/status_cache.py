"""The status screen, and the other read-only views (spend, risks, response rates), computed
once per change of their data, not once per request.

Platform-neutral. A programme's *data version* is one SQL statement of maxima and counts over
the rows the status screen reads (bot.reports.status), each a scalar subquery that its index answers
without reading the rows (about 50 microseconds on SQLite, whatever the size of the winter):

- the append-only ledgers: the newest id of check_in, spend_report, capacity_report and decision;
- risks: the newest id and `updated_at` (every change of a risk, and so every event in its
  history, sets it to the time of the change);
- members: how many, the newest id, how many are archived and the latest `archived_at`, how many
  are away and the latest `away_until`;
- organisations, schemes and tranches: the newest id, how many are archived and the latest
  `archived_at`;
- the newest audit_event of the programme: loading the programme file (names, roles,
  organisations' services, budgets: edits in place that carry no timestamp of their own) and
  `away`/`back` each write one;
- programme.updated_at (the loader sets it when the programme's own fields or settings change),
  taken from the Programme row the screen is computed from, so a screen is never filed under a
  newer programme than it was computed with; the rest is read after it, and the screen after that.

A computed screen is keyed by (the cache, programme id, data version, local date): nothing else
on the screen depends on the time of day (quiet partners, today's count, stale cells and risk
ages all go by the local date; `StatusScreen.now` is the instant of the first computation and is
not shown). Any writer in any process (the web workers, the clock, the CLI) changes the version
by writing, so nobody has to remember to invalidate. A write the version does not see (an edit
in place of a member or organisation by hand in SQL) shows at the next local date or the next
write that it does see.

`asker` reads who is asking (their membership, chosen as bot.reports.leads_view chooses) and their
programme's version in one statement, so a request for a cached screen is one round trip.

`ScreenCache` keeps the last MAX_SCREENS values (LRU) and computes a missing one once: requests
arriving together for the same key wait for the first one's result (a lock per key) rather than
each computing it. It is thread-safe: callers run on worker threads, each in its own session.
There is one cache per engine (`screens_for`), so two databases in one process never share one.
Besides the status screen (`screen`, `screen_of`), `view` keeps any other value computed from
the same data under a `kind` of its own ("spend", "risks", "engagement"), keyed the same way.
"""

from __future__ import annotations

import functools
import itertools
import re
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.common.calendar import local_date
from models.tables import Programme
from models.types import UTCDateTime

MAX_SCREENS = 128  # a few programmes x a day or two x the last few versions x the kinds of view
T = TypeVar("T")

Version = tuple[Any, ...]  # (programme.updated_at, the rest as one string)
Compute = Callable[[Session, Programme, datetime], Any]  # the status screen (bot.reports.status)


@dataclass(frozen=True)
class ScreenKey:
    cache: int  # which ScreenCache (so which database) computed it
    programme_id: int
    version: Version
    today: date
    kind: str = "status"


def _version_sql(programme: str) -> str:
    """The version column for a programme id given by the SQL expression `programme`.

    Each value is a scalar subquery on an index whose leading column is programme_id: a maximum
    is the last entry of the index's range and a count of archived or away rows reads only those,
    so neither database reads the programme's rows (the indexes are in models.tables). The values
    are joined into one string (NULL as empty): one column to describe and convert instead of 22,
    which costs the drivers more than the query. Plain SQL, the same on SQLite and PostgreSQL."""
    p = programme
    values = [
        *(
            f"(SELECT max(id) FROM {table} WHERE programme_id = {p})"
            for table in ("check_in", "spend_report", "capacity_report", "decision", "audit_event", "risk")
        ),
        f"(SELECT max(updated_at) FROM risk WHERE programme_id = {p})",
        f"(SELECT count(*) FROM member WHERE programme_id = {p})",
        f"(SELECT count(*) FROM member WHERE programme_id = {p} AND away_until IS NOT NULL)",
        f"(SELECT max(away_until) FROM member WHERE programme_id = {p})",
    ]
    for table in ("member", "organisation", "scheme", "tranche"):
        values += [
            f"(SELECT max(id) FROM {table} WHERE programme_id = {p})",
            f"(SELECT count(*) FROM {table} WHERE programme_id = {p} AND archived_at IS NOT NULL)",
            f"(SELECT max(archived_at) FROM {table} WHERE programme_id = {p})",
        ]
    return " || '|' || ".join(f"COALESCE(CAST({value} AS VARCHAR), '')" for value in values) + " AS version"


VERSION_SQL = text(f"SELECT {_version_sql(':p')}")

# Who is asking and their programme's version, in one statement: the live memberships of the chat
# user (bot.people.membership.memberships), the first where they lead, else the first (bot.reports.leads_view.choose).
# {platform} and {user_id} are the driver's parameter markers, {leading} the leading roles.
ASKER_TEMPLATE = f"""
    WITH chosen AS (
      SELECT m.id AS member_id, m.name AS member_name, m.role AS role, m.organisation_id AS organisation_id,
             o.name AS organisation_name, p.id AS programme_id, p.slug AS programme_slug,
             p.name AS programme_name, p.timezone AS timezone, p.updated_at AS updated_at
      FROM member m
      JOIN programme p ON p.id = m.programme_id
      LEFT JOIN organisation o ON o.id = m.organisation_id
      WHERE m.platform = {{platform}} AND m.platform_user_id = {{user_id}} AND m.archived_at IS NULL
      ORDER BY CASE WHEN m.role IN ({{leading}}) THEN 0 ELSE 1 END, p.id
      LIMIT 1
    )
    SELECT chosen.member_id, chosen.member_name, chosen.role, chosen.organisation_id, chosen.organisation_name,
           chosen.programme_id, chosen.programme_slug, chosen.programme_name, chosen.timezone, chosen.updated_at,
           {_version_sql("chosen.programme_id")}
    FROM chosen
    """
_ROLE = re.compile(r"[a-z_]+")
_MARKERS = {"sqlite": ":{}"}  # the sqlite3 module takes named parameters; psycopg's style otherwise


@dataclass(frozen=True)
class Membership:
    """One live membership of a chat user, as bot.people.membership.memberships would give it."""

    member_id: int
    member_name: str
    role: str
    organisation_id: int
    organisation_name: str
    programme_id: int
    programme_slug: str
    programme_name: str
    timezone: str


@dataclass(frozen=True)
class Asker(Membership):
    """A chat user's chosen membership (see ASKER_SQL) and their programme's data version."""

    version: Version


def asker(session: Session, platform: str, user_id: str, leading: Iterable[str]) -> Asker | None:
    """Who is asking (their membership chosen as bot.reports.leads_view.choose does, `leading` the roles
    that lead) and their programme's data version, in one statement; None when on no programme.

    Handed to the driver as written for it once per dialect and set of roles: this runs on every
    cached read, and SQLAlchemy's compiling of an IN list and describing of the result each time
    cost more than the query itself (on SQLite 230 us of CPU a request, the query 60 us of it)."""
    connection = session.connection()
    sql = _asker_sql(connection.dialect.name, tuple(leading))
    row = connection.exec_driver_sql(sql, {"platform": platform, "user_id": user_id}).first()
    if row is None:
        return None
    updated_at = _UTC.process_result_value(_as_datetime(row[9]), connection.dialect)
    member_id, member_name, role, organisation_id, organisation_name, programme_id, slug, name, timezone = row[:9]
    return Asker(
        member_id,
        member_name,
        role,
        organisation_id,
        organisation_name,
        programme_id,
        slug,
        name,
        timezone,
        version=(updated_at, *row[10:]),
    )


@functools.cache
def _asker_sql(dialect: str, leading: tuple[str, ...]) -> str:
    if not leading or not all(_ROLE.fullmatch(role) for role in leading):
        raise ValueError(f"roles are lower-case words: {leading!r}")
    marker = _MARKERS.get(dialect, "%({})s")
    roles = ", ".join(f"'{role}'" for role in leading)
    return ASKER_TEMPLATE.format(platform=marker.format("platform"), user_id=marker.format("user_id"), leading=roles)


_UTC = UTCDateTime()


def _as_datetime(value: Any) -> Any:
    """SQLite hands a stored instant back as text to a bare driver statement."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value


@functools.cache
def _programme_version_sql(dialect: str) -> str:
    marker = _MARKERS.get(dialect, "%({})s").format("p")
    return f"SELECT p.updated_at, {_version_sql('p.id')} FROM programme p WHERE p.id = {marker}"


def programme_version(session: Session, programme_id: int) -> Version | None:
    """The programme's data version as `asker` reads it with the asker (None: no such programme)."""
    connection = session.connection()
    row = connection.exec_driver_sql(_programme_version_sql(connection.dialect.name), {"p": programme_id}).first()
    if row is None:
        return None
    return (_UTC.process_result_value(_as_datetime(row[0]), connection.dialect), *row[1:])


def data_version(session: Session, programme: Programme) -> Version:
    """The programme's data version: equal as long as nothing the status screen reads has changed.
    Its first part is `programme.updated_at` as read (the row the screen is computed from); the
    rest is read now, so a screen computed after it is at least as new."""
    row = session.connection().execute(VERSION_SQL, {"p": programme.id}).one()
    return (programme.updated_at, *row)


class ScreenCache:
    """Computed status screens by ScreenKey: bounded, thread-safe, each key computed once."""

    _serials = itertools.count(1)

    def __init__(self, size: int = MAX_SCREENS, compute: Compute | None = None) -> None:
        self.serial = next(self._serials)
        self.size = size
        self.compute = compute
        self._screens: OrderedDict[ScreenKey, Any] = OrderedDict()
        self._building: dict[ScreenKey, threading.Lock] = {}
        self._lock = threading.Lock()

    def key(self, session: Session, programme: Programme, now: datetime) -> ScreenKey:
        assert programme.id is not None
        today = local_date(now, programme.timezone)
        return ScreenKey(self.serial, programme.id, data_version(session, programme), today)

    def screen(
        self, session: Session, programme: Programme, now: datetime, compute: Compute | None = None
    ) -> tuple[ScreenKey, Any]:
        """The screen of `programme` at `now`: cached for the programme's data version and local
        date, computed in `session` when it is not (see `_compute`)."""
        key = self.key(session, programme, now)
        build = self._compute(compute)
        return key, self.get_or_compute(key, lambda: build(session, programme, now))

    def view(
        self, session: Session, programme: Programme, now: datetime, kind: str, compute: Callable[[], T]
    ) -> tuple[ScreenKey, T]:
        """Another view of `programme` at `now` (spend, risks, ...): cached like the screen, under
        its own kind; `compute` runs in the caller's session after the version was read."""
        key = replace(self.key(session, programme, now), kind=kind)
        return key, self.get_or_compute(key, compute)

    def screen_of(
        self, session: Session, found: Asker, now: datetime, compute: Compute | None = None
    ) -> tuple[ScreenKey, Any]:
        """The screen of the asker's programme at `now`, keyed by the version read with them; when
        it is not cached, computed in `session` from the programme as it is now (as new as the key
        or newer: a screen is never older than its key)."""
        key = ScreenKey(self.serial, found.programme_id, found.version, local_date(now, found.timezone))

        run = self._compute(compute)

        def build() -> Any:
            programme = session.get(Programme, found.programme_id)
            assert programme is not None
            return run(session, programme, now)

        return key, self.get_or_compute(key, build)

    def _compute(self, compute: Compute | None) -> Compute:
        """The cache's own computation when it was made with one (a test counting them), else the
        caller's: the process's caches (`screens_of`) are made without, as this layer cannot
        import the status screen above it."""
        chosen = self.compute or compute
        if chosen is None:
            raise ValueError("no computation given for the status screen")
        return chosen

    def peek(self, key: ScreenKey) -> Any:
        """What is held under `key`, or None: never computes."""
        return self._get(key)

    def get_or_compute(self, key: ScreenKey, build: Callable[[], T]) -> T:
        found = self._get(key)
        if found is not None:
            return found
        with self._lock:
            building = self._building.setdefault(key, threading.Lock())
        with building:  # the first caller computes; the others wait here, then find it
            found = self._get(key)
            if found is not None:
                return found
            try:
                screen = build()
                with self._lock:
                    self._screens[key] = screen
                    self._screens.move_to_end(key)
                    while len(self._screens) > self.size:
                        self._screens.popitem(last=False)
            finally:
                with self._lock:
                    self._building.pop(key, None)
        return screen

    def _get(self, key: ScreenKey) -> Any:
        with self._lock:
            found = self._screens.get(key)
            if found is not None:
                self._screens.move_to_end(key)
            return found

    def clear(self) -> None:
        with self._lock:
            self._screens.clear()


def cached_view(
    views: ScreenCache | None,
    session: Session,
    programme: Programme,
    now: datetime,
    kind: str,
    compute: Callable[[], T],
) -> T:
    """`compute()`, taken from `views` (once per change of the programme's data) when given."""
    return views.view(session, programme, now, kind, compute)[1] if views is not None else compute()


_BY_ENGINE: weakref.WeakKeyDictionary[Engine, ScreenCache] = weakref.WeakKeyDictionary()
_REGISTRY_LOCK = threading.Lock()


def screens_for(session: Session) -> ScreenCache:
    """The process's cache of screens for the database `session` is bound to."""
    bind = session.get_bind()
    return screens_of(bind if isinstance(bind, Engine) else bind.engine)


def screens_of(engine: Engine) -> ScreenCache:
    """The process's cache of screens for the database of `engine`."""
    with _REGISTRY_LOCK:
        cache = _BY_ENGINE.get(engine)
        if cache is None:
            cache = _BY_ENGINE[engine] = ScreenCache()
        return cache
