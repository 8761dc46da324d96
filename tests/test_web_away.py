"""Away and back on the web: a member with no chat to type `away 4 Jan` in pauses their prompts
under the check-in form, through the same use case, and sends them again; the link and the form's
CSRF field guard it as they guard the check-in."""

from __future__ import annotations

from datetime import date

from checkin_store_support import BOB, CAROL, member
from test_web_checkin_refusals import h1
from web_checkin_support import db, form_fields, link, on_monday, web  # noqa: F401 (fixtures)

from bot.checkin.prompts import not_yet_answered
from models.db import session_scope


def away_until(db, user_id: str = BOB) -> date | None:
    with session_scope(db) as session:
        return member(session, user_id).away_until


def away_form(web, path: str) -> dict[str, str]:
    page = web.get(path)
    assert page.status_code == 200 and 'id="away"' in page.text
    return form_fields(page.text, "away-form")


def test_a_member_pauses_their_prompts_until_the_day_they_are_back_and_is_not_prompted(web, db):
    path = link(db)
    fields = away_form(web, path) | {"until": "18 Jan"}
    paused = web.post(f"{path}/away", data=fields)
    assert paused.status_code == 200 and h1(paused.text) == ["Your prompts are paused"]
    assert "Prompts start again on" in paused.text
    assert away_until(db) == date(2027, 1, 18)
    with session_scope(db) as session:
        programme_id = member(session, BOB).programme_id
        waiting, _ = not_yet_answered(session, programme_id, date(2027, 1, 5))
        assert BOB not in {m.platform_user_id for m in waiting} and CAROL in {m.platform_user_id for m in waiting}
    page = web.get(path).text
    assert "Your prompts are paused: the next comes on Monday 18 January" in page


def test_back_sends_the_prompts_again(web, db):
    path = link(db)
    web.post(f"{path}/away", data=away_form(web, path) | {"until": "next monday"})
    assert away_until(db) is not None
    fields = away_form(web, path)
    assert fields["action"] == "back"
    back = web.post(f"{path}/away", data=fields)
    assert h1(back.text) == ["Your prompts start again"] and away_until(db) is None


def test_a_date_that_is_not_one_says_how_to_write_it_and_changes_nothing(web, db):
    path = link(db)
    refused = web.post(f"{path}/away", data=away_form(web, path) | {"until": "when the snow melts"})
    assert refused.status_code == 400 and h1(refused.text) == ["That date did not work"]
    assert "next monday" in refused.text and away_until(db) is None


def test_without_the_forms_csrf_field_nothing_changes(web, db):
    path = link(db)
    fields = away_form(web, path) | {"until": "18 Jan", "csrf": "0" * 64}
    refused = web.post(f"{path}/away", data=fields)
    assert refused.status_code == 403 and away_until(db) is None


def test_a_changed_link_changes_nobodys_prompts(web, db):
    path = link(db, CAROL)
    body, _, signature = path.removeprefix("/checkin/").partition(".")
    forged = f"/checkin/{body}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}/away"
    refused = web.post(forged, data=away_form(web, path) | {"until": "18 Jan"})
    assert refused.status_code == 403 and away_until(db, CAROL) is None and away_until(db, BOB) is None
