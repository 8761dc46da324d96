"""The web pages in a real headless Chromium: the browser (one a session), the real app served by
uvicorn on loopback (one a module), a browser context that lets nothing leave this machine, and
the checks the browser tests share (axe, scrolling, focus, screenshots).

Chromium is Debian's (`/usr/bin/chromium`, or CHROMIUM_PATH): Playwright never downloads a
browser here. Without it the browser tests skip and say how to install it; .ci/run installs it,
so they always run in CI.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import uvicorn
from sqlalchemy.engine import Engine

from bot.app.server import build_asgi_app
from bot.common.config import Settings
from bot.common.web_links import board_url, checkin_url
from models.db import make_engine, migrate

REPO = Path(__file__).resolve().parents[1]
SCREENSHOTS = REPO / "docs" / "screenshots"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
INSTALL_HINT = (
    "Chromium is not installed: the browser tests need Debian's. Install it with "
    "`sudo apt-get update && sudo apt-get install -y chromium` (never `playwright install`), "
    "or point CHROMIUM_PATH at a Chromium or Chrome binary. .ci/run installs it."
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WEB_SECRET = "browser-tests-link-key-not-a-real-one"
STARTUP_SECONDS = 15.0

PHONE: dict[str, Any] = {
    "viewport": {"width": 375, "height": 812},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
PROJECTOR: dict[str, Any] = {"viewport": {"width": 1920, "height": 1080}}

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING_IMPACTS = ("serious", "critical")


def chromium_path() -> str | None:
    """The Chromium to drive: CHROMIUM_PATH, else Debian's; None when neither is there."""
    wanted = os.environ.get("CHROMIUM_PATH") or DEFAULT_CHROMIUM
    found = shutil.which(wanted)
    return found if found and os.access(found, os.X_OK) else None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium a test module, on a fresh temporary profile (Playwright's own
    user-data dir, deleted when the browser closes). Not one a session: Playwright's sync API
    keeps an event loop running in the main thread while it is open, and the tests after it
    that call asyncio.run would fail."""
    executable = chromium_path()
    if executable is None and os.environ.get("CI"):
        pytest.fail(f"{INSTALL_HINT} CI installs it before the tests: it must be there.")
    if executable is None:
        pytest.skip(INSTALL_HINT)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


# -- the real app on loopback ------------------------------------------------------------------------


@dataclass
class Site:
    """The real ASGI app served on 127.0.0.1, its public address set to itself."""

    url: str
    engine: Engine
    secret: str = field(default=WEB_SECRET, repr=False)

    def checkin_link(self, member_id: int, day: date, timezone: str | None = "Europe/London") -> str:
        return checkin_url(self.url, self.secret, member_id, day, timezone)

    def board_link(self, member_id: int, now: datetime, timezone: str | None = "Europe/London") -> str:
        return board_url(self.url, self.secret, member_id, now, timezone)

    @property
    def netloc(self) -> str:
        return urlsplit(self.url).netloc


def fresh_database(folder: Path) -> tuple[str, Engine]:
    """A migrated SQLite file in `folder`: its URL and an engine on it."""
    url = f"sqlite:///{folder / 'winterbot.db'}"
    engine = make_engine(url)
    migrate(engine)
    return url, engine


@contextmanager
def serving(database_url: str, engine: Engine) -> Iterator[Site]:
    """build_asgi_app with the web pages on, served by uvicorn in a thread. The port is bound
    first so that the settings' public address is the server's own."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    settings = Settings(database_url=database_url, public_url=url, web_secret=WEB_SECRET)
    app = build_asgi_app(settings, engine)
    server = uvicorn.Server(uvicorn.Config(app, lifespan="on", log_level="warning", timeout_graceful_shutdown=2))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="browser-site", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError("the web app stopped while starting (see the log above)")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the web app did not start in {STARTUP_SECONDS}s")
            time.sleep(0.01)
        yield Site(url=url, engine=engine)
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()


# -- a context that never leaves the machine -----------------------------------------------------------


@dataclass
class Visit:
    """A page in its own browser context, and every request the page tried to send elsewhere."""

    page: Any
    site: Site
    outside: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # what the page's Content-Security-Policy stopped


@contextmanager
def visiting(browser: Any, site: Site, **options: Any) -> Iterator[Visit]:
    """A fresh context (PHONE, PROJECTOR, java_script_enabled=False...) whose every request to
    anywhere but the site is aborted and remembered; the block fails if there was one (a CDN, a
    web font, an analytics beacon), or if the page's own Content-Security-Policy had to stop one
    (Chromium says so on the console; such a request never reaches the network)."""
    context = browser.new_context(**options)
    context.set_default_timeout(10_000)
    visit = Visit(page=None, site=site)

    def guard(route: Any) -> None:
        parts = urlsplit(route.request.url)
        if parts.scheme in ("http", "https") and parts.netloc == site.netloc:
            route.continue_()
        else:
            visit.outside.append(route.request.url)
            route.abort("blockedbyclient")

    context.route("**/*", guard)
    try:
        visit.page = context.new_page()
        visit.page.on("console", lambda message: _csp_refusal(visit, message))
        yield visit
    finally:
        context.close()
    assert visit.outside == [], f"the page tried to reach outside the server: {visit.outside}"
    assert visit.refused == [], f"the page's Content-Security-Policy refused: {visit.refused}"


def _csp_refusal(visit: Visit, message: Any) -> None:
    if message.type == "error" and "Content Security Policy" in message.text:
        visit.refused.append(message.text)


# -- what the tests check ---------------------------------------------------------------------------------


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core (the copy axe-playwright-python ships, injected into the page) on WCAG 2.0, 2.1
    and 2.2 A and AA: the violations of serious or critical impact."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]})
    return [v for v in results.response["violations"] if v.get("impact") in BLOCKING_IMPACTS]


def describe_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            lines.append(f"    {', '.join(map(str, node['target']))}: {node.get('html', '')[:200]}")
            lines.extend(
                f"        {check['message']}" for kind in ("any", "all", "none") for check in node.get(kind, [])
            )
    return "\n".join(lines)


def assert_accessible(page: Any, what: str) -> None:
    """No serious or critical axe violation on the page."""
    violations = axe_violations(page)
    assert not violations, f"axe finds serious or critical problems on {what}:\n{describe_violations(violations)}"


def horizontal_overflow(page: Any) -> int:
    """How many CSS pixels the page is wider than its viewport (0: no sideways scrolling)."""
    return int(
        page.evaluate(
            "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
            " - document.documentElement.clientWidth"
        )
    )


def wider_than_viewport(page: Any) -> list[str]:
    """The elements whose right edge passes the viewport's, to say which one made it scroll."""
    found = page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            const wide = [];
            for (const el of document.body.querySelectorAll('*')) {
                const box = el.getBoundingClientRect();
                if (box.right > width + 1 && box.width > 0) {
                    wide.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}`
                        + `${el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : ''}`
                        + ` right=${Math.round(box.right)}`);
                }
            }
            return wide.slice(0, 10);
        }"""
    )
    return list(found)


def assert_no_sideways_scroll(page: Any, what: str) -> None:
    overflow = horizontal_overflow(page)
    assert overflow <= 0, f"{what} scrolls sideways by {overflow}px: {wider_than_viewport(page)}"


FOCUS_STYLE = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const style = getComputedStyle(el);
    return {
        tag: el.tagName.toLowerCase(), id: el.id, name: el.getAttribute('name'),
        outlineStyle: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth) || 0,
        boxShadow: style.boxShadow, background: style.backgroundColor,
        focusVisible: el.matches(':focus-visible'),
    };
}"""


def focus_indicator(page: Any) -> dict[str, Any] | None:
    """The focused element and what shows it has focus (outline, box shadow, background)."""
    result = page.evaluate(FOCUS_STYLE)
    return dict(result) if result else None


def has_visible_focus(style: dict[str, Any] | None) -> bool:
    if not style or not style["focusVisible"]:
        return False
    outlined = style["outlineStyle"] not in ("none", "") and style["outlineWidth"] >= 1
    shadowed = style["boxShadow"] not in ("none", "")
    return outlined or shadowed


def active(page: Any) -> dict[str, Any]:
    """The focused element: its tag, id, name, type, text and label."""
    return dict(
        page.evaluate(
            """() => {
                const el = document.activeElement;
                const label = el && el.labels && el.labels.length ? el.labels[0].innerText.trim() : null;
                return {tag: el ? el.tagName.toLowerCase() : null, id: el ? el.id : null,
                        name: el ? el.getAttribute('name') : null, type: el ? el.getAttribute('type') : null,
                        text: el ? (el.innerText || el.value || '').trim().slice(0, 80) : null,
                        href: el ? el.getAttribute('href') : null, label};
            }"""
        )
    )


def tab_until(
    page: Any, matches: Callable[[dict[str, Any]], bool], *, limit: int = 60, key: str = "Tab"
) -> dict[str, Any]:
    """Press Tab (or Shift+Tab) until the focused element matches; fail after `limit` presses."""
    seen = []
    for _ in range(limit):
        page.keyboard.press(key)
        now = active(page)
        if matches(now):
            return now
        seen.append(now.get("name") or now.get("id") or now.get("text") or now.get("tag"))
    raise AssertionError(f"{key} never reached the element wanted; it went through {seen}")


def tab_stops(page: Any, *, limit: int = 200) -> list[str]:
    """Every element Tab reaches from the top of the page, in order, until focus comes round
    again: each as `tag#id[name]` or its link's address."""
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
    stops: list[str] = []
    marks: list[str] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        mark = page.evaluate(
            """() => {
                const el = document.activeElement;
                if (!el || el === document.body) return null;
                if (!el.dataset.tabMark) el.dataset.tabMark = String(Math.random());
                return el.dataset.tabMark;
            }"""
        )
        if mark is None or mark in marks:
            break
        marks.append(mark)
        now = active(page)
        stops.append(f"{now['tag']}#{now['id'] or ''}[{now['name'] or now['href'] or now['text'] or ''}]")
    return stops


def screenshot(page: Any, name: str, *, full_page: bool = False) -> Path | None:
    """docs/screenshots/NAME.png for the README, only when WINTERBOT_SCREENSHOTS=1 (so an
    ordinary run never rewrites tracked files)."""
    if os.environ.get("WINTERBOT_SCREENSHOTS") != "1":
        return None
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page, animations="disabled", caret="hide")
    return path
