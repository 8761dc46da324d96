"""The huddle board page through the real app (bot.app.server.build_asgi_app): a lead's signed
link opens it, with the status screen's figures; partners', observers', changed and expired
links are refused, and so is a lead archived or made a partner since the link was made."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
import time_machine
from sqlmodel import select
from starlette.testclient import TestClient
from test_board import ADMIN, LEAD, NOW, OBSERVER, PARTNER, load_board_programme, member

from bot.app.server import build_asgi_app
from bot.common.config import Settings
from bot.common.web_links import board_url
from models.db import session_scope
from models.tables import Member

BASE = "https://winterbot.test"
SECRET = "s"


@pytest.fixture
def web(engine, database_url):
    load_board_programme(engine)
    settings = Settings(database_url=database_url, public_url=BASE, web_secret=SECRET)
    with time_machine.travel(NOW, tick=False), TestClient(build_asgi_app(settings, engine)) as client:
        yield client


def link(engine, user_id: str, now: datetime = NOW, secret: str = SECRET) -> str:
    with session_scope(engine) as s:
        member_id = member(s, user_id).id
    return board_url(BASE, secret, member_id, now, "Europe/London").removeprefix(BASE)


@pytest.mark.parametrize("user_id", [LEAD, ADMIN])
def test_a_leads_link_opens_the_board(web, engine, user_id):
    page = web.get(link(engine, user_id))
    assert page.status_code == 200, page.text
    html = page.text
    assert re.search(r"<h1[^>]*>\s*Huddle board", html)
    assert 'id="board-refresh">window.setTimeout(function () { window.location.reload(); }, 120000);' in html
    assert 'http-equiv="refresh"' not in html
    assert "As at <strong>09:05</strong>" in html
    assert re.search(r"<table[^>]*>\s*<caption>", html)
    assert "Spent £12,000 · committed £3,000 · commitment £15,000" in html  # as /winter status says it
    assert "Level 4" in html and "Stale: " in html
    assert html.index("Home care at level 4") < html.index("GP at level 3") < html.index("A low one")
    assert "No packages of care in the north of the county" in html
    assert "Volunteer drivers are ready for weekend discharges" in html
    assert "Extend the bridging care contract to 31 March" in html and "An old decision" not in html
    assert 'src="data:image/png;base64,' in html
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["referrer-policy"] == "same-origin"
    assert "style=" not in html


def test_the_printed_copy_does_not_refresh(web, engine):
    url = link(engine, LEAD)
    for printed in (web.get(f"{url}/print"), web.get(f"{url}?print=1")):
        assert printed.status_code == 200
        assert "board-refresh" not in printed.text
        assert "board-print" in printed.text and "Huddle board" in printed.text


def test_whoever_reads_the_screen_may_stop_its_refresh(web, engine):
    url = link(engine, LEAD)
    assert f'href="{url}?refresh=off">stop refreshing</a>' in web.get(url).text
    still = web.get(f"{url}?refresh=off").text
    assert "board-refresh" not in still and f'href="{url}">refresh every 2 minutes</a>' in still
    assert "Printed for the minutes" not in still


def test_the_stylesheet_is_served(web):
    css = web.get("/static/board.css")
    assert css.status_code == 200 and ".level-4" in css.text


@pytest.mark.parametrize("user_id", [PARTNER, OBSERVER])
def test_a_partners_or_observers_link_is_refused(web, engine, user_id):
    page = web.get(link(engine, user_id))
    assert page.status_code == 403
    assert "for the programme&#39;s leads and admins" in page.text
    assert "Home care at level 4" not in page.text


@pytest.mark.parametrize(
    ("change", "said"), [("archive", "no longer on this programme"), ("demote", "you are now a partner")]
)
def test_a_lead_archived_or_demoted_since_is_refused(web, engine, change, said):
    url = link(engine, LEAD)
    assert web.get(url).status_code == 200
    with session_scope(engine) as s:
        lead = s.exec(select(Member).where(Member.platform_user_id == LEAD)).one()
        if change == "archive":
            lead.archived_at = NOW
        else:
            lead.role = "partner"
        s.add(lead)
    page = web.get(url)
    assert page.status_code == 403 and said in page.text
    assert "Home care at level 4" not in page.text


def test_a_changed_link_is_refused(web, engine):
    url = link(engine, LEAD)
    body, signature = url.removeprefix("/board/").split(".")
    for bad in (f"/board/{body}.{signature[:-2]}AA", f"/board/{body}", link(engine, LEAD, secret="other")):
        page = web.get(bad)
        assert page.status_code == 403, bad
        assert "has been changed" in page.text


def test_an_expired_link_is_gone(web, engine):
    page = web.get(link(engine, LEAD, now=NOW - timedelta(hours=12, seconds=1)))
    assert page.status_code == 410 and "expired" in page.text


def test_without_the_web_settings_there_is_no_board(engine, database_url):
    load_board_programme(engine)
    app = build_asgi_app(Settings(database_url=database_url), engine)
    with time_machine.travel(NOW, tick=False), TestClient(app) as client:
        assert client.get(link(engine, LEAD)).status_code == 404
