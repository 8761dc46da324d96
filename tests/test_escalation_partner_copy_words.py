"""No internal wording anywhere a partner looks (issue 17): every view of the register a partner
or observer can see (their copy of an escalation, `/winter risks` in Slack and Teams), rendered
for risks of every rule, status and last event, shows none of the leads' shorthand: rule keys,
the history notes a rule writes ("title changed; detail changed"), action and status names, or
any snake_case word. "capacity" is a rule key and an English word, so it is not looked for."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from fixtures_slack import said
from slack_risks_support import OBSERVER, PARTNER, programme, raise_  # noqa: F401
from test_risk_blocks import risk

from bot.risks.capacity_rules import CAPACITY_WORSENING, DISCHARGES_OUTPACING
from bot.risks.listing import EventView
from bot.risks.requests import Register, RisksOverview
from bot.risks.silence_rules import SILENT_PARTNER, SILENT_SERVICE
from bot.risks.spend_rules import (
    ACTIVITY_BEHIND_PLAN,
    OVERCOMMITTED,
    RECRUITMENT_BEHIND_PLAN,
    SILENT_SCHEME,
    UNDERSPEND_RISK,
)
from bot.sending.escalations import partner_copy, reader_facts
from handlers.slack.blocks.risks import risks_list
from handlers.teams.cards.base import notice_card
from handlers.teams.cards.risks import risks_list_card
from models.vocabulary import RiskStatus, Role, Severity

RULES = (
    CAPACITY_WORSENING,
    DISCHARGES_OUTPACING,
    SILENT_PARTNER,
    SILENT_SERVICE,
    ACTIVITY_BEHIND_PLAN,
    OVERCOMMITTED,
    RECRUITMENT_BEHIND_PLAN,
    SILENT_SCHEME,
    UNDERSPEND_RISK,
)
INTERNAL = (*RULES, "title changed", "detail changed", "updated", "capacity_level", "by a rule", "severity high")
AT = datetime(2027, 1, 5, 14, 0, tzinfo=UTC)
EVENTS = (
    None,
    EventView("raised", None, AT, None, "open", "raised by the rule"),
    EventView("updated", None, AT, "open", "open", "title changed; detail changed"),
    EventView("updated", None, AT, "open", "open", "severity high → critical; title changed"),
    EventView("updated", "Alice Lead", AT, "open", "open", "title changed"),
    EventView("acknowledged", "Alice Lead", AT, "open", "acknowledged", "Calling them this afternoon"),
    EventView("assigned", "Alice Lead", AT, "open", "open", "owner changed"),
    EventView("mitigated", "Alice Lead", AT, "acknowledged", "mitigated", None),
    EventView("reopened", "Alice Lead", AT, "closed", "open", "Back at level 4"),
)
SNAKE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
SLACK_MARKUP = re.compile(r":[a-z0-9_+-]+:|<!date\^[^|>]*\|")  # an emoji; a date token, up to its fallback


def every_risk() -> list:
    """A risk for each (status, last event), the statuses and events in every pairing."""
    return [
        risk(i + 1, status=status, event=event, severity=list(Severity)[i % 4])
        for i, (status, event) in enumerate((s, e) for s in RiskStatus for e in EVENTS)
    ]


def internal_words_in(text: str) -> list[str]:
    """The leads' shorthand in what a person reads ("open", as in "2 open risks", is English)."""
    text = SLACK_MARKUP.sub("", text)
    found = [word for word in INTERNAL if word in text.lower()]
    found += SNAKE.findall(text)
    found += [s.value for s in (RiskStatus.ACKNOWLEDGED, RiskStatus.MITIGATED) if s.value in text.lower()]
    return found


def visible(value: Any) -> list[str]:
    """The words a person sees in Block Kit or an Adaptive Card: every `text` and `title`."""
    if isinstance(value, dict):
        out = [v for k, v in value.items() if k in ("text", "title", "placeholder") and isinstance(v, str)]
        return out + [s for v in value.values() for s in visible(v)]
    if isinstance(value, list):
        return [s for v in value for s in visible(v)]
    return []


def register_for(role: Role) -> RisksOverview:
    return RisksOverview((Register(1, "Vale winter fund", tuple(every_risk()), role, False),))


@pytest.mark.parametrize("role", [Role.PARTNER, Role.OBSERVER])
def test_the_risks_list_in_slack_shows_a_partner_no_internal_word(role):
    text, blocks = risks_list(register_for(role))
    shown = "\n".join([text, *visible(blocks)])
    assert "Home care at level 3" in shown
    assert internal_words_in(shown) == []


@pytest.mark.parametrize("role", [Role.PARTNER, Role.OBSERVER])
def test_the_risks_list_in_teams_shows_a_partner_no_internal_word(role):
    shown = "\n".join(visible(risks_list_card(register_for(role))))
    assert "Home care at level 3" in shown
    assert internal_words_in(shown) == []


@pytest.mark.parametrize("platform", ["slack", "teams"])
def test_a_partners_copy_of_every_escalation_has_no_internal_word(platform):
    for each in every_risk():
        words = partner_copy(each, platform)
        shown = "\n".join(visible(notice_card(words))) if platform == "teams" else words
        assert internal_words_in(shown) == [], each


def test_a_readers_facts_quote_a_lead_but_never_a_rules_notes():
    quoted = reader_facts(risk(event=EVENTS[5]), str, lambda e: "14:00")
    assert quoted.endswith("picked up by Alice Lead 14:00: “Calling them this afternoon”")
    for event in EVENTS[1:5]:
        assert "changed" not in reader_facts(risk(event=event), str, lambda e: "14:00")
    assert "raised by winterbot's daily checks" in reader_facts(risk(event=EVENTS[1]), str, lambda e: "")


def test_the_leads_still_see_the_registers_own_words():
    _, blocks = risks_list(RisksOverview((Register(1, "Vale", (risk(event=EVENTS[2]),), Role.LEAD, True),)))
    assert "title changed; detail changed" in "\n".join(visible(blocks))


def test_a_partner_asking_for_risks_after_a_rule_rewrote_one_sees_only_plain_words(slack_server, engine, programme):
    raise_(engine, programme, title="Home care at level 3")
    raise_(engine, programme, severity="critical", title="Home care at level 4")  # the rule rewrites it
    for user in (PARTNER, OBSERVER):
        response = slack_server.command("risks", user)
        shown, fallback = said(response)
        assert "Home care at level 4" in shown
        assert internal_words_in("\n".join([shown, fallback, *visible(response.json()["blocks"])])) == []
