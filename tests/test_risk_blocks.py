"""The risk register's Block Kit: buttons per status, the facts line, 60 risks in one message,
long titles, the close and assign forms; every payload within Slack's limits."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from bot.risks.changes import RiskRefused
from bot.risks.listing import EventView, RiskView
from bot.risks.requests import Register, RisksOverview
from handlers.slack.blocks.limits import check_message, check_modal
from handlers.slack.blocks.risks import (
    assign_modal,
    close_modal,
    escalation_message,
    notice_modal,
    replace_risk,
    risk_blocks,
    risks_list,
)
from models.vocabulary import RiskStatus, Role, Severity

UTC = UTC
RAISED = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
ACKED = EventView("acknowledged", "Asha Patel", datetime(2027, 1, 4, 10, 4, tzinfo=UTC), "open", "acknowledged", None)


def risk(
    id=7,
    *,
    status=RiskStatus.OPEN,
    severity=Severity.HIGH,
    title="Home care at level 3",
    detail="14 hours not delivered yesterday",
    owner="Home Carers Ltd",
    age=2,
    event=ACKED,
    raised=RAISED,
) -> RiskView:
    return RiskView(
        id=id,
        rule="capacity_level",
        subject=f"carers:{id}",
        title=title,
        detail=detail,
        severity=severity,
        status=status,
        owner_organisation_id=3 if owner else None,
        owner_name=owner,
        raised_at=raised,
        age_working_days=age,
        last_event=event,
    )


def buttons(blocks) -> list[tuple[str, str, str]]:
    return [
        (e["action_id"], e["text"]["text"], e["value"]) for b in blocks if b["type"] == "actions" for e in b["elements"]
    ]


def text_of(blocks) -> str:
    out = []
    for block in blocks:
        if "text" in block:
            out.append(block["text"]["text"])
        out += [
            e.get("text", "") if isinstance(e.get("text"), str) else e["text"]["text"]
            for e in block.get("elements", [])
        ]
    return "\n".join(out)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (RiskStatus.OPEN, ["risk_acknowledge", "risk_assign", "risk_mitigate", "risk_close"]),
        (RiskStatus.ACKNOWLEDGED, ["risk_assign", "risk_mitigate", "risk_close"]),
        (RiskStatus.MITIGATED, ["risk_close", "risk_reopen"]),
        (RiskStatus.CLOSED, ["risk_reopen"]),
    ],
)
def test_the_buttons_follow_the_status_and_carry_the_risk_id(status, expected):
    blocks = risk_blocks(risk(status=status))
    check_message(blocks)
    assert [action for action, _, _ in buttons(blocks)] == expected
    assert {value for _, _, value in buttons(blocks)} == {"7"}


def test_the_labels_say_what_the_buttons_do():
    assert [label for _, label, _ in buttons(risk_blocks(risk()))] == [
        "Acknowledge",
        "Assign owner",
        "Mitigated",
        "Close…",
    ]


def test_without_actions_there_are_no_buttons():
    blocks = risk_blocks(risk(), actions=False)
    assert buttons(blocks) == [] and len(blocks) == 2


def test_the_facts_line_names_severity_status_owner_age_and_the_last_event():
    shown = text_of(risk_blocks(risk()))
    assert ":large_orange_circle: *Home care at level 3*\n14 hours not delivered yesterday" in shown
    assert "High · Open · owner Home Carers Ltd · 2 working days old · acknowledged by Asha Patel " in shown
    assert f"<!date^{int(ACKED.at.timestamp())}^{{date_short_pretty}} {{time}}|4 Jan 10:04>" in shown


def test_no_owner_a_new_risk_and_a_rule_raising_it():
    raised = EventView("raised", None, RAISED, None, "open", "Severity critical")
    shown = text_of(risk_blocks(risk(owner=None, age=0, event=raised, severity=Severity.CRITICAL)))
    assert "Critical · Open · no owner yet · raised today · raised by a rule" in shown
    assert "Severity critical" not in shown and ":red_circle:" in shown


def test_a_closing_note_is_shown_escaped():
    closed = EventView("closed", "Asha Patel", RAISED, "acknowledged", "closed", "Agency staff <@here> & bank shifts")
    shown = text_of(risk_blocks(risk(status=RiskStatus.CLOSED, event=closed)))
    assert "closed by Asha Patel" in shown and "“Agency staff &lt;@here&gt; &amp; bank shifts”" in shown


def test_long_titles_and_details_stay_within_the_limits():
    long = risk(title="Ç&<" * 100, detail="&" * 2000)
    blocks = risk_blocks(long)
    check_message(blocks)
    assert blocks[0]["text"]["text"].endswith("…")


def test_an_escalation_message_says_so_and_has_a_plain_fallback():
    text, blocks = escalation_message(risk())
    check_message(blocks)
    assert text == "High risk escalated to the leads: Home care at level 3 (open, Home Carers Ltd)"
    assert "Risk escalated to the leads" in blocks[0]["elements"][0]["text"]
    assert len(buttons(blocks)) == 4


def test_replacing_one_risk_keeps_the_rest_of_the_message():
    _, first = escalation_message(risk(7))
    other = risk_blocks(risk(8), actions=False)
    message = [*first, *other]
    updated = replace_risk(message, risk(7, status=RiskStatus.MITIGATED))
    assert updated is not None and len(updated) == len(message)
    assert updated[0] == message[0] and updated[-2:] == other
    assert [a for a, _, _ in buttons(updated)] == ["risk_close", "risk_reopen"]
    assert replace_risk(other, risk(9)) is None
    # a risk shown without buttons stays without them
    assert buttons(replace_risk(other, risk(8, status=RiskStatus.CLOSED))) == []


def overview(n: int, may_act: bool, role=Role.LEAD) -> RisksOverview:
    severities = list(Severity)
    risks = tuple(
        risk(
            i,
            severity=severities[i % 4],
            title=f"Risk {i} " + "x" * 280,
            detail="d" * 1900,
            raised=RAISED + timedelta(minutes=i),
        )
        for i in range(1, n + 1)
    )
    return RisksOverview((Register(1, "Vale winter fund", risks, role, may_act),))


@pytest.mark.parametrize("may_act", [True, False])
def test_sixty_risks_fit_showing_the_most_severe_and_saying_how_many_more(may_act):
    text, blocks = risks_list(overview(60, may_act, Role.LEAD if may_act else Role.PARTNER))
    check_message(blocks)
    assert len(blocks) <= 50
    ids = sorted({int(b["block_id"].split(":")[1]) for b in blocks if b.get("block_id", "").startswith("risk:")})
    shown = len(ids)
    assert shown == (15 if may_act else 23)
    # the most severe, then the oldest: the 15 critical (i % 4 == 3), then the oldest high ones
    by_severity = [i for i in range(1, 61) if i % 4 == 3] + [i for i in range(1, 61) if i % 4 == 2]
    assert ids == sorted(by_severity[:shown])
    assert f"{60 - shown} more not shown" in text_of(blocks)
    assert f"{60 - shown} more not shown" in text
    assert "60 open risks* (15 critical, 15 high, 15 medium, 15 low)" in text_of(blocks)
    assert bool(buttons(blocks)) is may_act


def test_a_partner_reads_that_the_leads_act():
    _, blocks = risks_list(overview(2, False, Role.PARTNER))
    assert "you are a partner, so you can read the register but not change it" in text_of(blocks)
    assert "more not shown" not in text_of(blocks)


def test_a_lead_is_told_the_buttons_are_theirs_and_an_empty_register_says_so():
    _, blocks = risks_list(overview(0, True))
    check_message(blocks)
    assert "No open risks" in text_of(blocks) and "As a lead you can act on them" in text_of(blocks)


def test_two_programmes_share_the_fifty_blocks_by_severity():
    low = tuple(risk(i, severity=Severity.LOW) for i in range(1, 40))
    critical = tuple(risk(100 + i, severity=Severity.CRITICAL) for i in range(1, 6))
    result = RisksOverview((Register(1, "Vale", low, Role.LEAD, True), Register(2, "Wold", critical, Role.LEAD, True)))
    _, blocks = risks_list(result)
    check_message(blocks)
    ids = {int(b["block_id"].split(":")[1]) for b in blocks if b.get("block_id", "").startswith("risk:")}
    assert {101, 102, 103, 104, 105} <= ids
    assert "Risks: Wold" in text_of(blocks)


def test_a_refusal_is_the_reason_alone():
    text, blocks = risks_list(RiskRefused("You are not on a winterbot programme yet."))
    assert text == "You are not on a winterbot programme yet." and len(blocks) == 1


def test_the_close_form_requires_a_note():
    view = close_modal(risk(title="t" * 300), json.dumps({"risk": 7}))
    check_modal(view)
    assert view["callback_id"] == "risk_close" and json.loads(view["private_metadata"]) == {"risk": 7}
    [note] = [b for b in view["blocks"] if b["type"] == "input"]
    assert note["block_id"] == "note" and note.get("optional", False) is False
    assert note["element"]["multiline"] is True and note["element"]["max_length"] == 2000


def test_the_assign_form_lists_organisations_and_preselects_the_owner():
    view = assign_modal(risk(), [(2, "Council"), (3, "Home Carers Ltd"), (4, "H" * 120)], "{}")
    check_modal(view)
    element = view["blocks"][-1]["element"]
    assert [o["value"] for o in element["options"]] == ["2", "3", "4"]
    assert element["initial_option"]["value"] == "3"
    assert len(element["options"][2]["text"]["text"]) == 75


def test_more_than_a_hundred_organisations_are_grouped_not_cut():
    organisations = [(i, f"Org {i:03d}") for i in range(1, 251)]
    view = assign_modal(risk(owner=None), organisations, "{}")
    check_modal(view)
    element = view["blocks"][-1]["element"]
    assert "options" not in element and "initial_option" not in element
    groups = element["option_groups"]
    assert [len(g["options"]) for g in groups] == [100, 100, 50]
    assert sum(len(g["options"]) for g in groups) == 250
    assert all(len(g["label"]["text"]) <= 75 for g in groups)


def test_a_notice_form_fits():
    check_modal(notice_modal("Only the programme's leads can change risks; you are a partner."))


def test_the_status_panel_says_where_a_risk_stands_in_plain_words():
    from bot.reports.status import RiskPanel
    from handlers.slack.blocks.status import risk_blocks

    risks = (
        risk(1, status=RiskStatus.ACKNOWLEDGED),
        risk(2, status=RiskStatus.OPEN),
        risk(3, status=RiskStatus.MITIGATED),
    )
    panel = RiskPanel(by_severity=((Severity.HIGH, 3),), total=3, top=risks)
    text = json.dumps(risk_blocks(panel))
    assert "a lead is on it" in text and "not picked up yet" in text and "in hand" in text
    assert "acknowledged" not in text and "mitigated" not in text
