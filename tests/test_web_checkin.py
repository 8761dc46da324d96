"""The check-in on the web, as a home care manager reached by email or text message lives it:
she opens her link, mistypes an amount, fixes it, comes back to amend it, says what became of
her organisation's open blockers. What she sends is stored as Slack's modal stores it."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import time_machine
from checkin_store_support import BOB, CAROL, LEAD, MONDAY, ON_MONDAY, PROGRAMME, answers, form_for, keys, rows, stored
from starlette.testclient import TestClient
from web_checkin_support import PUBLIC, SECRET, db, errors_in, form_fields, link, member_id, on_monday, opened, web  # noqa: F401

from bot.app.server import build_asgi_app
from bot.checkin import SOURCE_NO_CHANGE, scheme_key, service_key
from bot.checkin.questions import Asked, ask_question
from bot.common.config import Settings
from bot.common.redact import REPLACEMENT
from bot.programme.file import parse_programme_file
from bot.programme.loader import load_programme
from models.db import session_scope
from models.tables import Blocker, CapacityReport, CheckIn, Question, QuestionAnswer, SpendReport

SENT_BY_SLACK = {"comment": "Two carers off sick", "blockers": "No drivers on Thursday"}


def web_answers(db, page: dict[str, str], user_id: str = BOB, **extra: str) -> dict[str, str]:
    """The page's fields with the same answers as checkin_store_support.answers gives Slack."""
    return page | answers(form_for(db, user_id), **extra)


def test_the_link_opens_the_same_form_as_slack_and_teams(web, db):
    path = link(db)
    page = web.get(path)
    assert page.status_code == 200
    html = page.text
    assert re.findall(r"<h1[^>]*>(.*?)</h1>", html) == ["Today's check-in"]
    assert '<form id="checkin-form" method="post">' in html
    assert "Send my check-in" in html and "Nothing new today" in html
    form = form_for(db, BOB)
    the_form = html[html.index('<form id="checkin-form"') : html.index("</form>")]
    fields = set(re.findall(r'<(?:input|textarea|button)[^>]*\bname="([^"]+)"', the_form))
    assert set(form.keys) <= fields
    assert fields - set(form.keys) == {"csrf", "action", "submission"}
    hours = keys(form)["Home care hours"]
    money = re.search(rf'<input[^>]*name="{scheme_key(hours, "actual")}"[^>]*>', html).group(0)
    assert 'inputmode="decimal"' in money and 'autocomplete="off"' in money
    assert "nhsuk-input-wrapper__prefix" in html and "£" in html
    assert html.count('type="radio"') == 8  # levels 1 to 4 of two services
    assert "Showing signs of pressure" in html  # each level's words as its hint
    assert "No patient details, please" in html
    assert page.headers["cache-control"] == "no-store" and "nonce-" in page.headers["content-security-policy"]
    assert '<link rel="stylesheet" href="/static/winterbot.css">' in html
    assert web.get("/static/winterbot.css").status_code == 200


def test_good_answers_are_stored_exactly_as_slack_stores_them(web, db):
    by_slack = stored(db, CAROL, answers(form_for(db, CAROL), **SENT_BY_SLACK))
    page = opened(web, link(db))
    done = web.post(link(db), data=web_answers(db, page, **SENT_BY_SLACK))
    assert done.status_code == 200, done.text
    assert re.findall(r"<h1[^>]*>(.*?)</h1>", done.text) == ["Check-in received"]
    assert "Thank you: today's check-in for <strong>Home Carers Ltd</strong> is in" in done.text
    assert "Spent £12,500 · committed £3,000 · 400 hours to date" in done.text
    assert f'href="{link(db)}"' in done.text  # the same link amends

    carol, bob = (rows(db, CheckIn, CheckIn.member_id == member_id(db, who))[0] for who in (CAROL, BOB))
    assert carol.id == by_slack.checkin_id
    same = ("programme_id", "organisation_id", "local_date", "no_change", "blockers", "comment", "redactions")
    assert {k: getattr(bob, k) for k in same} == {k: getattr(carol, k) for k in same}
    assert bob.supersedes_id is None

    def ledger(model, checkin, *columns):
        return [tuple(getattr(r, c) for c in columns) for r in rows(db, model, model.checkin_id == checkin.id)]

    spend = ("scheme_id", "local_date", "actual", "committed", "activity", "correction_reason", "source")
    assert ledger(SpendReport, bob, *spend) == ledger(SpendReport, carol, *spend)
    capacity = ("organisation_id", "service", "local_date", "level", "measures")
    assert ledger(CapacityReport, bob, *capacity) == ledger(CapacityReport, carol, *capacity)
    assert len(ledger(SpendReport, bob, "id")) == 2 and len(ledger(CapacityReport, bob, "id")) == 2


def test_a_bad_amount_is_shown_on_its_field_with_everything_typed_kept_and_nothing_stored(web, db):
    page = opened(web, link(db))
    hours = keys(form_for(db, BOB))["Home care hours"]
    actual = scheme_key(hours, "actual")
    typed = web_answers(db, page, comment="Rota is tight") | {actual: "twelve", service_key("reablement"): "3"}
    refused = web.post(link(db), data=typed)
    assert refused.status_code == 400
    html = refused.text
    assert "<title>Error: Today&#39;s check-in" in html
    assert 'class="nhsuk-error-summary"' in html
    assert errors_in(html) == [f"scheme-{hours}-actual"]
    message = re.search(rf'id="scheme-{hours}-actual-error"[^>]*>(.*?)</span>\s*$', html, re.S | re.M)
    assert message is not None and "Error:" in message.group(1)
    assert f'aria-describedby="scheme-{hours}-actual-error"' in html
    kept = form_fields(html)
    assert kept[actual] == "twelve" and kept["comment"] == "Rota is tight" and kept[service_key("reablement")] == "3"
    fresh = ("csrf", "submission")  # a new form is shown: its own submission id
    assert {k: v for k, v in kept.items() if k not in fresh} == {k: v for k, v in typed.items() if k not in fresh}
    assert rows(db, CheckIn) == [] and rows(db, SpendReport) == []

    fixed = web.post(link(db), data=kept | {actual: "12,500"})
    assert fixed.status_code == 200 and "Check-in received" in fixed.text
    assert [r.actual for r in rows(db, SpendReport, SpendReport.scheme_id == hours)] == [12500]


def test_an_nhs_number_in_the_blockers_box_is_redacted_as_on_slack(web, db, caplog):
    caplog.set_level(logging.DEBUG)
    page = opened(web, link(db))
    said = "Mr B, 943 476 5919, no package since Friday"
    done = web.post(link(db), data=web_answers(db, page, blockers=said))
    assert done.status_code == 200
    (checkin,) = rows(db, CheckIn)
    assert checkin.blockers == f"Mr B, {REPLACEMENT}, no package since Friday" and checkin.redactions == 1
    assert [b.text for b in rows(db, Blocker)] == [f"Mr B, {REPLACEMENT}, no package since Friday"]
    assert "I removed an NHS number from what you wrote before storing it" in done.text
    logged = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("httpx"))  # the test's client
    assert "943 476 5919" not in done.text and "943 476 5919" not in logged
    assert "no package since Friday" not in logged and link(db).rsplit("/", 1)[1] not in logged
    assert f"web check-in {checkin.id} stored for member {member_id(db)}" in logged


def test_the_same_link_amends_the_days_check_in(web, db, on_monday):
    path = link(db)
    web.post(path, data=web_answers(db, opened(web, path), comment="first go"))
    with time_machine.travel(MONDAY + timedelta(minutes=20), tick=False):
        again = web.get(path)
        assert again.status_code == 200
        assert "You checked in at 10:00" in again.text
        assert "Nothing new today" not in again.text  # as on the platforms: not once answered
        page = form_fields(again.text)
        hours = keys(form_for(db, BOB))["Home care hours"]
        assert page[scheme_key(hours, "actual")] == "12,500" and page["comment"] == "first go"
        assert page[service_key("home_care")] == "2"
        amended = web.post(path, data=page | {scheme_key(hours, "actual"): "13,000", "comment": "second go"})
    assert amended.status_code == 200
    assert "is amended" in amended.text and "The earlier answer stays in the history" in amended.text
    first, second = rows(db, CheckIn)
    assert (first.comment, second.comment, second.supersedes_id) == ("first go", "second go", first.id)
    assert [r.actual for r in rows(db, SpendReport, SpendReport.scheme_id == hours)] == [12500, 13000]


def test_open_blockers_are_asked_still_resolved_or_changed(web, db):
    stored(db, CAROL, answers(form_for(db, CAROL), blockers="No drivers on Thursday"))
    (blocker,) = rows(db, Blocker)
    page = web.get(link(db)).text
    assert "Your organisation&#39;s open blockers" in page
    assert "No drivers on Thursday" in page
    for label in ("Still a problem", "Resolved", "Changed (say how under New blockers)"):
        assert label in page
    fields = form_fields(page)
    assert fields[f"blocker:{blocker.id}"] == "still"  # as the platforms start it
    hours = keys(form_for(db, BOB))["Home care hours"]
    assert fields[scheme_key(hours, "actual")] == "12,500"  # Carol's figures start Bob's form
    done = web.post(link(db), data=fields | {f"blocker:{blocker.id}": "resolved"})
    assert done.status_code == 200, done.text
    assert rows(db, Blocker)[0].status == "resolved"


def test_nothing_new_today_records_no_change_as_the_platforms_do(web, db):
    stored(db, CAROL, answers(form_for(db, CAROL)), now=MONDAY - timedelta(days=3))
    page = opened(web, link(db))
    done = web.post(link(db), data={"csrf": page["csrf"], "action": "no-change"})
    assert done.status_code == 200
    assert "Recorded: nothing new today for <strong>Home Carers Ltd</strong>" in done.text
    bob = [c for c in rows(db, CheckIn) if c.member_id == member_id(db)]
    assert [(c.local_date, c.no_change) for c in bob] == [(ON_MONDAY, True)]
    restated = rows(db, SpendReport, SpendReport.checkin_id == bob[0].id)
    assert {r.source for r in restated} == {SOURCE_NO_CHANGE} and len(restated) == 2


def test_the_page_works_over_plain_http_without_a_secure_cookie(db, on_monday):
    app = build_asgi_app(Settings(database_url=str(db.url), public_url="http://localhost:8080", web_secret=SECRET), db)
    with TestClient(app, base_url="http://localhost:8080") as client:
        path = link(db)
        page = client.get(path)
        assert page.status_code == 200
        cookie = page.headers["set-cookie"]
        assert "HttpOnly" in cookie and "Secure" not in cookie
        done = client.post(
            path, data=web_answers(db, form_fields(page.text)), headers={"origin": "http://localhost:8080"}
        )
        assert done.status_code == 200, done.text
    assert PUBLIC not in cookie


MEASURES = """measures:
  home_care:
    - {key: hours_not_delivered, label: Care hours that could not be delivered yesterday, unit: hours}
"""
HOURS_LOST = "measure:home_care:hours_not_delivered"


def test_the_leads_questions_and_a_services_measures_are_asked_and_stored(engine, on_monday):
    load_programme(engine, parse_programme_file(PROGRAMME.read_text(encoding="utf-8") + MEASURES, "checkin.yaml"))
    with session_scope(engine) as session:
        asked = ask_question(session, "slack", LEAD, "How many carers are off sick?", MONDAY - timedelta(hours=1))
    assert isinstance(asked, Asked)
    app = build_asgi_app(Settings(database_url=str(engine.url), public_url=PUBLIC, web_secret=SECRET), engine)
    with TestClient(app, base_url=PUBLIC) as client:
        path = link(engine)
        html = client.get(path).text
        assert "The leads ask" in html and "How many carers are off sick?" in html and "Asked by Alice Lead" in html
        # the service with a measure is a fieldset around its level and its measure
        home_care = html.split('<legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">\n    Home care\n')
        assert len(home_care) == 2 and "Capacity level" in home_care[1].split("</fieldset>")[0]
        assert "Care hours that could not be delivered yesterday" in html
        (question,) = rows(engine, Question)
        fields = form_fields(html)
        assert fields[f"question:{question.id}"] == "" and fields[HOURS_LOST] == ""
        typed = web_answers(engine, fields, **{f"question:{question.id}": "Three today", HOURS_LOST: "12.5"})
        done = client.post(path, data=typed)
    assert done.status_code == 200, done.text
    assert "You answered 1 of the leads&#39; questions" in done.text
    assert "Care hours that could not be delivered yesterday" in done.text
    assert [a.text for a in rows(engine, QuestionAnswer)] == ["Three today"]
    (home,) = rows(engine, CapacityReport, CapacityReport.service == "home_care")
    assert home.measures == {"hours_not_delivered": "12.5"}
