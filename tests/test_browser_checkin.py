"""The check-in page in a real headless Chromium: at a phone's width and a projector's, by
keyboard alone, with axe's WCAG 2.2 AA rules, and with JavaScript off. The real app serves it on
loopback; what the browser submits is read back from the database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import time_machine
import yaml
from browser_support import (
    PHONE,
    PROJECTOR,
    Site,
    active,
    assert_accessible,
    assert_no_sideways_scroll,
    focus_indicator,
    fresh_database,
    has_visible_focus,
    screenshot,
    serving,
    tab_until,
    visiting,
)
from sqlmodel import col, select

from bot.checkin import scheme_key, service_key
from bot.programme.loader import load_path
from models.db import session_scope
from models.tables import CapacityReport, CheckIn, Member, Scheme, SpendReport

pytestmark = [pytest.mark.slow, pytest.mark.browser]

PROGRAMME = Path(__file__).with_name("fixtures") / "checkin.yaml"
# A Wednesday in January, the money long landed; London is on UTC then. The server's clock and
# the links' day are both this one, whatever the real date (the server runs in a thread, and
# time_machine moves every thread's clock).
NOW = datetime(2027, 1, 13, 10, 0, tzinfo=UTC)
TODAY = NOW.date()
# Home Carers Ltd's partners (two schemes, two services): one each, so that no test amends
# another's check-in.
LOOKER, PHONE_TYPIST, PROJECTOR_TYPIST, NO_SCRIPT = "U0BROWS001", "U0BROWS002", "U0BROWS003", "U0BROWS004"
EXTRA_PARTNERS = {
    LOOKER: "Lou Looker",
    PHONE_TYPIST: "Pia Phone",
    PROJECTOR_TYPIST: "Piers Projector",
    NO_SCRIPT: "Nell Noscript",
}
BAD_AMOUNT = "twelve grand"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("browser-checkin")
    spec = yaml.safe_load(PROGRAMME.read_text(encoding="utf-8"))
    spec["members"] += [
        {"slack": user, "name": name, "organisation": "carers", "role": "partner"}
        for user, name in EXTRA_PARTNERS.items()
    ]
    programme = folder / "programme.yaml"
    programme.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    with time_machine.travel(NOW, tick=True):
        url, engine = fresh_database(folder)
        load_path(engine, programme)
        try:
            with serving(url, engine) as running:
                yield running
        finally:
            engine.dispose()


def member_id(site: Site, user_id: str) -> int:
    with session_scope(site.engine) as session:
        found = session.exec(select(Member).where(Member.platform_user_id == user_id)).one()
        assert found.id is not None
        return found.id


def scheme_ids(site: Site) -> dict[str, int]:
    with session_scope(site.engine) as session:
        return {s.key: s.id for s in session.exec(select(Scheme)).all() if s.id is not None}


def link(site: Site, user_id: str) -> str:
    return site.checkin_link(member_id(site, user_id), TODAY)


def typed_answers(site: Site, hours_actual: str) -> dict[str, str]:
    """What the keyboard enters, by field name (the form's field keys, bot.checkin.field_keys)."""
    ids = scheme_ids(site)
    return {
        scheme_key(ids["hours"], "actual"): hours_actual,
        scheme_key(ids["hours"], "committed"): "3,000",
        scheme_key(ids["hours"], "activity"): "400",
        scheme_key(ids["staff"], "actual"): "20k",
        scheme_key(ids["staff"], "committed"): "0",
        scheme_key(ids["staff"], "activity"): "4",
        service_key("home_care"): "2",
        service_key("reablement"): "3",
    }


# -- the page ---------------------------------------------------------------------------------------------


def field_names(page: Any) -> list[str]:
    """The form's fields in the order Tab meets them (a radio group once)."""
    names = page.eval_on_selector_all(
        "#checkin-form input:not([type=hidden]), #checkin-form select, #checkin-form textarea",
        "els => els.map(e => e.name)",
    )
    return list(dict.fromkeys(names))


def value_of(page: Any, name: str) -> str | None:
    return page.evaluate(
        """name => {
            const els = [...document.querySelectorAll(`#checkin-form [name="${name}"]`)];
            if (!els.length) return null;
            if (els[0].type === 'radio') { const on = els.find(e => e.checked); return on ? on.value : ''; }
            return els[0].value;
        }""",
        name,
    )


def type_into(page: Any, name: str, text: str) -> None:
    """With focus on the field `name`: replace what it holds with `text`, or choose the radio
    whose value is `text` with the arrow keys and Space."""
    now = active(page)
    if now["type"] == "radio":
        for _ in range(12):
            if page.evaluate("() => document.activeElement.value") == text:
                break
            page.keyboard.press("ArrowDown")
        page.keyboard.press("Space")
        assert value_of(page, name) == text, f"the keyboard could not choose {text!r} for {name}"
        return
    page.keyboard.press("End")
    for _ in range(len(page.evaluate("() => document.activeElement.value"))):
        page.keyboard.press("Backspace")
    page.keyboard.type(text)


def fill_by_keyboard(page: Any, answers: dict[str, str]) -> None:
    """Tab from where focus is through the form, typing each answer into its field."""
    order = field_names(page)
    missing = [name for name in answers if name not in order]
    assert not missing, f"the form has no fields named {missing}; it has {order}"
    for name in sorted(answers, key=order.index):
        tab_until(page, lambda now, name=name: now["name"] == name)
        type_into(page, name, answers[name])


def submit_by_keyboard(page: Any) -> None:
    tab_until(page, lambda now: now["tag"] == "button" and "Send my check-in" in (now["text"] or ""))
    with page.expect_navigation():
        page.keyboard.press("Enter")


def h1(page: Any) -> str:
    return page.locator("h1").first.inner_text().strip()


def assert_form_shown(page: Any) -> None:
    assert h1(page) == "Today's check-in"
    form = page.locator("form#checkin-form")
    assert form.count() == 1
    assert (form.get_attribute("method") or "").lower() == "post"
    assert page.get_by_role("button", name="Send my check-in").count() == 1


def stored(site: Site, user_id: str) -> tuple[dict[str, tuple[Decimal, Decimal, Decimal]], dict[str, int]]:
    """Today's figures by scheme key and levels by service, from the member's newest check-in."""
    ids = {v: k for k, v in scheme_ids(site).items()}
    with session_scope(site.engine) as session:
        member = session.exec(select(Member).where(Member.platform_user_id == user_id)).one()
        checkin = session.exec(
            select(CheckIn)
            .where(CheckIn.member_id == member.id, CheckIn.local_date == TODAY)
            .order_by(col(CheckIn.id).desc())
        ).first()
        assert checkin is not None, "no check-in was stored"
        spend = session.exec(select(SpendReport).where(SpendReport.checkin_id == checkin.id)).all()
        levels = session.exec(select(CapacityReport).where(CapacityReport.checkin_id == checkin.id)).all()
        return (
            {ids[s.scheme_id]: (s.actual, s.committed, s.activity) for s in spend},
            {c.service: c.level for c in levels},
        )


EXPECTED_FIGURES = {
    "hours": (Decimal("12500"), Decimal("3000"), Decimal("400")),
    "staff": (Decimal("20000"), Decimal("0"), Decimal("4")),
}
EXPECTED_LEVELS = {"home_care": 2, "reablement": 3}


# -- the tests ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("screen", [PHONE, PROJECTOR], ids=["phone", "projector"])
def test_the_form_fits_the_screen_and_axe_finds_nothing_serious(browser, site, screen):
    with visiting(browser, site, **screen) as visit:
        page = visit.page
        page.goto(link(site, LOOKER))
        assert_form_shown(page)
        assert_no_sideways_scroll(page, "the check-in form")
        assert (
            page.locator(
                "#checkin-form .nhsuk-input-wrapper__prefix, #checkin-form .nhsuk-input__prefix", has_text="£"
            ).count()
            >= 2
        ), "money has no £ prefix"
        assert page.locator(f'#checkin-form input[type=radio][name="{service_key("home_care")}"]').count() >= 2
        assert_accessible(page, "the check-in form")
        if screen is PHONE:
            screenshot(page, "checkin-phone")


@pytest.mark.parametrize(
    ("screen", "user_id"), [(PHONE, PHONE_TYPIST), (PROJECTOR, PROJECTOR_TYPIST)], ids=["phone", "projector"]
)
def test_a_check_in_by_keyboard_alone_mends_a_mistake_and_is_stored(browser, site, screen, user_id):
    with visiting(browser, site, **screen) as visit:
        page = visit.page
        page.goto(link(site, user_id))
        assert_form_shown(page)
        wrong = typed_answers(site, BAD_AMOUNT)
        fill_by_keyboard(page, wrong)
        submit_by_keyboard(page)

        # The answers come back with the mistake named, at the top and on its field.
        bad = scheme_key(scheme_ids(site)["hours"], "actual")
        summary = page.locator(".nhsuk-error-summary")
        assert summary.count() == 1 and summary.is_visible(), "no error summary"
        assert page.evaluate("() => document.querySelector('.nhsuk-error-summary') === document.activeElement"), (
            "the error summary takes focus, so it is read first"
        )
        field = page.locator(f'#checkin-form [name="{bad}"]')
        field_id = field.get_attribute("id")
        assert summary.locator(f'a[href="#{field_id}"]').count() == 1, "the summary does not link to the field"
        message = field.evaluate(
            """el => {
                const group = el.closest('.nhsuk-form-group--error');
                const message = group && group.querySelector('.nhsuk-error-message');
                return message ? {id: message.id, text: message.innerText} : null;
            }"""
        )
        assert message, "the error is not on its field"
        assert message["id"] in (field.get_attribute("aria-describedby") or "").split(), (
            "the field's error message is not read with it"
        )
        assert "nhsuk-input--error" in (field.get_attribute("class") or "")
        kept = {name: value_of(page, name) for name in wrong if name != bad}
        assert kept == {name: typed for name, typed in wrong.items() if name != bad}, "typed answers were lost"
        assert_no_sideways_scroll(page, "the check-in form with errors")
        assert_accessible(page, "the check-in form with errors")
        if screen is PHONE:
            screenshot(page, "checkin-errors-phone")

        # Mended from the top of the page, by keyboard, and sent.
        page.evaluate("() => document.activeElement && document.activeElement.blur()")
        fill_by_keyboard(page, {bad: "£12,500"})
        submit_by_keyboard(page)
        assert h1(page) == "Check-in received"
        assert page.locator(".nhsuk-error-summary").count() == 0
        assert_no_sideways_scroll(page, "the confirmation")
        assert_accessible(page, "the confirmation")

    figures, levels = stored(site, user_id)
    assert figures == EXPECTED_FIGURES
    assert levels == EXPECTED_LEVELS


def test_the_focused_field_and_button_are_visibly_marked(browser, site):
    with visiting(browser, site, **PROJECTOR) as visit:
        page = visit.page
        page.goto(link(site, LOOKER))
        hours = scheme_key(scheme_ids(site)["hours"], "actual")
        tab_until(page, lambda now: now["name"] == hours)
        assert has_visible_focus(focus_indicator(page)), f"no visible focus on a field: {focus_indicator(page)}"
        tab_until(page, lambda now: now["tag"] == "button")
        assert has_visible_focus(focus_indicator(page)), f"no visible focus on the button: {focus_indicator(page)}"


def test_without_javascript_the_form_still_submits_and_stores(browser, site):
    with visiting(browser, site, **PHONE, java_script_enabled=False) as visit:
        page = visit.page
        page.goto(link(site, NO_SCRIPT))
        assert_form_shown(page)
        for name, text in typed_answers(site, "12500").items():
            field = page.locator(f'#checkin-form [name="{name}"]')
            if field.first.get_attribute("type") == "radio":
                page.locator(f'#checkin-form [name="{name}"][value="{text}"]').check()
            else:
                field.fill(text)
        with page.expect_navigation():
            page.get_by_role("button", name="Send my check-in").click()
        assert h1(page) == "Check-in received"
    figures, levels = stored(site, NO_SCRIPT)
    assert figures == EXPECTED_FIGURES
    assert levels == EXPECTED_LEVELS


def test_a_request_off_the_machine_is_aborted_and_fails_the_test(browser, site):
    """The guard every browser test runs under: a page reaching for a web font or a CDN is
    stopped in the browser, and the test fails naming it. (The page's own Content-Security-Policy
    stops a fetch or a stylesheet first; a navigation it does not govern reaches the guard.)"""
    from playwright.sync_api import Error as PlaywrightError

    outside = "https://fonts.example.com/frutiger.woff2"
    guarded = visiting(browser, site, **PHONE)
    with pytest.raises(AssertionError, match="tried to reach outside the server") as raised, guarded as visit:
        visit.page.goto(link(site, LOOKER))
        with pytest.raises(PlaywrightError, match="ERR_BLOCKED_BY_CLIENT"):
            visit.page.goto(outside)
    assert outside in str(raised.value)
