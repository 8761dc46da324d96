"""The Teams command cards (pure renderers) from real bot/ results on the mixed programme,
as Alice (a lead in Teams), Bob (a partner in Teams) and a stranger ask on Wednesday 20 January
2027: the figures, names and refusals shown, the commands named as typed in Teams (no
`/winter`), people's own words escaped, and every card a valid Adaptive Card under 28 KB
however large the programme."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select
from teams_double import strings
from test_spend_blocks import position
from test_status_blocks import large  # noqa: F401 (a fixture)

from bot.checkin.questions import AnswerView, QuestionsView, QuestionWithAnswers, ask_or_show
from bot.commands.table import asker_help
from bot.people.away import request_away, request_back
from bot.programme.loader import load_path
from bot.reports.decisions import record_decision
from bot.reports.leads_view import engagement_for, status_for
from bot.reports.status import status_screen
from bot.spend.entry import spend_command
from handlers.teams.cards.ask import ask_card
from handlers.teams.cards.away import away_card
from handlers.teams.cards.decide import decide_card
from handlers.teams.cards.help import help_card, unknown_command_card
from handlers.teams.cards.partners import partners_card
from handlers.teams.cards.spend import spend_card
from handlers.teams.cards.status import status_card
from handlers.teams.cards.text import paragraphs, teams_words
from models.db import session_scope
from models.tables import Programme

TEAMS = "teams"
PROGRAMME = Path(__file__).with_name("fixtures") / "teams.yaml"
ALICE = "8a1f0c52-0000-4000-8000-00000000a11c"  # lead, Council
BOB = "8a1f0c52-0000-4000-8000-000000000b0b"  # partner, Home Carers Ltd
STRANGER = "8a1f0c52-0000-4000-8000-0000000057a9"
WED_20_JAN = datetime(2027, 1, 20, 10, 0, tzinfo=ZoneInfo("Europe/London"))
MAX_BYTES = 28_000


def shown(card: dict[str, Any]) -> str:
    """What a person could read in the card, once it is checked to be one Teams will take."""
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.5"
    assert card["body"], "a card says something"
    assert len(json.dumps(card).encode()) < MAX_BYTES
    text = strings(card["body"])
    assert "/winter" not in text
    return text


@pytest.fixture
def mixed(engine):
    load_path(engine, PROGRAMME)
    with session_scope(engine) as session:
        yield session


def counted(text: str, pattern: str) -> int:
    found = re.search(pattern, text)
    return int(found[1]) if found else 0


# -- text ------------------------------------------------------------------------------------------


def test_teams_words_drop_the_slash_command():
    assert teams_words("Write it after the command, for example `/winter decide Extend it`.") == (
        "Write it after the command, for example `decide Extend it`."
    )
    assert teams_words("`/winter ask` on its own shows the answers") == "`ask` on its own shows the answers"
    assert paragraphs("one\n\n\ntwo\nthree") == "one\n\ntwo\n\nthree"


# -- status ----------------------------------------------------------------------------------------


def test_status_for_a_lead_shows_the_money_capacity_and_every_quiet_partner(mixed):
    text = shown(status_card(status_for(mixed, TEAMS, ALICE, WED_20_JAN)))
    assert "Status: Mixed fund" in text and "Allocated so far" in text and "£400,000 of £400,000" in text
    assert "On Wed 20 Jan 2027 · deadline Wed 31 Mar 2027" in text
    assert "Gone quiet: 4" in text
    for name in (
        "Bob Partner (Home Carers Ltd)",
        "Carol Partner (Home Carers Ltd)",
        "Dev Partner (Council)",
        "Eve Partner (Healthwatch)",
    ):
        assert name in text
    assert "Home Carers Ltd" in text and "Home care ⚪ never reported ⏳" in text
    assert "Type `risks` to list every open risk, `spend` to see every scheme." in text


def test_status_for_a_partner_names_only_their_own_organisations_quiet_partners(mixed):
    text = shown(status_card(status_for(mixed, TEAMS, BOB, WED_20_JAN)))
    assert "Gone quiet: 4" in text and "Bob Partner (Home Carers Ltd)" in text
    assert "Dev Partner" not in text and "Eve Partner" not in text
    assert "2 are in other organisations; the leads see who." in text


def test_status_for_a_stranger_says_how_to_join_in_teams_words(mixed):
    card = status_card(status_for(mixed, TEAMS, STRANGER, WED_20_JAN))
    text = shown(card)
    assert len(card["body"]) == 1 and "You are not on a winterbot programme yet" in text


def test_status_of_200_organisations_fits_and_accounts_for_every_organisation(large):
    screen, _ = large
    card = status_card(screen)
    text = shown(card)
    grid = next(
        e
        for e in card["body"]
        if e["type"] == "FactSet"
        and "Capacity" not in e["facts"][0]["title"]
        and e["facts"][0]["title"] != "Allocated so far"
    )
    more = counted(text, r"(\d+) more organisations? not shown, none above level \d")
    assert len(grid["facts"]) + more == len(screen.capacity.rows) > 150
    assert "🔴 4" in grid["facts"][0]["value"]  # the most pressed first
    quiet = counted(text, r"Gone quiet: (\d+)")
    assert quiet == len(screen.quiet) > 15 and f"{len(screen.quiet) - 15} more not shown." in text


def test_a_huge_grid_still_fits_with_long_names(mixed):
    rows = 2000
    screen = status_screen(mixed, mixed.exec(select(Programme)).one(), WED_20_JAN)
    [row] = [r for r in screen.capacity.rows if r.name == "Home Carers Ltd"]
    many = tuple(replace(row, organisation_id=n, name=f"Org {n} " + "*very* long _name_ " * 20) for n in range(rows))
    text = shown(status_card(replace(screen, capacity=replace(screen.capacity, rows=many))))
    assert f"{rows - 25} more organisations not shown" in text and "\\*very\\* long \\_name\\_" in text


# -- partners --------------------------------------------------------------------------------------


def test_partners_for_a_lead_shows_rates_by_sector_and_organisation(mixed):
    text = shown(partners_card(engagement_for(mixed, TEAMS, ALICE, WED_20_JAN)))
    assert "Check-in response rates: Mixed fund" in text
    assert "Statutory (1 organisation)" in text and "Community (2 organisations)" in text
    assert "Home Carers Ltd" in text and "community, 2 people · last week 0.0% (0 of 10)" in text
    assert "Last week: the working days from Wed 13 Jan" in text


def test_partners_refused_to_a_partner_points_at_status_as_typed_in_teams(mixed):
    text = shown(partners_card(engagement_for(mixed, TEAMS, BOB, WED_20_JAN)))
    assert "Response rates by organisation are for the programme's leads; you are a partner." in text
    assert "\\`status\\` shows how many check-ins have come in today." in text


def test_partners_of_4000_organisations_fit_and_count_the_rest(large):
    _, engagement = large
    assert engagement.organisations[0].name in shown(partners_card(engagement))
    huge = replace(engagement, organisations=engagement.organisations * 20)
    text = shown(partners_card(huge))
    assert f"{len(huge.organisations) - 60} more organisations not shown here." in text


# -- spend -----------------------------------------------------------------------------------------


def test_spend_shows_the_position_with_every_scheme(mixed):
    text = shown(spend_card(spend_command(mixed, TEAMS, BOB, "", WED_20_JAN)))
    assert "Spend: Mixed fund" in text and "£400,000.00 of £400,000.00" in text
    assert "Schemes (2)" in text and "hours" in text and "beds" in text
    assert "of £90,000.00" in text and "of £150,000.00" in text
    assert "Flags (" in text and "As on Wed 20 Jan 2027, deadline Wed 31 Mar 2027." in text


def test_a_leads_entry_is_confirmed_and_a_correction_shows_what_it_replaced(mixed):
    first = shown(spend_card(spend_command(mixed, TEAMS, ALICE, "hours 12500 2000 40", WED_20_JAN)))
    assert "Recorded for Home care hours (hours) on Wed 20 Jan 2027: spent to date £12,500.00" in first
    assert "committed £2,000.00" in first
    second = shown(
        spend_card(
            spend_command(
                mixed, TEAMS, ALICE, "hours 12000 2000 40 because *typo* in_it", WED_20_JAN + timedelta(hours=1)
            )
        )
    )
    assert "spent to date £12,000.00" in second and "Correction reason: \\*typo\\* in\\_it." in second
    assert "Before: spent £12,500.00, committed £2,000.00" in second


def test_a_partner_entering_spend_is_told_to_type_spend(mixed):
    text = shown(spend_card(spend_command(mixed, TEAMS, BOB, "hours 100", WED_20_JAN)))
    assert "Only leads and admins enter spend directly; you are a partner." in text
    assert "\\`spend\\` shows the position." in text


def test_a_pathological_position_fits_and_counts_the_flags_and_schemes_left_out():
    text = shown(spend_card(position(200, flags_per_scheme=4)))
    assert "Flags (800)" in text and "790 more flags not shown" in text
    assert "Schemes (200)" in text and "140 more schemes not shown" in text
    assert "£123,456.78" in text


# -- decide ----------------------------------------------------------------------------------------


def test_a_decision_is_confirmed_with_the_leads_words_escaped_and_kept_as_paragraphs(mixed):
    card = decide_card(
        record_decision(mixed, TEAMS, ALICE, "Fund the *night* sitters [to March]\nfrom_now on", WED_20_JAN)
    )
    text = shown(card)
    assert "✅ Decision recorded for Mixed fund. Every partner will see it in the weekly digest." in text
    quote = next(e for e in card["body"] if e["type"] == "Container")
    assert quote["items"][0]["text"] == "Fund the \\*night\\* sitters \\[to March\\]\n\nfrom\\_now on"
    assert "Recorded by Alice Lead (Council) on Wed 20 Jan 2027." in text


def test_a_decision_refused_says_why_in_teams_words(mixed):
    assert "Only the programme's leads record decisions; you are a partner." in shown(
        decide_card(record_decision(mixed, TEAMS, BOB, "Extend it", WED_20_JAN))
    )
    empty = shown(decide_card(record_decision(mixed, TEAMS, ALICE, "", WED_20_JAN)))
    assert "for example \\`decide Extend the bridging care contract to 31 March\\`" in empty


# -- ask -------------------------------------------------------------------------------------------


def test_a_question_is_confirmed_then_listed_with_who_asked(mixed):
    asked = ask_card(ask_or_show(mixed, TEAMS, ALICE, "community: How many *beds* are free?", WED_20_JAN))
    text = shown(asked)
    assert "Question asked on Mixed fund" in text and "Asked of community partners." in text
    assert "How many \\*beds\\* are free?" in text and "/winter" not in text
    listed = shown(ask_card(ask_or_show(mixed, TEAMS, ALICE, "", WED_20_JAN)))
    assert "The leads' questions: Mixed fund" in listed and "How many \\*beds\\* are free?" in listed
    assert "Asked by Alice Lead (Council) on Wed 20 Jan of community partners, open until" in listed
    assert "0 of 3 answered" in listed and "Ask another with `ask QUESTION`" in listed


def test_no_questions_yet_says_how_to_ask_in_teams(mixed):
    text = shown(ask_card(ask_or_show(mixed, TEAMS, ALICE, "", WED_20_JAN)))
    assert "No questions in the last 14 days. Ask one with `ask QUESTION`" in text


def test_a_partner_asking_is_refused(mixed):
    text = shown(ask_card(ask_or_show(mixed, TEAMS, BOB, "Why?", WED_20_JAN)))
    assert "Only the programme's leads" in text and "you are a partner" in text


def question(n: int, answers: int) -> QuestionWithAnswers:
    return QuestionWithAnswers(
        id=n,
        text=f"Question {n}: " + "how many? " * 45,
        audience="all",
        asked_by="Alice Lead",
        asked_by_organisation="Council",
        asked_on=date(2027, 1, 19),
        closes_on=date(2027, 1, 26),
        answers=tuple(
            AnswerView(
                member_name=f"Person {n}-{a}",
                organisation=f"Org {a}",
                text=f"Answer {n}-{a}. " + "x" * 980,
                answered_on=date(2027, 1, 20),
                answered_at=WED_20_JAN,
            )
            for a in range(answers)
        ),
        asked=answers + 5,
    )


def test_many_long_answers_are_shared_between_the_questions_and_the_rest_counted():
    view = QuestionsView(
        programme_id=1,
        programme_name="Vale",
        today=date(2027, 1, 20),
        since=date(2027, 1, 7),
        questions=tuple(question(n, 40 if n == 0 else 3) for n in range(12)),
    )
    text = shown(ask_card(view))
    assert "2 older questions not shown." in text
    for n in range(10):
        answered = len(re.findall(rf"Answer {n}-\d+\. ", text))
        more = counted(text.split(f"Question {n}: ")[1], r"(\d+) more answers? not shown here")
        assert answered >= 1, f"question {n} shows an answer"
        assert answered + more == len(view.questions[n].answers)
    assert len(re.findall(r"Answer 0-\d+\. ", text)) < 40


# -- away and back ---------------------------------------------------------------------------------


def test_away_confirms_the_day_and_says_how_to_come_back(mixed):
    text = shown(away_card(request_away(mixed, TEAMS, BOB, "25 Jan", WED_20_JAN)))
    assert "You are away from Mixed fund" in text and "Prompts start again on Mon 25 Jan." in text
    assert "Back sooner? Type `back`." in text
    back = shown(away_card(request_back(mixed, TEAMS, BOB, WED_20_JAN)))
    assert "Welcome back." in back


def test_a_date_it_cannot_read_gets_examples_as_typed_in_teams(mixed):
    card = away_card(request_away(mixed, TEAMS, BOB, "*soon*", WED_20_JAN))
    text = shown(card)
    assert 'I could not read "\\*soon\\*" as a date.' in text
    assert re.search(r"For example: `away [^`]+` · `away ", text)


def test_back_when_not_away_and_a_stranger(mixed):
    assert "Going away? Type `away`" in shown(away_card(request_back(mixed, TEAMS, BOB, WED_20_JAN)))
    assert "not on a winterbot programme" in shown(
        away_card(request_away(mixed, TEAMS, STRANGER, "25 Jan", WED_20_JAN))
    )


# -- help ------------------------------------------------------------------------------------------


def test_help_for_a_lead_lists_every_command_as_typed_in_teams(mixed):
    text = shown(help_card(asker_help(mixed, TEAMS, ALICE)))
    assert "You are **a lead** on Mixed fund." in text
    for usage in ("`status`", "`spend`", "`away UNTIL`", "`decide TEXT`", "`ask QUESTION`", "`partners`"):
        assert f"- {usage}: " in text


def test_help_for_a_partner_leaves_out_the_leads_commands(mixed):
    text = shown(help_card(asker_help(mixed, TEAMS, BOB)))
    assert "`checkin`" in text and "`decide TEXT`" not in text and "`partners`" not in text


def test_an_unknown_word_is_shown_escaped_and_short_then_help(mixed):
    text = shown(unknown_command_card("*launch*" + "x" * 100, asker_help(mixed, TEAMS, STRANGER)))
    assert "I don't know “\\*launch\\*xxx" in text and "x" * 60 not in text
    assert "You are not on a winterbot programme yet" in text and "`help`" in text
