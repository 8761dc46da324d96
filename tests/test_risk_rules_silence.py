"""The risk rules on SQLite and PostgreSQL: silent services and partners, counted in England's
working days across Christmas and New Year 2026/27, and away and archived people and organisations."""

from __future__ import annotations

import pytest
from risk_rules_support import (
    MON_4_JAN,
    WED_16_DEC,
    D,
    at,
    by_rule,
    capacity,
    checkin,
    keep_reporting,
    loaded,  # noqa: F401 (fixtures)
    member,
    org,
    programme_session,
)

from bot.risks.scan import findings
from models.vocabulary import Severity

# --- silence ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("today, silent", [(D(2026, 12, 31), False), (MON_4_JAN, True)])
def test_silent_service_across_the_weekend_and_bank_holidays(loaded, today, silent):
    """Last report Thu 24 Dec: by Thu 31 Dec two working days have passed (Tue 29, Wed 30),
    by Mon 4 Jan three (Thu 31 too), though eleven calendar days."""
    with programme_session(loaded) as (session, programme):
        keep_reporting(session, D(2026, 12, 24))
        keep_reporting(session, today, but={"brightside:home_care", "council:reablement"})
        found = by_rule(findings(session, programme, today), "silent_service")
        if not silent:
            assert found == {}
            return
        assert set(found) == {"brightside:home_care", "council:reablement"}
        assert found["brightside:home_care"].severity is Severity.MEDIUM  # community
        assert found["council:reablement"].severity is Severity.LOW  # statutory
        assert found["brightside:home_care"].title == "Brightside Home Care: no home care capacity report"
        assert "since Thu 24 Dec 2026" in found["brightside:home_care"].detail
        assert found["council:reablement"].owner_organisation_id == org(session, "council").id


@pytest.mark.parametrize("today, silent", [(D(2026, 12, 9), False), (D(2026, 12, 10), True)])
def test_a_service_never_reported_is_counted_from_the_start(loaded, today, silent):
    with programme_session(loaded) as (session, programme):
        found = by_rule(findings(session, programme, today), "silent_service")
        assert bool(found) is silent
        if silent:
            assert len(found) == 6
            assert "since the programme started on Mon 7 Dec 2026" in found["surgery:gp"].detail


def test_an_archived_organisation_and_an_unlisted_service_are_not_silent(loaded):
    with programme_session(loaded) as (session, programme):
        volunteers = org(session, "volunteers")
        volunteers.archived_at = at(D(2026, 12, 8))
        session.add(volunteers)
        capacity(session, "volunteers", "vcs", D(2026, 12, 14), 4)
        session.flush()
        found = findings(session, programme, D(2026, 12, 14))
        subjects = {(f.rule, f.subject) for f in found}
        assert ("silent_service", "volunteers:vcs") not in subjects
        assert ("capacity", "volunteers:vcs") not in subjects
        assert ("silent_partner", f"member:{member(session, 'U0RULE0006').id}") not in subjects
        assert ("silent_service", "brightside:home_care") in subjects  # the others are
        assert not any(s.endswith(":care_home") for _, s in subjects)


@pytest.mark.parametrize("today, silent", [(D(2026, 12, 31), False), (MON_4_JAN, True)])
def test_silent_partner_across_the_weekend_and_bank_holidays(loaded, today, silent):
    with programme_session(loaded) as (session, programme):
        for user in ["U0RULE0002", "U0RULE0003", "U0RULE0004", "U0RULE0005", "U0RULE0006"]:
            checkin(session, user, D(2026, 12, 24))
        for user in ["U0RULE0003", "U0RULE0004", "U0RULE0006"]:
            checkin(session, user, today)
        bob, tom = member(session, "U0RULE0002"), member(session, "U0RULE0005")
        found = by_rule(findings(session, programme, today), "silent_partner")
        if not silent:
            assert found == {}
            return
        assert set(found) == {f"member:{bob.id}", f"member:{tom.id}"}
        assert found[f"member:{bob.id}"].severity is Severity.MEDIUM
        assert found[f"member:{tom.id}"].severity is Severity.LOW  # an acute trust is statutory
        assert found[f"member:{bob.id}"].title == "Bob Partner (Brightside Home Care) has not checked in"
        assert found[f"member:{bob.id}"].owner_organisation_id == org(session, "brightside").id


def test_leads_and_observers_are_never_silent_partners(loaded):
    with programme_session(loaded) as (session, programme):
        found = by_rule(findings(session, programme, WED_16_DEC), "silent_partner")
        expected = {
            member(session, u).id for u in ["U0RULE0002", "U0RULE0003", "U0RULE0004", "U0RULE0005", "U0RULE0006"]
        }
        assert set(found) == {f"member:{i}" for i in expected}


@pytest.mark.parametrize(
    "away_until, silent",
    [
        (D(2027, 1, 5), False),  # still away today
        (MON_4_JAN, False),  # back today: nothing counted yet
        (D(2026, 12, 30), False),  # back Wed 30 Dec: Wed 30 and Thu 31 count, two days
        (D(2026, 12, 29), True),  # back Tue 29 Dec: three working days
        (D(2026, 12, 21), True),  # back before the last check-in: the absence does not matter
    ],
)
def test_an_away_partner_is_not_silent_while_away(loaded, away_until, silent):
    with programme_session(loaded) as (session, programme):
        checkin(session, "U0RULE0002", D(2026, 12, 24))
        bob = member(session, "U0RULE0002")
        bob.away_until = away_until
        session.add(bob)
        session.flush()
        found = by_rule(findings(session, programme, MON_4_JAN), "silent_partner")
        assert (f"member:{bob.id}" in found) is silent


def test_an_archived_partner_is_not_silent(loaded):
    with programme_session(loaded) as (session, programme):
        bob = member(session, "U0RULE0002")
        bob.archived_at = at(D(2026, 12, 8))
        session.add(bob)
        session.flush()
        assert f"member:{bob.id}" not in by_rule(findings(session, programme, WED_16_DEC), "silent_partner")
