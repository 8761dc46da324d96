"""What the tests of the web check-in share: the real app with the web pages on, a member's
signed link, and reading the page's form back as a browser would post it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime
from html import unescape

import pytest
import time_machine
from checkin_store_support import BOB, MONDAY, ON_MONDAY, PROGRAMME, member
from starlette.testclient import TestClient

from bot.app.server import build_asgi_app
from bot.common.config import Settings
from bot.common.signed_links import LinkGrant, sign
from bot.common.web_links import checkin_url
from bot.programme.loader import load_path
from models.db import session_scope
from models.tables import row_id

SECRET = "web-secret-for-tests"
PUBLIC = "https://winterbot.test"
TZ = "Europe/London"


@pytest.fixture
def db(engine):
    load_path(engine, PROGRAMME)
    return engine


@pytest.fixture
def on_monday() -> Iterator[None]:
    with time_machine.travel(MONDAY, tick=False):
        yield


@pytest.fixture
def web(db, on_monday) -> Iterator[TestClient]:
    app = build_asgi_app(Settings(database_url=str(db.url), public_url=PUBLIC, web_secret=SECRET), db)
    with TestClient(app, base_url=PUBLIC) as client:
        yield client


def member_id(db, user_id: str = BOB) -> int:
    with session_scope(db) as session:
        return row_id(member(session, user_id))


def link(db, user_id: str = BOB, day: date = ON_MONDAY) -> str:
    """The path of a member's check-in link, as the prompt by email or text carries it."""
    url = checkin_url(PUBLIC, SECRET, member_id(db, user_id), day, TZ)
    return url.removeprefix(PUBLIC)


def signed_path(grant: LinkGrant, secret: str = SECRET) -> str:
    return f"/checkin/{sign(secret, grant)}"


_INPUT = re.compile(r"<input\b([^>]*)>|<textarea\b([^>]*)>(.*?)</textarea>", re.S)
_ATTR = re.compile(r'([a-zA-Z-]+)(?:="([^"]*)")?')


def form_fields(html: str, form: str = "checkin-form") -> dict[str, str]:
    """What the form would post as it stands: each text input and textarea, each checked radio,
    and the hidden fields (not the buttons), of the form with that id (the page's other forms,
    such as Away?, post their own fields)."""
    found: dict[str, str] = {}
    start = html.find(f'<form id="{form}"')
    if start >= 0:
        html = html[start : html.index("</form>", start)]
    for one, area, text in _INPUT.findall(html):
        attrs = {k: unescape(v) for k, v in _ATTR.findall(one or area)}
        name = attrs.get("name")
        if not name:
            continue
        if area:
            found[name] = unescape(text.strip("\n"))
        elif attrs.get("type") == "radio":
            if "checked" in attrs:
                found[name] = attrs.get("value", "")
        else:
            found[name] = attrs.get("value", "")
    return found


def opened(web: TestClient, path: str) -> dict[str, str]:
    page = web.get(path)
    assert page.status_code == 200, page.text
    return form_fields(page.text)


def post(web: TestClient, path: str, fields: dict[str, str], **headers: str):
    return web.post(path, data=fields, headers=headers)


def errors_in(html: str) -> list[str]:
    """The error summary's links, in order: the fields' ids."""
    summary = html.split('class="nhsuk-error-summary"', 1)
    if len(summary) < 2:
        return []
    body = summary[1].split("</ul>", 1)[0]
    return re.findall(r'href="#([^"]+)"', body)


def now_is(moment: datetime):
    return time_machine.travel(moment, tick=False)
