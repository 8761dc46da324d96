"""risk-scan and its escalations: a home care provider at level 4 reaches the leads once, a
lead acts from the message, and the same answer the next day raises nothing new."""

from __future__ import annotations

import time
from datetime import date, datetime
from datetime import time as clock

import pytest
import time_machine
from slack_double import BOT_TOKEN
from sqlmodel import col, select
from test_slack_checkin import BOB, CAROL, LEAD, good_answers, open_modal, programme_id, scheme_ids, send  # noqa: F401
from test_slack_risks import action_ids, block_text, press, stored, told_privately

from bot.common.calendar import local_instant
from bot.common.config import Settings
from bot.sending.escalations import JOB as ESCALATION
from bot.sending.escalations import escalations
from bot.sending.jobs import JobContext
from bot.sending.jobs.risk_scan import run_risk_scan, scan_now, watch
from handlers.slack.blocks.limits import check_message
from handlers.slack.messenger import SlackMessenger, sync_client
from models.db import session_scope
from models.tables import CapacityReport, Delivery, Member, Organisation, Programme, Risk

CHANNEL = "C0TEST"  # the fixture has no leads' channel, so the programme channel is told
TUESDAY, WEDNESDAY = date(2027, 1, 5), date(2027, 1, 6)


def at(day: date, hh: int, mm: int = 0, ss: int = 0) -> datetime:
    return local_instant(day, clock(hh, mm, ss))


@pytest.fixture
def ctx(engine, slack_api) -> JobContext:
    settings = Settings(slack_bot_token=BOT_TOKEN, slack_api_url=slack_api.url)
    return JobContext(engine=engine, messengers={"slack": SlackMessenger(sync_client(settings))}, workers=2)


@pytest.fixture
def programme(engine, programme_id) -> Programme:
    with session_scope(engine) as session:
        return session.get(Programme, programme_id)


def report(engine, day: date, level: int, org: str = "carers", service: str = "home_care") -> None:
    with session_scope(engine) as session:
        organisation = session.exec(select(Organisation).where(Organisation.key == org)).one()
        session.add(
            CapacityReport(
                programme_id=organisation.programme_id,
                organisation_id=organisation.id,
                service=service,
                local_date=day,
                level=level,
                reported_at=at(day, 10),
            )
        )


def posts_about(slack_api, words: str, channel: str | None = None) -> list:
    return [
        c
        for c in slack_api.calls("chat.postMessage")
        if words in c["text"] and (channel is None or c["channel"] == channel)
    ]


def capacity_risks(engine) -> list[Risk]:
    with session_scope(engine) as session:
        return session.exec(select(Risk).where(Risk.rule == "capacity").order_by(col(Risk.id))).all()


# -- the job -------------------------------------------------------------------------------------


def test_the_scan_waits_for_the_end_of_the_checkin_window(ctx, programme, engine, slack_api):
    report(engine, TUESDAY, 4)
    early = run_risk_scan(ctx, programme, at(TUESDAY, 13, 59))
    assert early.note == "nothing sent: not due until 14:00"
    assert capacity_risks(engine) == [] and slack_api.calls("chat.postMessage") == []


def test_level_four_goes_to_the_leads_and_the_owner_once(ctx, programme, engine, slack_api):
    report(engine, TUESDAY, 4)
    first = run_risk_scan(ctx, programme, at(TUESDAY, 14))
    [risk] = capacity_risks(engine)
    assert risk.severity == "critical"
    told = {c["channel"] for c in posts_about(slack_api, "home care at level 4")}
    assert told == {CHANNEL, BOB, CAROL}  # the channel, and Home Carers Ltd's two partners
    assert first.line().startswith("risk-scan test-fund Tue 05 Jan 2027: risks ")
    [leads] = posts_about(slack_api, "home care at level 4", CHANNEL)
    check_message(leads["blocks"])
    assert "risk_acknowledge" in action_ids(leads["blocks"])
    for partner in (BOB, CAROL):  # plain words for the partners, without the leads' buttons
        [copy] = posts_about(slack_api, "home care at level 4", partner)
        assert "blocks" not in copy.body and "`/winter checkin`" in copy["text"]

    again = run_risk_scan(ctx, programme, at(TUESDAY, 14, 30))
    assert again.sent == 0 and again.already_sent == first.sent
    assert len(posts_about(slack_api, "home care at level 4")) == 3


def test_the_same_answer_tomorrow_raises_nothing_new(ctx, programme, engine, slack_api):
    report(engine, TUESDAY, 4)
    run_risk_scan(ctx, programme, at(TUESDAY, 14))
    report(engine, WEDNESDAY, 4)
    run_risk_scan(ctx, programme, at(WEDNESDAY, 14))
    assert len(capacity_risks(engine)) == 1
    assert len(posts_about(slack_api, "home care at level")) == 3


def test_a_rise_from_three_to_four_is_escalated_again(ctx, programme, engine, slack_api):
    report(engine, TUESDAY, 3)
    run_risk_scan(ctx, programme, at(TUESDAY, 14))
    assert len(posts_about(slack_api, "home care at level 3", CHANNEL)) == 1
    report(engine, WEDNESDAY, 4)
    run_risk_scan(ctx, programme, at(WEDNESDAY, 14))
    [risk] = capacity_risks(engine)
    assert risk.severity == "critical"
    assert len(posts_about(slack_api, "home care at level 4", CHANNEL)) == 1


def test_below_the_escalation_severity_waits_for_the_digest(ctx, programme, engine, slack_api):
    with session_scope(engine) as session:
        row = session.get(Programme, programme.id)
        row.settings = {
            **row.settings,
            "thresholds": {**row.settings.get("thresholds", {}), "escalate_from": "critical"},
        }
        session.add(row)
    report(engine, TUESDAY, 3)
    run_risk_scan(ctx, stored_programme(engine, programme.id), at(TUESDAY, 14))
    assert [r.severity for r in capacity_risks(engine)] == ["high"]
    assert posts_about(slack_api, "home care at level") == []


def test_an_away_partner_is_not_messaged(ctx, programme, engine, slack_api):
    with session_scope(engine) as session:
        carol = session.exec(select(Member).where(Member.platform_user_id == CAROL)).one()
        carol.away_until = date(2027, 1, 11)
        session.add(carol)
    report(engine, TUESDAY, 4)
    run_risk_scan(ctx, programme, at(TUESDAY, 14))
    assert {c["channel"] for c in posts_about(slack_api, "home care at level 4")} == {CHANNEL, BOB}


@pytest.mark.slow
def test_a_failed_post_is_retried_not_lost(ctx, programme, engine, slack_api):
    report(engine, TUESDAY, 4)
    slack_api.fail_next("chat.postMessage", status=500, error="internal_error", times=1000)
    failed = run_risk_scan(ctx, programme, at(TUESDAY, 14))
    assert failed.sent == 0 and failed.retrying > 0
    with session_scope(engine) as session:
        keys = [
            e.key
            for e in escalations(session, programme, at(TUESDAY, 14))
            if e.destination.address == CHANNEL and e.risk.rule == "capacity"
        ]
    with session_scope(engine) as session:
        assert session.exec(select(Delivery).where(col(Delivery.key).in_(keys))).one().state == "failed"
    slack_api.clear()  # Slack is back
    assert run_risk_scan(ctx, programme, at(TUESDAY, 14, 0, 30)).sent == 0  # backing off
    later = run_risk_scan(ctx, programme, at(TUESDAY, 14, 10))
    assert later.sent > 0
    assert len(posts_about(slack_api, "home care at level 4", CHANNEL)) == 1
    with session_scope(engine) as session:
        assert {d.state for d in session.exec(select(Delivery).where(Delivery.job == ESCALATION))} == {"sent"}


def test_no_scan_at_the_weekend_or_after_the_deadline(ctx, programme, engine):
    assert scan_now(ctx, programme.id, at(date(2027, 1, 9), 10)) is None
    assert scan_now(ctx, programme.id, at(date(2027, 4, 1), 10)) is None
    assert run_risk_scan(ctx, programme, at(date(2026, 12, 28), 15)).note.endswith("is a bank holiday")


# -- the watch, and scans that follow what changed --------------------------------------------------


def test_the_watch_scans_only_when_a_level_at_the_alert_arrives(ctx, programme, engine, slack_api):
    report(engine, TUESDAY, 2)
    assert watch(ctx, at(TUESDAY, 10)) == []  # below the alert level: the clock's scan at 14:00 will do
    report(engine, TUESDAY, 4)
    [scanned] = watch(ctx, at(TUESDAY, 10, 0, 5))
    assert scanned.summary.startswith("risks ") and len(posts_about(slack_api, "home care at level 4")) == 3
    assert watch(ctx, at(TUESDAY, 10, 0, 10)) == []  # nothing newer than what the scan read
    report(engine, TUESDAY, 4, org="carers")  # the same level again, an amendment: scanned, nothing new told
    [again] = watch(ctx, at(TUESDAY, 10, 0, 15))
    assert again.sent == 0 and len(posts_about(slack_api, "home care at level 4")) == 3
    assert watch(ctx, at(date(2027, 1, 9), 10)) == []  # a Saturday: no scans


def test_a_scan_with_nothing_changed_reads_nothing_but_the_version(ctx, programme, engine, slack_api):
    from sqlalchemy import event

    report(engine, TUESDAY, 4)
    run_risk_scan(ctx, programme, at(TUESDAY, 14))
    run_risk_scan(ctx, programme, at(TUESDAY, 14, 0, 30))  # its own writes moved the version: once more
    seen: list[str] = []

    def count(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        seen.append(statement.lower())

    event.listen(engine, "before_cursor_execute", count)
    try:
        quiet = run_risk_scan(ctx, programme, at(TUESDAY, 14, 1))
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert quiet.summary == "nothing changed since the last scan" and quiet.sent == 0
    assert len(seen) <= 6, seen  # the version, the newest report, the last run, due escalations
    assert not [s for s in seen if s.startswith(("select risk.", "insert", "update"))]
    tomorrow = run_risk_scan(ctx, programme, at(WEDNESDAY, 14))
    assert tomorrow.summary.startswith("risks "), "a new day is scanned again: silence is counted by the day"


def test_one_scan_of_a_programme_at_a_time(ctx, programme, engine):
    from bot.sending.jobs import risk_scan

    report(engine, TUESDAY, 4)
    with risk_scan._only_one(programme.id):  # another thread of this clock is scanning it
        busy = scan_now(ctx, programme.id, at(TUESDAY, 10))
    assert busy.note == risk_scan.BUSY and capacity_risks(engine) == []
    assert scan_now(ctx, programme.id, at(TUESDAY, 10, 0, 5)).summary.startswith("risks ")


@pytest.mark.postgres
def test_a_second_clock_does_not_scan_what_the_first_is_scanning(ctx, programme, engine):
    import zlib

    from sqlalchemy import text

    from bot.sending.jobs import risk_scan

    if engine.dialect.name != "postgresql":
        pytest.skip("the advisory lock is PostgreSQL's")
    report(engine, TUESDAY, 4)
    key = zlib.crc32(f"{risk_scan.JOB}:{programme.id}".encode())
    with engine.connect() as other_clock, other_clock.begin():
        assert other_clock.execute(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": key}).scalar()
        busy = scan_now(ctx, programme.id, at(TUESDAY, 10))
    assert busy.note == risk_scan.BUSY and capacity_risks(engine) == []
    assert scan_now(ctx, programme.id, at(TUESDAY, 10, 0, 5)).summary.startswith("risks ")


# -- end to end: the check-in, the escalation, the lead's button, the next day ---------------------


def _check_in_at_level_four(slack_server, slack_api, programme_id, scheme_ids) -> None:
    view = open_modal(slack_server, slack_api, programme_id)
    answered = send(slack_server, view, good_answers(view, scheme_ids, **{"service:home_care": "4"}))
    assert answered["response_action"] == "update"


def test_level_four_at_checkin_reaches_the_leads_and_a_lead_acknowledges_from_the_message(
    slack_server,
    slack_api,
    engine,
    programme_id,
    scheme_ids,
    ctx,
):
    with time_machine.travel(at(TUESDAY, 10), tick=True):
        _check_in_at_level_four(slack_server, slack_api, programme_id, scheme_ids)
        assert posts_about(slack_api, "home care at level 4") == [], "nothing is sent from the request"
        [scanned] = watch(ctx, at(TUESDAY, 10, 0, 5))  # the clock's watch, seconds later
        assert len(posts_about(slack_api, "home care at level 4")) == 3 <= scanned.sent
        [escalation] = posts_about(slack_api, "home care at level 4", CHANNEL)
        check_message(escalation["blocks"])
        [risk] = capacity_risks(engine)
        [message] = [m for m in slack_api.history(CHANNEL) if "level 4" in m["text"]]
        reference = f"{CHANNEL}:{message['ts']}"

        press(slack_server, slack_api, "risk_acknowledge", risk.id, CAROL, reference)
        assert "Only the programme's leads can change risks" in told_privately(slack_api)
        assert stored(engine, risk.id).status == "open"

        press(slack_server, slack_api, "risk_acknowledge", risk.id, LEAD, reference, name="lead")
        in_channel = _wait_for_update(slack_api, CHANNEL)
        assert stored(engine, risk.id).status == "acknowledged"
        assert "Acknowledged" in block_text(in_channel[-1]["blocks"])
        assert "acknowledged by Alice Lead" in block_text(in_channel[-1]["blocks"])

    with time_machine.travel(at(WEDNESDAY, 10), tick=True):
        _check_in_at_level_four(slack_server, slack_api, programme_id, scheme_ids)
        watch(ctx, at(WEDNESDAY, 10, 0, 5))
        run_risk_scan(ctx, stored_programme(engine, programme_id), at(WEDNESDAY, 14))
    assert len(capacity_risks(engine)) == 1
    assert len(posts_about(slack_api, "home care at level 4", CHANNEL)) == 1
    assert stored(engine, risk.id).status == "acknowledged"


def _wait_for_update(slack_api, channel: str, timeout: float = 10) -> list:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [c for c in slack_api.calls("chat.update") if c["channel"] == channel]
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"no chat.update in {channel} within {timeout}s")


def stored_programme(engine, programme_id: int) -> Programme:
    with session_scope(engine) as session:
        return session.get(Programme, programme_id)


def test_a_checkin_below_the_alert_level_waits_for_the_clocks_scan(
    slack_server,
    slack_api,
    engine,
    programme_id,
    scheme_ids,
    ctx,
):
    with time_machine.travel(at(TUESDAY, 10), tick=True):
        view = open_modal(slack_server, slack_api, programme_id)
        answered = send(slack_server, view, good_answers(view, scheme_ids, **{"service:home_care": "2"}))
        assert answered["response_action"] == "update"
        assert watch(ctx, at(TUESDAY, 10, 0, 5)) == []
    with session_scope(engine) as session:
        assert session.exec(select(Risk)).all() == []  # not even the spend flags: those wait for 14:00
    assert [c for c in slack_api.calls("chat.postMessage") if c["channel"] == CHANNEL] == []


@pytest.mark.slow
def test_the_watch_retries_a_failed_escalation_without_waiting_for_the_afternoon(ctx, programme, engine, slack_api):
    report(engine, TUESDAY, 4)
    slack_api.fail_next("chat.postMessage", status=500, error="internal_error", times=1000)
    [failed] = watch(ctx, at(TUESDAY, 10))
    assert failed.sent == 0 and failed.retrying > 0
    slack_api.clear()  # Slack is back
    assert watch(ctx, at(TUESDAY, 10, 0, 30)) == []  # backing off: nothing due yet
    [later] = watch(ctx, at(TUESDAY, 10, 2))  # no new report since: the retry alone brings it
    assert later.sent > 0 and "new" not in (later.summary or "").replace("0 new", "")
    assert len(posts_about(slack_api, "home care at level 4", CHANNEL)) == 1
