"""Who the web check-in refuses, and how: a link changed, signed with another key, for another
page, another day or expired; a member archived or one who does not check in; a form posted
without its cookie and field, or from another site. Each is a page saying what to do, and
nothing is stored."""

from __future__ import annotations

import base64
import re
from datetime import date, datetime, timedelta
from html import unescape

import pytest
import time_machine
from checkin_store_support import BOB, CAROL, LEAD, MONDAY, OBSERVER, ON_MONDAY, answers, form_for, rows
from starlette.testclient import TestClient
from web_checkin_support import (  # noqa: F401  (db, on_monday and web are fixtures)
    PUBLIC,
    SECRET,
    TZ,
    db,
    link,
    member_id,
    on_monday,
    opened,
    signed_path,
    web,
)

from bot.app.server import build_asgi_app
from bot.common.config import Settings
from bot.common.signed_links import BROKEN, CHECKIN, EXPIRED, WRONG_PURPOSE, LinkGrant
from bot.common.web_links import board_grant, checkin_grant
from models.db import session_scope
from models.tables import CheckIn, Member, SpendReport

UTC = MONDAY.tzinfo


def h1(html: str) -> list[str]:
    return [unescape_text(t) for t in re.findall(r"<h1[^>]*>(.*?)</h1>", html, re.S)]


def unescape_text(text: str) -> str:
    return unescape(text).strip()


def good(db, page: dict[str, str]) -> dict[str, str]:
    return page | answers(form_for(db, BOB))


def assert_refused(response, status: int, says: str) -> None:
    assert response.status_code == status, response.text
    assert says in unescape_text(response.text)
    assert 'id="checkin-form"' not in response.text
    assert "set-cookie" not in response.headers


def forged(path: str, member: int) -> str:
    """The link with its member id changed and its signature kept."""
    body, signature = path.removeprefix("/checkin/").split(".")
    payload = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode().split("|")
    payload[1] = str(member)
    changed = base64.urlsafe_b64encode("|".join(payload).encode()).rstrip(b"=").decode()
    return f"/checkin/{changed}.{signature}"


def test_a_link_changed_to_another_members_id_is_refused(web, db):
    path = forged(link(db, BOB), member_id(db, CAROL))
    assert_refused(web.get(path), 403, BROKEN)
    assert h1(web.get(path).text) == ["This link cannot open a check-in"]
    assert_refused(web.post(path, data={}), 403, BROKEN)


@pytest.mark.parametrize(
    "path",
    [
        "/checkin/not-a-link",
        "/checkin/" + "a" * 5000 + ".b",
        "/checkin/%C3%A9t%C3%A9.abc",
    ],
)
def test_a_broken_link_is_refused(web, path):
    assert_refused(web.get(path), 403, BROKEN)


def test_a_link_signed_with_another_key_is_refused(web, db):
    grant = checkin_grant(member_id(db), ON_MONDAY, TZ)
    assert_refused(web.get(signed_path(grant, secret="not-our-key")), 403, BROKEN)


def test_a_board_link_opens_no_check_in(web, db):
    path = signed_path(board_grant(member_id(db, LEAD), MONDAY, TZ))
    assert_refused(web.get(path), 403, WRONG_PURPOSE)


def test_an_expired_link_is_gone_and_says_to_use_todays(web, db):
    path = link(db)  # Monday's: it works until midnight in London
    with time_machine.travel(datetime(2027, 1, 5, 0, 1, tzinfo=UTC), tick=False):
        response = web.get(path)
        assert_refused(response, 410, EXPIRED)
        assert h1(response.text) == ["This link has expired"]
        assert_refused(web.post(path, data={}), 410, EXPIRED)


def test_a_link_for_another_day_is_refused_naming_its_day(web, db):
    tuesday = date(2027, 1, 5)
    path = link(db, day=tuesday)
    assert_refused(web.get(path), 403, "This link was for Tue 05 Jan. Use the link in today's message.")
    sunday = signed_path(LinkGrant(CHECKIN, member_id(db), date(2027, 1, 3), MONDAY + timedelta(hours=1)))
    assert_refused(web.get(sunday), 403, "This link was for Sun 03 Jan.")


def test_the_day_is_the_programmes_local_day(web, db):
    """At 23:30 UTC on a summer's night it is already tomorrow in London."""
    summer = datetime(2027, 6, 7, 23, 30, tzinfo=UTC)
    with time_machine.travel(summer, tick=False):
        assert web.get(link(db, day=date(2027, 6, 8))).status_code == 200
        assert_refused(web.get(link(db, day=date(2027, 6, 7))), 410, EXPIRED)


@pytest.mark.parametrize(
    ("user_id", "says"),
    [
        (OBSERVER, "You are an observer on Test fund, so there is no check-in for you to answer."),
        (LEAD, "You are a lead on Test fund"),
    ],
)
def test_someone_who_does_not_check_in_is_refused(web, db, user_id, says):
    assert_refused(web.get(link(db, user_id)), 403, says)


def test_an_archived_member_is_refused_and_their_open_page_stores_nothing(web, db):
    page = opened(web, link(db))
    with session_scope(db) as session:
        bob = session.get(Member, member_id(db))
        bob.archived_at = MONDAY
        session.add(bob)
    assert_refused(web.get(link(db)), 403, "winterbot no longer has you on a programme")
    refused = web.post(link(db), data=good(db, page))
    assert_refused(refused, 403, "winterbot no longer has you on a programme")
    assert rows(db, CheckIn) == []


def test_a_member_winterbot_never_knew_is_refused(web):
    path = signed_path(checkin_grant(987654, ON_MONDAY, TZ))
    assert_refused(web.get(path), 403, "winterbot no longer has you on a programme")


# -- forged posts ---------------------------------------------------------------------------------


def test_the_page_sets_one_cookie_for_the_check_in_pages_only_never_sent_with_another_sites_post(web, db):
    response = web.get(link(db))
    cookies = response.headers.get_list("set-cookie")
    assert len(cookies) == 1
    (cookie,) = cookies
    assert cookie.startswith("winterbot_csrf=")
    parts = {p.strip().lower() for p in cookie.split(";")[1:]}
    assert parts == {"httponly", "secure", "path=/checkin", "samesite=lax"}


def test_a_post_without_the_forms_field_or_cookie_is_refused(web, db):
    page = opened(web, link(db))
    answered = good(db, page)
    without_field = {k: v for k, v in answered.items() if k != "csrf"}
    assert_refused(web.post(link(db), data=without_field), 403, "nothing was stored")
    assert_refused(web.post(link(db), data=answered | {"csrf": "0" * 64}), 403, "nothing was stored")
    web.cookies.clear()
    assert_refused(web.post(link(db), data=answered), 403, "nothing was stored")
    assert rows(db, CheckIn) == [] and rows(db, SpendReport) == []


def test_a_field_made_for_one_link_does_not_send_another(web, db):
    """Carol's page's field, with her cookie, posted to Bob's link: refused."""
    carol = opened(web, link(db, CAROL))
    assert_refused(web.post(link(db), data=good(db, carol)), 403, "nothing was stored")
    assert rows(db, CheckIn) == []


def test_a_cookie_from_another_browser_does_not_match_the_field(web, db):
    page = opened(web, link(db))
    web.cookies.clear()
    web.cookies.set("winterbot_csrf", "someone-elses-cookie-value", domain="winterbot.test", path="/checkin")
    assert_refused(web.post(link(db), data=good(db, page)), 403, "nothing was stored")


def test_a_post_from_another_site_is_refused_and_our_own_accepted(web, db):
    page = opened(web, link(db))
    refused = web.post(link(db), data=good(db, page), headers={"origin": "https://evil.example"})
    assert_refused(refused, 403, "nothing was stored")
    assert h1(refused.text) == ["Your check-in was not sent"]
    assert rows(db, CheckIn) == []
    # A page that sends no referrer (not ours: ours send it to their own origin) posts "null".
    assert web.post(link(db), data=good(db, page), headers={"origin": "null"}).status_code == 403
    assert web.post(link(db), data=good(db, page)).status_code == 200  # no Origin: an older browser
    again = opened(web, link(db))
    assert web.post(link(db), data=good(db, again), headers={"origin": PUBLIC}).status_code == 200
    assert len(rows(db, CheckIn)) == 2


def test_the_same_form_sent_twice_a_reload_or_a_double_tap_is_stored_once(web, db):
    page = opened(web, link(db))
    first = web.post(link(db), data=good(db, page))
    assert h1(first.text) == ["Check-in received"]
    again = web.post(link(db), data=good(db, page))
    assert again.status_code == 200 and h1(again.text) == ["Check-in already received"]
    assert "Nothing more was stored" in again.text
    assert len(rows(db, CheckIn)) == 1


def test_a_form_refused_for_a_mistake_may_be_sent_again_as_it_was(web, db):
    page = opened(web, link(db))
    wrong = {**good(db, page), **{k: "twelve" for k in good(db, page) if k.endswith(":actual")}}
    for _ in range(2):
        assert web.post(link(db), data=wrong).status_code == 400
    assert web.post(link(db), data=good(db, page)).status_code == 200
    assert len(rows(db, CheckIn)) == 1


def test_a_form_with_too_many_fields_is_refused_unread(web, db):
    page = opened(web, link(db))
    stuffed = good(db, page) | {f"x{n}": "1" for n in range(1000)}
    assert web.post(link(db), data=stuffed).status_code == 400
    assert rows(db, CheckIn) == []


def test_no_page_opens_when_the_web_pages_are_off(db, on_monday):
    app = build_asgi_app(Settings(database_url=str(db.url)), db)
    with TestClient(app, base_url=PUBLIC) as client:
        assert client.get(link(db)).status_code == 404
