"""The status screen computed once per change (bot.views.status_cache), on SQLite and PostgreSQL: the
programme's data version moves with every write the screen reads and with nothing else; a cached
screen is reused for the same key and recomputed after a write; each viewing variant gets its own
rendering; concurrent first requests compute once; who is asking is chosen as bot.reports.leads_view does."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import Session, select

from bot.people.away import set_away
from bot.programme.file import parse_programme_file
from bot.programme.loader import load_path, load_programme
from bot.reports.leads_view import (
    LEADS,
    CachedStatus,
    cached_status_for,
    engagement_for,
    home_for,
    status_for,
    viewer_of,
)
from bot.reports.status import StatusScreen, status_screen
from bot.risks.changes import change_status
from bot.risks.register import raise_risk
from bot.views.status_cache import ScreenCache, asker, data_version, screens_for
from handlers.slack.blocks.status import status_blocks, status_text
from handlers.slack.commands.status import RenderedStatus
from models.db import session_scope
from models.tables import (
    CapacityReport,
    CheckIn,
    Decision,
    Delivery,
    Member,
    Organisation,
    Programme,
    Scheme,
    SpendReport,
)
from models.vocabulary import Severity

PROGRAMME = Path(__file__).with_name("fixtures") / "leads.yaml"
UTC = UTC
NOW = datetime(2027, 1, 6, 10, 0, tzinfo=UTC)  # Wednesday 6 January 2027, 10:00 in London
TODAY = date(2027, 1, 6)
LEAD, BOB, TOM, OBSERVER = "U0LEAD0001", "U0PART0002", "U0PART0001", "U0OBSV0001"
LEADING = [role.value for role in LEADS]


@pytest.fixture
def db(engine):
    load_path(engine, PROGRAMME)
    return engine


def _programme(s: Session, slug: str = "leads-fund") -> Programme:
    return s.exec(select(Programme).where(Programme.slug == slug)).one()


def _member(s: Session, user_id: str, slug: str = "leads-fund") -> Member:
    programme = _programme(s, slug)
    return s.exec(select(Member).where(Member.platform_user_id == user_id, Member.programme_id == programme.id)).one()


def _version(engine) -> tuple:
    with session_scope(engine) as s:
        return data_version(s, _programme(s))


def _checkin(s: Session, user_id: str, day: date = TODAY, slug: str = "leads-fund") -> None:
    member = _member(s, user_id, slug)
    s.add(
        CheckIn(
            programme_id=member.programme_id,
            member_id=member.id,
            organisation_id=member.organisation_id,
            local_date=day,
        )
    )


def _second_programme(engine) -> None:
    """The same file under another slug, with its own members."""
    text = PROGRAMME.read_text().replace("slug: leads-fund", "slug: other-fund").replace("U0", "U9")
    load_programme(engine, parse_programme_file(text, "other.yaml"))


# -- the data version ----------------------------------------------------------------------


def _spend(s: Session) -> None:
    programme = _programme(s)
    scheme = s.exec(select(Scheme).where(Scheme.key == "hours", Scheme.programme_id == programme.id)).one()
    s.add(
        SpendReport(
            programme_id=programme.id,
            scheme_id=scheme.id,
            local_date=TODAY,
            actual=Decimal("100"),
            committed=Decimal("0"),
            activity=Decimal("1"),
        )
    )


def _capacity(s: Session) -> None:
    programme = _programme(s)
    carers = s.exec(
        select(Organisation).where(Organisation.key == "carers", Organisation.programme_id == programme.id)
    ).one()
    s.add(
        CapacityReport(
            programme_id=programme.id, organisation_id=carers.id, service="home_care", local_date=TODAY, level=3
        )
    )


def _raise(s: Session) -> None:
    raise_risk(s, _programme(s).id, "manual", "beds", "No beds", None, Severity.HIGH, None, NOW)


def _decision(s: Session) -> None:
    s.add(Decision(programme_id=_programme(s).id, text="Fund 10 more beds", local_date=TODAY))


def _archive(s: Session) -> None:
    _member(s, BOB).archived_at = NOW


def _away(s: Session) -> None:
    set_away(s, _member(s, BOB), date(2027, 1, 11), NOW)


def _new_member(s: Session) -> None:
    bob = _member(s, BOB)
    s.add(
        Member(
            programme_id=bob.programme_id,
            organisation_id=bob.organisation_id,
            platform="slack",
            platform_user_id="U0NEW00001",
            name="New Partner",
            role="partner",
        )
    )


WRITES: dict[str, Callable[[Session], None]] = {
    "check-in": lambda s: _checkin(s, BOB),
    "spend report": _spend,
    "capacity report": _capacity,
    "risk raised": _raise,
    "decision": _decision,
    "member archived": _archive,
    "member away": _away,
    "member added": _new_member,
}


@pytest.mark.parametrize("write", list(WRITES))
def test_the_version_moves_with_each_write_the_screen_reads(db, write):
    before = _version(db)
    with session_scope(db) as s:
        WRITES[write](s)
    assert _version(db) != before


def test_the_version_moves_when_a_risk_changes_status(db):
    with session_scope(db) as s:
        _raise(s)
    before = _version(db)
    with session_scope(db) as s:
        risk_id = raise_risk(s, _programme(s).id, "manual", "beds", "No beds", None, Severity.HIGH, None, NOW).risk_id
        assert _version(db) == before  # raised again unchanged: nothing to see
        change_status(s, risk_id, _member(s, LEAD), "acknowledge", "On it", NOW + timedelta(minutes=5))
    assert _version(db) != before


def test_the_version_moves_when_the_programme_file_changes_a_role(db):
    before = _version(db)
    text = PROGRAMME.read_text().replace(
        "name: Bob Carer, organisation: carers, role: partner", "name: Bob Carer, organisation: carers, role: observer"
    )
    load_programme(db, parse_programme_file(text, "leads.yaml"))
    assert _version(db) != before


def test_the_version_stays_put_otherwise(db):
    _second_programme(db)
    before = _version(db)
    with session_scope(db) as s:
        status_screen(s, _programme(s), NOW)  # reading
        _checkin(s, "U9PART0002", slug="other-fund")  # another programme's check-in
        # not on the screen
        s.add(Delivery(key="brief:x", programme_id=_programme(s).id, job="brief", local_date=TODAY))
    assert _version(db) == before


# -- who is asking, with the version -------------------------------------------------------


def test_who_is_asking_is_chosen_as_the_leads_view_chooses(db):
    _second_programme(db)
    with session_scope(db) as s:
        # Bob is a partner on the first programme and, from here on, a lead on the second.
        bob = _member(s, BOB)
        s.add(
            Member(
                programme_id=_programme(s, "other-fund").id,
                organisation_id=bob.organisation_id,
                platform="slack",
                platform_user_id=BOB,
                name="Bob Carer",
                role="lead",
            )
        )
    with session_scope(db) as s:
        for user_id in (BOB, LEAD, OBSERVER, "U9PART0001"):
            found, (viewer, _, programme) = asker(s, "slack", user_id, LEADING), viewer_of(s, "slack", user_id)
            assert (found.member_id, found.programme_id, found.role, found.organisation_name) == (
                viewer.member_id,
                programme.id,
                viewer.role.value,
                viewer.organisation_name,
            )
            assert found.version == data_version(s, programme)
        assert asker(s, "slack", BOB, LEADING).programme_id == _programme(s, "other-fund").id
        assert asker(s, "slack", "U0NOBODY", LEADING) is None
        _member(s, TOM).archived_at = NOW
    with session_scope(db) as s:
        assert asker(s, "slack", TOM, LEADING) is None


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
