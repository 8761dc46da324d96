"""Members reached by email or text, end to end: the clock's job sends each prompt through the
real Notify client to a loopback double of Notify's API; the member opens the link on the real
app served by uvicorn, gets a bad amount refused on its field with the rest kept, then stores a
good answer; the link refuses anyone and any day else; and nothing is sent twice."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from fixtures_slack import RunningApp, running_app, said
from notify_double import API_KEY, TEMPLATES, NotifyDouble
from slack_double import BOT_TOKEN as SLACK_TOKEN
from slack_double import SlackDouble
from slack_signing import SIGNING_SECRET
from sqlmodel import col, select
from web_checkin_support import form_fields

from bot.app.wiring import build_messengers
from bot.common.config import Settings
from bot.common.web_links import checkin_url
from bot.programme.loader import load_path
from bot.sending.jobs import daily_brief
from bot.sending.jobs.base import JobContext
from bot.sending.receipts import Receipt, record_receipt
from bot.sending.scheduler import run_job, watch_pass
from models.db import session_scope
from models.tables import AuditEvent, Blocker, CheckIn, Delivery, Member, NotifyReceipt, Scheme, SpendReport, row_id

pytest_plugins = ["fixtures_slack"]

PROGRAMME = Path(__file__).with_name("fixtures") / "reach.yaml"
LONDON = ZoneInfo("Europe/London")
TUE_0931 = datetime(2027, 1, 5, 9, 31, tzinfo=LONDON)
TUE_1401 = datetime(2027, 1, 5, 14, 1, tzinfo=LONDON)
PUBLIC = "https://winterbot.example.org"
SECRET = "web-secret-for-the-notify-tests"
CALLBACK = "a-token-given-to-notify"
GILL, HAL = "gill@carers-centre.example", "+447700900123"
SLUG = "reach-fund"


@pytest.fixture
def notify_api() -> Iterator[NotifyDouble]:
    with NotifyDouble() as double:
        yield double


def notify_settings(database_url: str, slack_api: SlackDouble, notify_api: NotifyDouble, **more: Any) -> Settings:
    """Slack, the web pages and Notify, each at its double; `more` adds Teams, say."""
    return Settings(
        database_url=database_url,
        slack_bot_token=SLACK_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=slack_api.url,
        public_url=PUBLIC,
        web_secret=SECRET,
        notify_api_key=API_KEY,
        notify_api_url=notify_api.url,
        notify_templates=dict(TEMPLATES),
        notify_callback_token=CALLBACK,
        **more,
    )


@pytest.fixture
def settings(database_url: str, slack_api: SlackDouble, notify_api: NotifyDouble) -> Settings:
    return notify_settings(database_url, slack_api, notify_api)


@pytest.fixture
def server(settings: Settings, engine) -> Iterator[RunningApp]:
    load_path(engine, PROGRAMME)
    with running_app(settings, engine) as running:
        yield running


@pytest.fixture
def jobs(settings: Settings, engine) -> JobContext:
    return JobContext(engine=engine, messengers=build_messengers(settings, engine), workers=2)


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def member_id(engine, name: str) -> int:
    with session_scope(engine) as session:
        return row_id(session.exec(select(Member).where(Member.name == name)).one())


def scheme_id(engine, key: str) -> int:
    with session_scope(engine) as session:
        return session.exec(select(Scheme.id).where(Scheme.key == key)).one()


def as_browser(page) -> dict[str, str]:
    """The cookie a browser on the https address would send back: httpx keeps no Secure cookie
    for the test's plain-http loopback address, so it is carried by hand."""
    name, _, rest = page.headers["set-cookie"].partition("=")
    return {"cookie": f"{name}={rest.split(';', 1)[0]}"}


def path_of(link: str) -> str:
    assert link.startswith(f"{PUBLIC}/checkin/"), link
    return link.removeprefix(PUBLIC)


def test_an_email_only_member_is_prompted_checks_in_on_the_web_and_is_sent_nothing_twice(
    server, jobs, notify_api, engine
):
    with time_machine.travel(TUE_0931, tick=True):
        for _ in range(2):
            run_job(jobs, "daily-prompts", utc(TUE_0931), SLUG)
        [prompt] = notify_api.sent("email", GILL)
        assert prompt.reference and f":daily-prompts:m{member_id(engine, 'Gill Partner')}:" in prompt.reference
        assert "Gill" in prompt.personalisation["body"] and prompt.link in prompt.personalisation["body"]
        assert len(notify_api.sent("sms", HAL)) == 1
        path = path_of(prompt.link)

        page = server.http.get(path)
        assert page.status_code == 200 and "Today&#39;s check-in" in page.text
        fields = form_fields(page.text)
        actual = f"scheme:{scheme_id(engine, 'sitting')}:actual"
        sitting = scheme_id(engine, "sitting")
        fields.update({actual: "12,5OO", f"scheme:{sitting}:committed": "2,000", f"scheme:{sitting}:activity": "320"})
        fields["blockers"] = "No sitters free at weekends for Mr Smith 943 476 5919"
        browser = as_browser(page)
        refused = server.http.post(path, data=fields, headers=browser)
        assert refused.status_code == 400
        assert "nhsuk-error-summary" in refused.text and f'href="#{actual.replace(":", "-")}"' in refused.text
        kept = form_fields(refused.text)
        assert refused.text.count("nhsuk-error-message") == 1, "only the bad amount is wrong"
        assert (
            kept[actual] == "12,5OO"
            and kept[f"scheme:{sitting}:committed"] == "2,000"
            and kept["blockers"].startswith("No sitters free at weekends")
        )
        with session_scope(engine) as session:
            assert session.exec(select(CheckIn)).all() == []

        kept[actual] = "12,500"
        stored = server.http.post(path, data=kept, headers=browser)
        assert stored.status_code == 200 and "Check-in received" in stored.text, re.findall(
            r"error-message.{0,300}", stored.text, re.S
        )

    with session_scope(engine) as session:
        [checkin] = session.exec(select(CheckIn)).all()
        assert checkin.member_id == member_id(engine, "Gill Partner")
        assert "943 476 5919" not in (checkin.blockers or "") and "Mr Smith" in (checkin.blockers or "")
        [spend] = session.exec(select(SpendReport).where(SpendReport.scheme_id == scheme_id(engine, "sitting"))).all()
        assert (spend.actual, spend.activity) == (Decimal("12500"), Decimal("320"))

    with time_machine.travel(TUE_1401, tick=True):
        run_job(jobs, "reminders", utc(TUE_1401), SLUG)
    assert len(notify_api.sent("email", GILL)) == 1, "Gill has answered: no reminder"
    assert len(notify_api.sent("sms", HAL)) == 2, "Hal has not: his reminder by text"


def test_the_link_refuses_another_member_another_day_and_a_changed_signature(server, jobs, notify_api, engine):
    with time_machine.travel(TUE_0931, tick=True):
        run_job(jobs, "daily-prompts", utc(TUE_0931), SLUG)
        path = path_of(notify_api.sent("email", GILL)[0].link)
        body, _, signature = path.removeprefix("/checkin/").partition(".")
        hal = member_id(engine, "Hal Partner")
        forged = checkin_url(PUBLIC, "not-our-secret", hal, TUE_0931.date(), "Europe/London")
        yesterday = checkin_url(PUBLIC, SECRET, member_id(engine, "Gill Partner"), TUE_0931.date() - timedelta(1), None)
        flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
        assert server.http.get(path).status_code == 200
        for bad in (path_of(forged), f"/checkin/{body}.{flipped}", f"/checkin/{body}x.{signature}"):
            page = server.http.get(bad)
            assert page.status_code == 403 and "changed" in page.text, bad
            assert server.http.post(bad, data={"blockers": "x"}).status_code == 403
        old = server.http.get(path_of(yesterday))
        assert old.status_code == 410 and "expired" in old.text
        tomorrow = checkin_url(PUBLIC, SECRET, member_id(engine, "Gill Partner"), TUE_0931.date() + timedelta(1), None)
        early = server.http.get(path_of(tomorrow))
        assert early.status_code == 403 and "Wed 06 Jan" in early.text
    with session_scope(engine) as session:
        assert session.exec(select(CheckIn)).all() == []


def test_a_send_notify_took_but_did_not_answer_is_found_by_its_reference_not_sent_again(jobs, notify_api, engine):
    load_path(engine, PROGRAMME)
    notify_api.accept_then_fail(times=2)
    [first] = run_job(jobs, "daily-prompts", utc(TUE_0931), SLUG)
    assert first.retrying == 2 and first.sent == 2  # the two Notify sends; Dev's and Ivy's in Slack went
    notify_api.fail_next(status=503)
    for minutes in (20, 40, 60):
        run_job(jobs, "daily-prompts", utc(TUE_0931) + timedelta(minutes=minutes), SLUG)
    assert len(notify_api.sent("email", GILL)) == 1 and len(notify_api.sent("sms", HAL)) == 1
    with session_scope(engine) as session:
        rows = session.exec(select(Delivery).where(col(Delivery.key).contains(":daily-prompts:"))).all()
    assert {r.state for r in rows} == {"sent"}, [(r.key, r.state, r.attempts, r.last_error) for r in rows]


def test_a_bad_address_is_refused_for_good_and_a_bounce_is_told_to_the_admin_once(
    server, jobs, notify_api, slack_api, engine
):
    with time_machine.travel(TUE_0931, tick=True):
        run_job(jobs, "daily-prompts", utc(TUE_0931), SLUG)
        prompt = notify_api.sent("email", GILL)[0]
        receipt = {
            "id": prompt.id,
            "reference": prompt.reference,
            "to": GILL,
            "status": "permanent-failure",
            "created_at": "2027-01-05T09:31:02.000000Z",
            "completed_at": "2027-01-05T09:31:09.000000Z",
            "sent_at": "2027-01-05T09:31:03.000000Z",
            "notification_type": "email",
        }
        assert server.http.post("/notify/receipts", json=receipt).status_code == 401
        wrong = {"authorization": "Bearer not-it"}
        assert server.http.post("/notify/receipts", json=receipt, headers=wrong).status_code == 401
        ours = {"authorization": f"Bearer {CALLBACK}"}
        for _ in range(2):
            assert server.http.post("/notify/receipts", json=receipt, headers=ours).status_code == 200
        assert server.http.post("/notify/receipts", json={"id": 1}, headers=ours).status_code == 400
        for _ in range(2):
            watch_pass(jobs, utc(TUE_0931) + timedelta(minutes=1))
    told = [c for c in slack_api.calls("chat.postMessage") if c.get("channel") == "U0RCH0006"]
    assert len(told) == 1, "Fay, the admin, is told once"
    assert "Gill Partner" in told[0]["text"] and "could not be delivered" in told[0]["text"]
    assert GILL not in told[0]["text"]
    with session_scope(engine) as session:
        [row] = session.exec(select(NotifyReceipt)).all()
        assert row.status == "permanent-failure" and row.reported_at is not None


def test_a_leads_answer_to_a_blocker_raised_on_the_web_reaches_the_partner_by_email_once(
    server, jobs, notify_api, engine
):
    with time_machine.travel(TUE_0931, tick=True):
        run_job(jobs, "daily-prompts", utc(TUE_0931), SLUG)
        path = path_of(notify_api.sent("email", GILL)[0].link)
        page = server.http.get(path)
        fields = form_fields(page.text)
        sitting = scheme_id(engine, "sitting")
        fields.update({f"scheme:{sitting}:{figure}": "0" for figure in ("actual", "committed", "activity")})
        fields["blockers"] = "No sitters free at weekends"
        stored = server.http.post(path, data=fields, headers=as_browser(page))
        assert "Check-in received" in stored.text
        with session_scope(engine) as session:
            [blocker] = session.exec(select(Blocker)).all()
        replied, _ = said(server.command(f"blockers reply {blocker.id} Two sitters start on Saturday", "U0RCH0006"))
        assert "Two sitters start on Saturday" in replied
        for _ in range(2):
            watch_pass(jobs, utc(TUE_0931) + timedelta(minutes=5))
    told = [m for m in notify_api.sent("email", GILL) if ":blocker-reply:" in (m.reference or "")]
    assert len(told) == 1
    assert "Two sitters start on Saturday" in told[0].personalisation["body"]
    assert "Fay Admin" in told[0].personalisation["body"]


def test_an_email_only_member_pauses_their_prompts_on_the_web_and_the_audit_keeps_no_address(
    server, jobs, notify_api, engine
):
    with time_machine.travel(TUE_0931, tick=True):
        run_job(jobs, "daily-prompts", utc(TUE_0931), SLUG)
        path = path_of(notify_api.sent("email", GILL)[0].link)
        page = server.http.get(path)
        fields = form_fields(page.text, "away-form") | {"until": "next monday"}
        paused = server.http.post(f"{path}/away", data=fields, headers=as_browser(page))
        assert paused.status_code == 200 and "Your prompts are paused" in paused.text
    with session_scope(engine) as session:
        [event] = session.exec(select(AuditEvent).where(AuditEvent.action == "member.away")).all()
    assert event.actor == f"email:m{member_id(engine, 'Gill Partner')}" and "@" not in event.actor
    with time_machine.travel(TUE_1401, tick=True):
        run_job(jobs, "reminders", utc(TUE_1401), SLUG)
    assert len(notify_api.sent("email", GILL)) == 1, "away: no reminder"


class Stopped(BaseException):
    """The process stops (a deploy, the machine gone): not an error the job catches."""


def test_a_digest_stopped_after_the_channel_still_reaches_the_members_by_email_and_text(
    jobs, notify_api, slack_api, engine, monkeypatch
):
    load_path(engine, PROGRAMME)
    friday = utc(datetime(2027, 1, 8, 15, 0, tzinfo=LONDON))
    deliver = daily_brief.deliver_in_order

    def stop_before_the_members(ctx, result, programme_id, items, now):
        if items and items[0].platform in ("email", "sms"):
            raise Stopped  # between the channel's digest and the first member's
        return deliver(ctx, result, programme_id, items, now)

    monkeypatch.setattr(daily_brief, "deliver_in_order", stop_before_the_members)
    with pytest.raises(Stopped):
        run_job(jobs, "weekly-digest", friday, SLUG)
    in_channel = [c for c in slack_api.calls("chat.postMessage") if c.get("channel") == "C0REACH"]
    assert in_channel and notify_api.sent() == []

    monkeypatch.undo()  # the process starts again
    for minutes in (3, 6):
        run_job(jobs, "weekly-digest", friday + timedelta(minutes=minutes), SLUG)
    assert sorted((m.kind, m.to) for m in notify_api.sent()) == [("email", GILL), ("sms", HAL)]
    again = [c for c in slack_api.calls("chat.postMessage") if c.get("channel") == "C0REACH"]
    assert len(again) == len(in_channel), "the channel's digest is not sent again"


def test_a_bounce_with_nobody_reachable_to_tell_is_logged_once_not_tried_for_ever(jobs, notify_api, engine, caplog):
    load_path(engine, PROGRAMME)
    run_job(jobs, "daily-prompts", utc(TUE_0931), SLUG)
    prompt = notify_api.sent("email", GILL)[0]
    with session_scope(engine) as session:
        record_receipt(session, Receipt(prompt.id, prompt.reference, "email", "permanent-failure", None), utc(TUE_0931))
    only_notify = JobContext(engine=engine, messengers={k: jobs.messengers[k] for k in ("email", "sms")}, workers=1)
    first = watch_pass(only_notify, utc(TUE_0931) + timedelta(minutes=1))
    assert "no admin or channel to tell" in caplog.text
    assert [r for r in watch_pass(only_notify, utc(TUE_0931) + timedelta(minutes=2)) if r.job == "notify-failure"] == []
    assert not any(r.sent for r in first)
    with session_scope(engine) as session:
        [row] = session.exec(select(NotifyReceipt)).all()
    assert row.reported_at is not None
