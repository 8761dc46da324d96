"""The huddle board in a real headless Chromium: on the huddle's shared screen (1920×1080) and a
phone, with axe's WCAG 2.2 AA rules, by keyboard, and printed for the minutes. The real app serves
it on loopback from a programme with a fortnight of check-ins made through the check-in's own use
case, the risk scan's own risks, blockers, partner voice and decisions."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import pytest
import time_machine
from browser_support import (
    PHONE,
    PROJECTOR,
    Site,
    assert_accessible,
    assert_no_sideways_scroll,
    fresh_database,
    screenshot,
    serving,
    tab_stops,
    tab_until,
    visiting,
)
from sqlmodel import col, select

from bot.checkin import CheckinResult, build_form, scheme_key, service_key, submit_checkin
from bot.checkin.blockers import answer_as
from bot.common.calendar import local_instant, working_days
from bot.programme.loader import load_path
from bot.reports.decisions import record_decision
from bot.risks.scan import scan
from models.db import session_scope
from models.tables import Blocker, Member, Programme, Risk

pytestmark = [pytest.mark.slow, pytest.mark.browser]

PROGRAMME = Path(__file__).with_name("fixtures") / "leads.yaml"
NOW = datetime(2027, 1, 13, 9, 5, tzinfo=UTC)  # Wednesday 13 January 2027, 09:05 in London: huddle time
TODAY = NOW.date()
FIRST = date(2027, 1, 4)
LEAD = "U0LEAD0001"
TOM, BOB, CAROL, GITA, NIA, VIC = "U0PART0001", "U0PART0002", "U0PART0003", "U0PART0004", "U0PART0005", "U0PART0006"

# Each partner's capacity levels, day by day (the last repeated), and the days they answered.
LEVELS = {
    TOM: {"acute_discharge": [2, 2, 3, 3, 3, 2, 2, 3]},
    BOB: {"home_care": [2, 2, 3, 3, 3, 4, 4, 4], "reablement": [1, 2, 2, 2, 2, 2, 3, 3]},
    CAROL: {"home_care": [2, 3, 3, 3, 4, 4, 4, 4], "reablement": [2, 2, 2, 2, 2, 2, 2, 3]},
    GITA: {"gp": [2, 2, 2, 3, 3, 3, 3, 3]},
    NIA: {"community_nursing": [1, 1, 2]},
}
BLOCKERS = {
    (BOB, date(2027, 1, 11)): "No packages of care in the north of the county after 4pm",
    (TOM, date(2027, 1, 12)): "Transport bookings for discharge take two days to confirm",
    (GITA, date(2027, 1, 7)): "Care home assessments wait for a GP visit",
}
COMMENTS = {
    (VIC, date(2027, 1, 12)): "Volunteer drivers are ready for weekend discharges from Friday",
    (VIC, date(2027, 1, 8)): "Befriending calls are full for the week; we can take five more next week",
}
# What the printed copy must show: the blockers still waiting, partner voice since the previous
# working day (Tue 12 Jan), the decisions since then. The GP's blocker is answered; the volunteers'
# words of Fri 8 Jan are older than the voice panel's window.
PRINTED = (
    BLOCKERS[(BOB, date(2027, 1, 11))],
    BLOCKERS[(TOM, date(2027, 1, 12))],
    COMMENTS[(VIC, date(2027, 1, 12))],
    "Extend the bridging care contract to 31 March",
    "Move £20,000 from step-down beds to home care hours",
)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return local_instant(day, time(hour, minute), "Europe/London")


def check_in(session: Any, user_id: str, index: int, day: date) -> None:
    """The partner's check-in for `day` through the check-in's own use case: every figure to date
    growing day by day, a level for each of their services, and any blocker or comment."""
    member = session.exec(select(Member).where(Member.platform_user_id == user_id)).one()
    form = build_form(session, member, day)
    answers: dict[str, str] = {}
    for scheme in form.schemes:
        answers[scheme_key(scheme.id, "actual")] = str(4_000 + 2_900 * index)
        answers[scheme_key(scheme.id, "committed")] = str(9_000 + 700 * index)
        answers[scheme_key(scheme.id, "activity")] = str(150 + 110 * index)
    for service in form.services:
        levels = LEVELS[user_id][service.service]
        answers[service_key(service.service)] = str(levels[min(index, len(levels) - 1)])
    if (user_id, day) in BLOCKERS:
        answers["blockers"] = BLOCKERS[(user_id, day)]
    if (user_id, day) in COMMENTS:
        answers["comment"] = COMMENTS[(user_id, day)]
    outcome = submit_checkin(session, "slack", user_id, None, answers, at(day, 10, 15 + index))
    assert isinstance(outcome, CheckinResult), outcome


def load_winter_so_far(engine: Any) -> None:
    """leads.yaml, then the working days from Mon 4 Jan to this morning: most partners answer
    every day, Nia goes quiet after Wednesday, the volunteers write words only; the risk scan runs
    each morning; the lead answers one blocker and records decisions."""
    load_path(engine, PROGRAMME)
    days = list(working_days(FIRST, TODAY))
    for index, day in enumerate(days):
        with session_scope(engine) as session:
            programme = session.exec(select(Programme)).one()
            scan(session, programme, at(day, 8, 0))
            for user_id in (TOM, BOB, CAROL, GITA, VIC):
                if day < TODAY or user_id in (BOB, TOM):  # this morning, only two have answered so far
                    check_in(session, user_id, index, day)
            if index < 3:
                check_in(session, NIA, index, day)
    with session_scope(engine) as session:
        programme = session.exec(select(Programme)).one()
        scan(session, programme, NOW)
        gp = session.exec(select(Blocker).where(col(Blocker.text).startswith("Care home"))).one()
        answer_as(
            session,
            "slack",
            LEAD,
            gp.id,
            "reply",
            "The ICB is funding a visiting GP from Monday",
            at(date(2027, 1, 8), 9),
        )
        record_decision(
            session, "slack", LEAD, "Extend the bridging care contract to 31 March", at(date(2027, 1, 12), 9, 20)
        )
        record_decision(
            session, "slack", LEAD, "Move £20,000 from step-down beds to home care hours", at(date(2027, 1, 12), 9, 25)
        )


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[Site]:
    with time_machine.travel(NOW, tick=True):
        url, engine = fresh_database(tmp_path_factory.mktemp("browser-board"))
        load_winter_so_far(engine)
        try:
            with serving(url, engine) as running:
                yield running
        finally:
            engine.dispose()


def lead_link(site: Site) -> str:
    with session_scope(site.engine) as session:
        lead = session.exec(select(Member).where(Member.platform_user_id == LEAD)).one()
        assert lead.id is not None
        return site.board_link(lead.id, NOW)


def open_risks(site: Site) -> list[str]:
    with session_scope(site.engine) as session:
        return [r.title for r in session.exec(select(Risk).where(Risk.status != "closed")).all()]


def box(page: Any, selector: str) -> dict[str, float]:
    found = page.locator(selector).first.bounding_box()
    assert found is not None, f"{selector} is not shown"
    return dict(found)


def assert_board_shown(page: Any) -> None:
    assert "Huddle board" in page.locator("h1").first.inner_text()
    table = page.locator("table")
    assert table.count() >= 1, "no capacity table"
    assert table.first.locator("caption").inner_text().strip(), "the capacity table has no caption"


# -- the tests ------------------------------------------------------------------------------------------------


PANELS = (".board-money", ".board-capacity", ".board-risks", ".board-blockers", ".board-voice", ".board-decisions")


def test_on_the_huddle_screen_the_whole_board_is_above_the_fold(browser, site):
    with visiting(browser, site, **PROJECTOR) as visit:
        page = visit.page
        page.goto(lead_link(site))
        assert_board_shown(page)
        assert_no_sideways_scroll(page, "the board on the huddle screen")
        height = PROJECTOR["viewport"]["height"]
        for section in PANELS:  # money and capacity first: the huddle starts there
            bottom = box(page, section)["y"] + box(page, section)["height"]
            assert bottom <= height, f"{section} ends at {bottom:.0f}px, below the {height}px screen"
        scrolls = page.evaluate("document.documentElement.scrollHeight - document.documentElement.clientHeight")
        assert scrolls <= 0, f"the huddle screen scrolls down by {scrolls}px"
        assert_accessible(page, "the board on the huddle screen")
        screenshot(page, "board-projector")


def test_on_the_huddle_screen_the_capacity_table_is_not_clipped(browser, site):
    with visiting(browser, site, **PROJECTOR) as visit:
        page = visit.page
        page.goto(lead_link(site))
        wrap = page.evaluate(
            "() => { const w = document.querySelector('.board-table-wrap'); return [w.scrollWidth, w.clientWidth]; }"
        )
        assert wrap[0] <= wrap[1], f"the capacity table is {wrap[0] - wrap[1]}px wider than its panel"


def test_the_shared_screen_reloads_itself_every_two_minutes(browser, site):
    with visiting(browser, site, **PROJECTOR) as visit:
        page = visit.page
        page.clock.install()
        page.goto(lead_link(site))
        assert_board_shown(page)
        page.evaluate("() => { window.stillTheSamePage = true; }")
        page.clock.run_for(110_000)
        assert page.evaluate("() => window.stillTheSamePage === true"), "reloaded before two minutes"
        with page.expect_navigation():
            page.clock.run_for(11_000)
        assert_board_shown(page)
        assert page.evaluate("() => window.stillTheSamePage === undefined"), "the board did not reload"


def test_the_screen_can_stop_refreshing(browser, site):
    """WCAG 2.2.1: whoever reads the board may turn its timed reload off, by keyboard."""
    with visiting(browser, site, **PROJECTOR) as visit:
        page = visit.page
        page.goto(lead_link(site))
        tab_until(page, lambda now: "stop refreshing" in (now["text"] or "").lower())
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert_board_shown(page)
        assert page.locator("#board-refresh").count() == 0, "the board still refreshes itself"
        assert_accessible(page, "the board without its refresh")


def test_on_a_phone_the_board_does_not_scroll_sideways_and_axe_finds_nothing(browser, site):
    with visiting(browser, site, **PHONE) as visit:
        page = visit.page
        page.goto(lead_link(site))
        assert_board_shown(page)
        assert_no_sideways_scroll(page, "the board on a phone")
        assert_accessible(page, "the board on a phone")
        screenshot(page, "board-phone")


def test_without_javascript_the_board_is_whole(browser, site):
    """The board needs no script: with JavaScript off it shows every panel and its links."""
    with visiting(browser, site, **PROJECTOR, java_script_enabled=False) as visit:
        page = visit.page
        page.goto(lead_link(site))
        assert_board_shown(page)
        for section in PANELS:
            assert page.locator(section).is_visible(), f"{section} is not shown"
        assert page.get_by_role("link", name="stop refreshing").is_visible()
        assert page.get_by_role("link", name="Printable version for the minutes").is_visible()


def test_every_link_and_button_is_reached_with_tab(browser, site):
    with visiting(browser, site, **PROJECTOR) as visit:
        page = visit.page
        page.goto(lead_link(site))
        wanted = page.evaluate(
            """() => [...document.querySelectorAll('a[href], button, input, select, textarea, [tabindex]')]
                .filter(el => el.tabIndex >= 0 && !el.disabled)
                .map(el => { el.dataset.wanted = '1'; return el.outerHTML.slice(0, 120); })"""
        )
        assert wanted, "the board has no link at all (not even to its printed copy)"
        stops = tab_stops(page)
        missed = page.evaluate(
            """() => [...document.querySelectorAll('[data-wanted]')]
                .filter(el => !el.dataset.tabMark).map(el => el.outerHTML.slice(0, 120))"""
        )
        assert missed == [], f"Tab never reaches {missed}; it stops at {stops}"
        assert any("print" in stop for stop in stops), f"the printable version is not reached by Tab: {stops}"


@pytest.mark.parametrize("how", ["path", "query"])
def test_the_printed_copy_does_not_refresh_and_lists_everything(browser, site, how):
    with visiting(browser, site, **PROJECTOR) as visit:
        page = visit.page
        page.emulate_media(media="print")
        link = lead_link(site)
        page.goto(f"{link}/print" if how == "path" else f"{link}?print=1")
        assert_board_shown(page)
        assert page.locator("#board-refresh").count() == 0, "the printed copy would refresh itself"
        listed = page.locator(".board-risks li").all_inner_texts()
        risks = open_risks(site)
        assert len(risks) > 6, "the programme should have more open risks than the screen shows"
        assert len(listed) == len(risks), f"the printed copy lists {len(listed)} of {len(risks)} open risks"
        for title in risks:
            assert any(title in item for item in listed), f"{title!r} is not printed"
        for words in PRINTED:
            assert page.get_by_text(words).first.is_visible(), f"{words!r} is not printed"
        assert page.locator(".board-more").count() == 0, "the printed copy still says there are more"
        assert_accessible(page, "the printed copy")


def test_the_screen_shows_a_few_risks_and_counts_the_rest(browser, site):
    with visiting(browser, site, **PROJECTOR) as visit:
        page = visit.page
        page.goto(lead_link(site))
        shown = page.locator(".board-risks li").count()
        assert 0 < shown < len(open_risks(site))
        assert page.locator(".board-risks .board-more").is_visible()
