"""The programme's data version (bot.views.status_cache), on SQLite and PostgreSQL: it moves with every
write the status screen reads and with nothing else; and who is asking, with the version, is chosen
as bot.reports.leads_view chooses."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlmodel import Session, select
from status_cache_support import (
    BOB,
    LEAD,
    LEADING,
    NOW,
    OBSERVER,
    PROGRAMME,
    TODAY,
    TOM,
    _checkin,
    _member,
    _programme,
    _second_programme,
    _version,
    db,  # noqa: F401 (a fixture)
)

from bot.people.away import set_away
from bot.programme.file import parse_programme_file
from bot.programme.loader import load_programme
from bot.reports.leads_view import viewer_of
from bot.reports.status import status_screen
from bot.risks.changes import change_status
from bot.risks.register import raise_risk
from bot.views.status_cache import asker, data_version
from models.db import session_scope
from models.tables import CapacityReport, Decision, Delivery, Member, Organisation, Scheme, SpendReport
from models.vocabulary import Severity

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
