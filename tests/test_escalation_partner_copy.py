"""A partner's copy of an escalation (issue 17): plain words about their organisation, what the
leads do next and how to add detail, without the leads' buttons; the leads' copy keeps them.
The words are built by a pure function (bot.sending.escalations.partner_copy); the sends go
through the real risk-scan job to the Slack double, under the same exactly-once keys.
Every view of the register a partner can see is in test_escalation_partner_copy_words.py."""

from __future__ import annotations

from sqlmodel import select
from test_risk_blocks import risk
from test_risk_escalation import CHANNEL, TUESDAY, at, capacity_risks, ctx, posts_about, programme, report  # noqa: F401
from test_slack_checkin import BOB, CAROL, programme_id  # noqa: F401
from test_slack_risks import action_ids

from bot.sending.escalations import Escalation, escalation_key, escalations, partner_copy
from bot.sending.jobs.risk_scan import run_risk_scan
from bot.sending.ports import Destination
from handlers.slack.blocks.limits import check_message
from handlers.teams.cards.base import notice_card
from models.db import session_scope
from models.tables import Member
from models.vocabulary import Severity

LEADS_BUTTONS = ["risk_acknowledge", "risk_assign", "risk_mitigate", "risk_close"]

# -- the words, without Slack -----------------------------------------------------------------------


def test_a_partners_copy_says_what_was_raised_what_happens_next_and_how_to_add_detail():
    words = partner_copy(risk(severity=Severity.CRITICAL), "slack")
    first, detail, next_steps, add = words.split("\n\n")
    assert first == "A critical risk about Home Carers Ltd has gone to the winter fund's leads: Home care at level 3"
    assert detail == "14 hours not delivered yesterday"
    assert "leads' channel now" in next_steps and "daily brief on the next working day" in next_steps
    assert add == "To add detail, use `/winter checkin`: today's check-in has room for blockers and comments."


def test_in_teams_the_partner_is_told_the_word_to_type():
    words = partner_copy(risk(), "teams")
    assert "type “checkin” in your chat with winterbot" in words and "/winter" not in words
    card = notice_card(words)
    assert "actions" not in card or not card["actions"]


def test_a_risk_with_no_detail_or_owner_still_reads_as_a_sentence():
    words = partner_copy(risk(detail=None, owner=None), "slack")
    assert words.startswith(
        "A high risk has gone to the winter fund's leads: Home care at level 3\n\nWhat happens next"
    )


def test_a_long_detail_is_shortened_so_the_next_steps_are_never_cut():
    words = partner_copy(risk(detail="d" * 5000), "teams")
    assert len(words) < 4000 and words.endswith("blockers and comments.")


# -- who gets which copy --------------------------------------------------------------------------


def test_the_channel_and_a_lead_of_the_owner_get_the_leads_copy_and_a_partner_the_plain_one(
    ctx, programme, engine, slack_api
):
    _make_lead(engine, CAROL)
    report(engine, TUESDAY, 4)
    run_risk_scan(ctx, programme, at(TUESDAY, 14))
    with session_scope(engine) as session:
        due = [e for e in escalations(session, programme, at(TUESDAY, 14)) if e.risk.rule == "capacity"]
    told = {e.destination.address: e.for_leads for e in due}
    assert told == {CHANNEL: True, BOB: False, CAROL: True}
    for e in due:  # the keys are as they were: (programme, risk, severity, destination)
        assert e.key == escalation_key(programme.slug, e.risk.id, "critical", e.destination)
    [in_channel] = posts_about(slack_api, "home care at level 4", CHANNEL)
    [to_carol] = posts_about(slack_api, "home care at level 4", CAROL)
    for leads in (in_channel, to_carol):
        check_message(leads["blocks"])
        assert action_ids(leads["blocks"]) == LEADS_BUTTONS


def test_the_partners_dm_has_no_actions_and_the_channel_post_has(ctx, programme, engine, slack_api):
    report(engine, TUESDAY, 4)
    first = run_risk_scan(ctx, programme, at(TUESDAY, 14))
    [in_channel] = posts_about(slack_api, "home care at level 4", CHANNEL)
    assert action_ids(in_channel["blocks"]) == LEADS_BUTTONS
    [risk_row] = capacity_risks(engine)
    for partner in (BOB, CAROL):
        [dm] = posts_about(slack_api, "home care at level 4", partner)
        assert not [b for b in dm.body.get("blocks") or [] if b.get("type") == "actions"]
        assert dm["text"].startswith("A critical risk about Home Carers Ltd has gone to the winter fund's leads")
        assert "`/winter checkin`" in dm["text"]
        key = escalation_key(
            programme.slug, risk_row.id, "critical", Destination("slack", partner, _member_id(engine, partner))
        )
        assert dm["metadata"]["event_payload"]["key"] == key, "the partner's copy carries its key, found after a crash"
    again = run_risk_scan(ctx, programme, at(TUESDAY, 14, 30))
    assert again.sent == 0 and again.already_sent == first.sent
    assert len(posts_about(slack_api, "home care at level 4")) == 3


def test_an_escalation_is_the_leads_copy_unless_told_otherwise():
    view = risk()
    assert Escalation("k", Destination("slack", "C1"), view).for_leads


def _make_lead(engine, user_id: str) -> None:
    with session_scope(engine) as session:
        member = session.exec(select(Member).where(Member.platform_user_id == user_id)).one()
        member.role = "lead"
        session.add(member)


def _member_id(engine, user_id: str) -> int:
    with session_scope(engine) as session:
        return session.exec(select(Member.id).where(Member.platform_user_id == user_id)).one()
