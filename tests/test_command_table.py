"""The one command table (bot/commands/table.py) and the platforms' renderers of its results:
every row's result type can be shown on Slack and on Teams, and the table alone decides who
sees which command in help and which requests count as writing."""

from __future__ import annotations

import pytest

from bot.commands.table import BY_NAME, COMMANDS, Help, Records, Unknown, command_for, help_for
from handlers.slack.commands.shown import SHOWN as SLACK_SHOWN
from handlers.teams.commands import SHOWN as TEAMS_SHOWN
from handlers.teams.commands import typed
from models.vocabulary import Role


@pytest.mark.parametrize("shown", [SLACK_SHOWN, TEAMS_SHOWN], ids=["slack", "teams"])
def test_every_result_type_has_a_renderer_on_each_platform(shown):
    wanted = {command.result for command in COMMANDS} | {Help, Unknown}
    assert wanted <= set(shown), f"no renderer for {wanted - set(shown)}"
    assert set(shown) <= wanted, f"renderers for no command: {set(shown) - wanted}"


def test_one_row_per_word_and_help_lists_what_a_role_may_use():
    assert len(BY_NAME) == len(COMMANDS)
    partner = {c.name for c in help_for(Role.PARTNER).commands}
    lead = {c.name for c in help_for(Role.LEAD).commands}
    assert "checkin" in partner and "checkin" not in lead
    assert {"decide", "ask", "partners"} <= lead and not {"decide", "ask", "partners"} & partner
    assert [c.name for c in help_for(None).commands] == ["help"]


@pytest.mark.parametrize(
    ("records", "rest", "writes"),
    [
        (Records.NEVER, "anything", False),
        (Records.WITH_WORDS, "  ", False),
        (Records.WITH_WORDS, "words", True),
        (Records.ALWAYS, "", True),
    ],
)
def test_whether_a_row_writes_follows_its_records(records, rest, writes):
    row = next(c for c in COMMANDS if c.records is records)
    assert row.writes(rest) is writes


def test_a_typed_text_names_its_row_and_keeps_the_rest():
    command, word, rest = command_for("  Away 4 Jan ")
    assert command is BY_NAME["away"] and word == "away" and rest == "4 Jan"
    assert command_for("frobnicate now")[0] is None
    assert command_for("")[0] is BY_NAME["help"]


@pytest.mark.parametrize(
    ("text", "read"),
    [("/winter status", "status"), ("/status", "status"), ("/winter", "help"), ("away 4 Jan", "away 4 Jan")],
)
def test_teams_reads_a_command_typed_as_in_slack(text, read):
    assert typed(text) == read
