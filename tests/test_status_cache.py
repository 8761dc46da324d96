"""The status screen computed once per change (bot.views.status_cache), on SQLite and PostgreSQL: a cached
screen is reused for the same key and recomputed after a write; each viewing variant gets its own
rendering; concurrent first requests compute once; the spend, risks and response-rate views are
cached alike. The data version and who is asking are in test_status_cache_version.py."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlmodel import Session, select
from status_cache_support import (
    BOB,
    LEAD,
    NOW,
    OBSERVER,
    TODAY,
    _checkin,
    _programme,
    db,  # noqa: F401 (a fixture)
)

from bot.reports.leads_view import CachedStatus, cached_status_for, engagement_for, home_for, status_for
from bot.reports.status import StatusScreen, status_screen
from bot.risks.register import raise_risk
from bot.views.status_cache import ScreenCache, screens_for
from handlers.slack.blocks.status import status_blocks, status_text
from handlers.slack.commands.status import RenderedStatus
from models.db import session_scope
from models.tables import Programme, Scheme, SpendReport
from models.vocabulary import Severity

# -- the cache -----------------------------------------------------------------------------


class Counting:
    """The real status_screen, counted (and slowed, to widen a race)."""

    def __init__(self, pause: float = 0.0) -> None:
        self.calls = 0
        self.pause = pause
        self._lock = threading.Lock()

    def __call__(self, session: Session, programme: Programme, now: datetime) -> StatusScreen:
        with self._lock:
            self.calls += 1
        if self.pause:
            threading.Event().wait(self.pause)
        return status_screen(session, programme, now)


def _cached(engine, screens: ScreenCache, user_id: str = LEAD, now: datetime = NOW) -> CachedStatus:
    with session_scope(engine) as s:
        found = cached_status_for(s, "slack", user_id, now, screens)
        assert isinstance(found, CachedStatus)
        return found


def test_a_screen_is_reused_for_its_key_and_recomputed_after_a_write(db):
    counted = Counting()
    screens = ScreenCache(compute=counted)
    first = _cached(db, screens)
    again = _cached(db, screens)
    assert counted.calls == 1
    assert again.key == first.key and again.view.screen is first.view.screen
    assert first.view.screen.checkins_today.answered == 0
    with session_scope(db) as s:
        _checkin(s, BOB)
    after = _cached(db, screens)
    assert counted.calls == 2 and after.key != first.key
    assert after.view.screen.checkins_today.answered == 1  # the new check-in shows
    with session_scope(db) as s:
        assert after.view == status_for(s, "slack", LEAD, NOW)  # the same as computing it afresh


def test_a_new_local_date_is_a_new_screen(db):
    counted = Counting()
    screens = ScreenCache(compute=counted)
    today = _cached(db, screens)
    # 23:30 UTC is still 6 January in London (GMT); 00:30 UTC on the 7th is not.
    assert _cached(db, screens, now=datetime(2027, 1, 6, 23, 30, tzinfo=UTC)).key == today.key
    tomorrow = _cached(db, screens, now=datetime(2027, 1, 7, 0, 30, tzinfo=UTC))
    assert counted.calls == 2 and tomorrow.view.screen.today == date(2027, 1, 7)


def test_the_cache_is_bounded(db):
    screens = ScreenCache(size=2, compute=Counting())
    for day in (6, 7, 8):
        _cached(db, screens, now=datetime(2027, 1, day, 10, tzinfo=UTC))
    assert len(screens._screens) == 2


def test_concurrent_first_requests_compute_once(db):
    counted = Counting(pause=0.2)
    screens = ScreenCache(compute=counted)
    start, results, errors = threading.Barrier(20), [], []

    def request() -> None:
        try:
            start.wait()
            results.append(_cached(db, screens))
        except Exception as error:  # noqa: BLE001 -- collected and reported below
            errors.append(error)

    threads = [threading.Thread(target=request) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert counted.calls == 1
    assert len(results) == 20 and all(r.view.screen is results[0].view.screen for r in results)


def test_each_variant_gets_its_own_rendering(db):
    counted = Counting()
    screens, rendered = ScreenCache(compute=counted), RenderedStatus()
    lead = _cached(db, screens, LEAD)
    bob = _cached(db, screens, BOB)
    observer = _cached(db, screens, OBSERVER)
    assert counted.calls == 1  # one screen for everyone
    assert (lead.variant, bob.variant, observer.variant) == (
        ("lead", 0),
        ("partner", bob.view.viewer.organisation_id),
        ("observer", 0),
    )
    lead_text = str(rendered.of(lead))
    assert "Tom Trust" in lead_text and "Bob Carer" in lead_text  # the lead's render first...
    bob_text = str(rendered.of(bob))  # ...then a partner's: never the lead's
    assert "Bob Carer" in bob_text and "Carol Carer" in bob_text
    assert "Tom Trust" not in bob_text and "Vic Volunteer" not in bob_text
    observer_text = str(rendered.of(observer))
    assert all(name not in observer_text for name in ("Tom Trust", "Bob Carer", "Vic Volunteer"))
    # The renderings are kept and are those of the view.
    assert rendered.of(lead) is rendered.of(lead)
    assert rendered.of(bob) == (status_text(bob.view), status_blocks(bob.view))
    # Admins share the leads' rendering.
    with session_scope(db) as s:
        assert cached_status_for(s, "slack", "U0ADMN0001", NOW, screens).variant == ("lead", 0)


def test_the_home_uses_the_same_screens(db):
    counted = Counting()
    screens = ScreenCache(compute=counted)
    status = _cached(db, screens)
    with session_scope(db) as s:
        home = home_for(s, "slack", LEAD, NOW, screens)
    assert counted.calls == 1 and home.status.screen is status.view.screen


def test_one_cache_per_database(db, tmp_path):
    from models.db import make_engine, migrate

    other = make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    migrate(other)
    try:
        with session_scope(db) as s, session_scope(other) as t:
            assert screens_for(s) is screens_for(s)
            assert screens_for(s) is not screens_for(t)
    finally:
        other.dispose()


# -- the other views: spend, risks, response rates -------------------------------------------------


def _views(engine, screens: ScreenCache) -> tuple[object, object, object]:
    from bot.risks.requests import RisksOverview, risks_command
    from bot.spend.entry import spend_command

    with session_scope(engine) as s:
        spend = spend_command(s, "slack", LEAD, "", NOW, screens)
        risks = risks_command(s, "slack", LEAD, NOW, screens)
        engagement = engagement_for(s, "slack", LEAD, NOW, views=screens)
    assert isinstance(risks, RisksOverview)
    return spend, risks.registers[0].risks, engagement.engagement  # type: ignore[union-attr]


def test_spend_risks_and_response_rates_are_computed_once_per_change(db):
    screens = ScreenCache()
    spend, risks, engagement = _views(db, screens)
    again = _views(db, screens)
    assert again[0] is spend and again[1] is risks and again[2] is engagement
    with session_scope(db) as s:
        programme = _programme(s)
        scheme = s.exec(select(Scheme).where(Scheme.programme_id == programme.id)).first()
        s.add(
            SpendReport(
                programme_id=programme.id,
                scheme_id=scheme.id,
                local_date=TODAY,
                actual=Decimal("1234.56"),
                committed=Decimal("0"),
                activity=Decimal("1"),
            )
        )
        raise_risk(
            s, programme.id, "capacity", "x:home_care", "Home care at level 4", None, Severity.CRITICAL, None, NOW
        )
    after = _views(db, screens)
    assert after[0] is not spend and after[0].actual == spend.actual + Decimal("1234.56")
    assert len(after[1]) == len(risks) + 1 and after[1][0].title == "Home care at level 4"
    with session_scope(db) as s:
        assert after[2] == engagement_for(s, "slack", LEAD, NOW).engagement  # the same as computing it afresh


def test_a_partner_reads_the_same_cached_spend_as_a_lead(db):
    from bot.spend.entry import spend_command

    screens = ScreenCache()
    with session_scope(db) as s:
        lead = spend_command(s, "slack", LEAD, "", NOW, screens)
        partner = spend_command(s, "slack", BOB, "", NOW, screens)
        observer = spend_command(s, "slack", OBSERVER, "", NOW, screens)
    assert lead is partner is observer


def test_a_rendering_is_kept_for_the_very_objects_it_was_made_from():
    from handlers.rendered import Rendered

    made: list[str] = []
    rendered: Rendered[str] = Rendered(size=2)

    class Value:
        pass

    first, second = Value(), Value()
    assert rendered.of((first,), lambda: made.append("first") or "1") == "1"
    assert rendered.of((first,), lambda: made.append("again") or "x") == "1"
    assert rendered.of((first,), lambda: made.append("variant") or "v", variant="b") == "v"
    assert rendered.of((second,), lambda: made.append("second") or "2") == "2"
    assert made == ["first", "variant", "second"]
    assert len(rendered._kept) == 2  # bounded: the oldest went
