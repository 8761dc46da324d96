"""`winterbot load` with members named by email, end to end through bot.app.cli.main: the file
read, the accounts found through the loopback doubles (SLACK_API_URL, GRAPH_API_URL,
ENTRA_LOGIN_URL), the members stored, and a reload matching them rather than adding them again."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from lookup_doubles import GraphDouble, SlackLookupDouble, closed_url
from programme_file_support import MINIMAL, edited
from slack_sdk.oauth.installation_store import Bot
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from sqlmodel import col, select

from bot.app.cli import main
from models import Member, Programme, session_scope
from models.workspaces import SLACK_BOTS, SLACK_INSTALLATIONS

TOKEN = "xoxb-vale-0001"
TEAM = "T0VALE"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
BOB_EMAIL = "Bob.Partner@carers.example"
CAT_EMAIL = "cat@council.example"
BY_EMAIL = edited(
    "{slack: U0TEST0002, name: Bob Partner,", f"{{slack: by-email, email: {BOB_EMAIL}, name: Bob Partner,"
)
CLEARED = (
    "SLACK_BOT_TOKEN",
    "SLACK_CLIENT_ID",
    "SLACK_CLIENT_SECRET",
    "SLACK_APP_TOKEN",
    "NOTIFY_API_KEY",
    "CLIENT_ID",
    "CLIENT_SECRET",
    "TENANT_ID",
)


@pytest.fixture
def slack(monkeypatch, engine, database_url):
    """The environment `winterbot load` runs in: one workspace's token, and Slack's double."""
    for name in CLEARED:
        monkeypatch.delenv(name, raising=False)
    with SlackLookupDouble() as double:
        double.workspace(TOKEN, {BOB_EMAIL: "U0BOB0001"})
        monkeypatch.setenv("DATABASE_URL", database_url)
        monkeypatch.setenv("SLACK_BOT_TOKEN", TOKEN)
        monkeypatch.setenv("SLACK_API_URL", double.api_url)
        yield double


def load(tmp_path: Path, text: str, *args: str) -> int:
    path = tmp_path / "area.yaml"
    path.write_text(text, encoding="utf-8")
    return main(["load", str(path), *args])


def members(engine) -> dict[str, tuple[str, str, str | None, int | None]]:
    with session_scope(engine) as session:
        rows = session.exec(select(Member).order_by(col(Member.id))).all()
        return {m.name: (m.platform, m.platform_user_id, m.email, m.id) for m in rows}


def programmes(engine) -> int:
    with session_scope(engine) as session:
        return len(session.exec(select(Programme)).all())


def test_a_member_by_email_is_stored_with_their_slack_id_and_a_reload_changes_nothing(
    slack, engine, tmp_path, capsys, caplog
):
    caplog.set_level(logging.DEBUG)
    assert load(tmp_path, BY_EMAIL, "--workspace", TEAM) == 0
    out = capsys.readouterr()
    assert "Found 1 of 1 Slack account by email." in out.err
    stored = members(engine)
    assert stored["Bob Partner"][:3] == ("slack", "U0BOB0001", BOB_EMAIL)
    assert load(tmp_path, BY_EMAIL, "--workspace", TEAM) == 0
    assert "no changes" in capsys.readouterr().out.lower()
    assert members(engine) == stored
    assert slack.lookups == 2  # looked up at each load: the account with the address may change
    assert BOB_EMAIL.lower() not in caplog.text.lower()  # addresses never reach a log


def test_a_member_not_found_is_emailed_and_later_found_is_the_same_row(slack, engine, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("NOTIFY_API_KEY", "winterbot_test-26785a09-ab16-4eb0-8407-a37497a57506-secret")
    slack.workspace(TOKEN, {})
    assert load(tmp_path, BY_EMAIL, "--workspace", TEAM) == 0
    err = capsys.readouterr().err
    assert "no Slack account in the Slack workspace T0VALE has Bob Partner's email address" in err
    assert "emailed through GOV.UK Notify instead" in err and "Found 0 of 1 Slack account" in err
    before = members(engine)["Bob Partner"]
    assert before[:3] == ("email", BOB_EMAIL, BOB_EMAIL)

    slack.workspace(TOKEN, {BOB_EMAIL: "U0BOB0001"})  # they joined the workspace
    assert load(tmp_path, BY_EMAIL, "--workspace", TEAM) == 0
    assert "members: 1 updated (Bob Partner (U0BOB0001): reached on), 1 unchanged" in capsys.readouterr().out
    after = members(engine)
    assert after["Bob Partner"] == ("slack", "U0BOB0001", BOB_EMAIL, before[3])  # the same row, now on Slack
    assert len(after) == 2
    assert load(tmp_path, BY_EMAIL, "--workspace", TEAM) == 0
    assert "no changes" in capsys.readouterr().out.lower() and members(engine) == after


def test_a_member_no_longer_found_moves_to_email_on_the_same_row(slack, engine, tmp_path, monkeypatch):
    monkeypatch.setenv("NOTIFY_API_KEY", "winterbot_test-26785a09-ab16-4eb0-8407-a37497a57506-secret")
    assert load(tmp_path, BY_EMAIL, "--workspace", TEAM) == 0
    found = members(engine)["Bob Partner"]
    slack.workspace(TOKEN, {})  # they left the workspace
    assert load(tmp_path, BY_EMAIL, "--workspace", TEAM) == 0
    assert members(engine)["Bob Partner"] == ("email", BOB_EMAIL, BOB_EMAIL, found[3])


def test_two_chat_accounts_with_one_address_are_never_taken_for_one_member(slack, engine, tmp_path):
    """Matching by address is for one person moving between chat and email, not between accounts."""
    written = edited(
        "{slack: U0TEST0002, name: Bob Partner,", f"{{slack: U0BOB0009, email: {BOB_EMAIL}, name: Bob Partner,"
    )
    assert load(tmp_path, written, "--workspace", TEAM) == 0
    assert load(tmp_path, BY_EMAIL, "--workspace", TEAM) == 0
    with session_scope(engine) as session:
        bobs = session.exec(select(Member).where(Member.name == "Bob Partner").order_by(col(Member.id))).all()
        assert [(m.platform_user_id, m.archived_at is None) for m in bobs] == [("U0BOB0009", True), ("U0BOB0001", True)]


def test_members_nobody_can_reach_refuse_the_load_and_nothing_is_loaded(slack, engine, tmp_path, capsys):
    text = BY_EMAIL.replace(
        "{slack: U0TEST0001, name: Alice Lead,", f"{{slack: by-email, email: {CAT_EMAIL}, name: Alice Lead,"
    ).replace(BOB_EMAIL, "bobby@carers.example")
    assert load(tmp_path, text, "--workspace", TEAM) == 2
    err = capsys.readouterr().err
    assert "Alice Lead's email address" in err and "Bob Partner's email address" in err
    assert "2 members cannot be reached; nothing was loaded." in err
    assert "area.yaml:" in err and "bobby@" not in err and CAT_EMAIL not in err
    assert programmes(engine) == 0


@pytest.mark.parametrize("broken", ["unreachable", "no token"])
def test_slack_out_of_reach_loads_nothing(slack, engine, tmp_path, capsys, monkeypatch, broken):
    if broken == "unreachable":
        monkeypatch.setenv("SLACK_API_URL", closed_url() + "/api/")
    else:
        monkeypatch.delenv("SLACK_BOT_TOKEN")
    assert load(tmp_path, BY_EMAIL, "--workspace", TEAM) == 2
    err = capsys.readouterr().err
    expected = "could not reach Slack at 127.0.0.1" if broken == "unreachable" else "set SLACK_BOT_TOKEN"
    assert expected in err and "nothing was loaded" in err
    assert programmes(engine) == 0


def test_a_rate_limited_lookup_is_waited_out_and_loads(slack, engine, tmp_path):
    slack.rate_limit_next(retry_after=1)
    assert load(tmp_path, BY_EMAIL, "--workspace", TEAM) == 0
    assert slack.rate_limited == 1 and members(engine)["Bob Partner"][:2] == ("slack", "U0BOB0001")


def test_with_many_workspaces_the_token_is_the_installation_of_workspace(slack, engine, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("SLACK_BOT_TOKEN")
    monkeypatch.setenv("SLACK_CLIENT_ID", "1111.2222")
    monkeypatch.setenv("SLACK_CLIENT_SECRET", "oauth-secret")
    store = SQLAlchemyInstallationStore(
        client_id="1111.2222", engine=engine, bots_table_name=SLACK_BOTS, installations_table_name=SLACK_INSTALLATIONS
    )
    store.save_bot(
        Bot(app_id="A0WINTER", bot_token=TOKEN, bot_id="B0VALE", bot_user_id="U0WINTER", team_id=TEAM, installed_at=1.0)
    )
    assert load(tmp_path, BY_EMAIL) == 2
    assert "give --workspace" in capsys.readouterr().err
    assert load(tmp_path, BY_EMAIL, "--workspace", "T0OTHER") == 2
    assert "not installed in the Slack workspace T0OTHER" in capsys.readouterr().err
    assert load(tmp_path, BY_EMAIL, "--workspace", TEAM) == 0
    assert members(engine)["Bob Partner"][:2] == ("slack", "U0BOB0001")


def test_a_teams_member_by_email_is_found_through_graph(engine, database_url, tmp_path, monkeypatch, capsys):
    for name in CLEARED:
        monkeypatch.delenv(name, raising=False)
    text = edited(
        "{slack: U0TEST0002, name: Bob Partner,", f"{{teams: by-email, email: {BOB_EMAIL}, name: Bob Partner,"
    )
    with GraphDouble(TENANT, "bot-app-id", "bot-secret") as graph:
        graph.users[BOB_EMAIL.lower()] = "5b1c3f0e-0000-4000-8000-00000000b0b1"
        for name, value in {
            "DATABASE_URL": database_url,
            "CLIENT_ID": "bot-app-id",
            "CLIENT_SECRET": "bot-secret",
            "GRAPH_API_URL": graph.graph_url,
            "ENTRA_LOGIN_URL": graph.login_url,
        }.items():
            monkeypatch.setenv(name, value)
        assert load(tmp_path, text) == 2
        assert "give --tenant" in capsys.readouterr().err
        assert load(tmp_path, text, "--tenant", TENANT) == 0
        assert members(engine)["Bob Partner"][:2] == ("teams", "5b1c3f0e-0000-4000-8000-00000000b0b1")
        graph.forbidden = True
        assert load(tmp_path, text, "--tenant", TENANT) == 2
        assert "User.Read.All" in capsys.readouterr().err


def test_a_file_without_by_email_asks_nobody(slack, engine, tmp_path):
    assert load(tmp_path, MINIMAL, "--workspace", TEAM) == 0
    assert slack.lookups == 0 and len(members(engine)) == 2
