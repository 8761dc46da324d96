"""`/winter setup`: a workspace admin uploads the programme file from inside Slack, and it is
loaded for that workspace; who may, what a bad file says, and that another area's programme
can never be replaced from here. End to end against the Slack double, and the use case alone."""

from __future__ import annotations

from typing import Any

import pytest
from fixtures_slack import insert_member
from sqlmodel import select

from bot.people.programme_setup import SetUp, SetupRefused, set_up
from bot.programme.file import SAMPLE_PATH
from bot.programme.loader import ACTION, load_programme, read_path
from bot.programme.ownership import Owner
from handlers.slack.blocks.limits import check_modal
from handlers.slack.blocks.setup import CALLBACK, FILE_ACTION, FILE_BLOCK, setup_modal
from handlers.slack.views.setup_submit import _from_slack
from models import AuditEvent, Member, Programme, session_scope
from models.vocabulary import Platform

pytest_plugins = ["fixtures_slack"]

TEAM, OTHER_TEAM = "T0WINTER", "T0ELSEWHERE"
SAMPLE = SAMPLE_PATH.read_bytes()
SLUG = "vale-winter-2026"


def programmes(engine) -> dict[str, str | None]:
    with session_scope(engine) as session:
        return {p.slug: p.slack_team_id for p in session.exec(select(Programme)).all()}


def test_a_workspace_admin_sets_up_a_new_programme_for_their_workspace(engine):
    outcome = set_up(engine, SAMPLE, "vale.yaml", Owner(TEAM), "slack", "U0ADMIN", workspace_admin=True)
    assert isinstance(outcome, SetUp) and outcome.report.programme_created
    assert programmes(engine) == {SLUG: TEAM}
    with session_scope(engine) as session:
        loaded = session.exec(select(AuditEvent).where(AuditEvent.action == ACTION)).one()
        assert loaded.actor == "slack:U0ADMIN"  # who uploaded it, not the loader


def test_someone_who_is_not_a_workspace_admin_cannot_create_one(engine):
    outcome = set_up(engine, SAMPLE, "vale.yaml", Owner(TEAM), "slack", "U0ANYONE", workspace_admin=False)
    assert isinstance(outcome, SetupRefused) and "Only an admin or owner of this workspace" in outcome.message
    assert programmes(engine) == {}


def test_the_programmes_own_admin_replaces_its_file_but_a_partner_cannot(engine):
    load_programme(engine, read_path(SAMPLE_PATH), owner=Owner(TEAM))
    with session_scope(engine) as session:
        admin = session.exec(select(Member).where(Member.role == "admin")).first()
        partner = session.exec(select(Member).where(Member.role == "partner")).first()
        assert admin is not None and partner is not None
        admin_id, partner_id = admin.platform_user_id, partner.platform_user_id
    edited = SAMPLE.replace(b"name: Vale", b"name: The Vale", 1)
    refused = set_up(engine, edited, "vale.yaml", Owner(TEAM), "slack", partner_id, workspace_admin=False)
    assert isinstance(refused, SetupRefused) and "Only the admins of" in refused.message
    done = set_up(engine, edited, "vale.yaml", Owner(TEAM), "slack", admin_id, workspace_admin=False)
    assert isinstance(done, SetUp)


def test_another_workspaces_programme_is_never_replaced_even_by_a_workspace_admin(engine):
    load_programme(engine, read_path(SAMPLE_PATH), owner=Owner(OTHER_TEAM))
    outcome = set_up(engine, SAMPLE, "vale.yaml", Owner(TEAM), "slack", "U0ADMIN", workspace_admin=True)
    assert isinstance(outcome, SetupRefused) and "taken by another area's programme" in outcome.message
    assert programmes(engine) == {SLUG: OTHER_TEAM}


def test_a_bad_file_lists_its_problems_and_loads_nothing(engine):
    bad = SAMPLE.replace(b"role: partner", b"role: boss", 1).replace(b"kind: home_care", b"kind: domiciliary", 1)
    outcome = set_up(engine, bad, "vale.yaml", Owner(TEAM), "slack", "U0ADMIN", workspace_admin=True)
    assert isinstance(outcome, SetupRefused)
    assert outcome.message.startswith("2 problems in vale.yaml; nothing was loaded")
    assert "boss" in outcome.message and "domiciliary" in outcome.message
    assert programmes(engine) == {}


def test_the_form_is_a_valid_modal_with_one_file_upload():
    view = setup_modal(setup_offer_for(("vale-winter-2026",)))
    check_modal(view)
    upload = next(b for b in view["blocks"] if b.get("block_id") == FILE_BLOCK)
    assert upload["element"] == {
        "type": "file_input",
        "action_id": FILE_ACTION,
        "filetypes": ["yaml", "yml"],
        "max_files": 1,
    }
    assert "`vale-winter-2026`" in view["blocks"][0]["text"]["text"]


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://files.slack.com/files-pri/T0-F0/vale.yaml", True),
        ("http://files.slack.com/files-pri/T0-F0/vale.yaml", False),
        ("https://files.slack.com.evil.example/vale.yaml", False),
        ("https://169.254.169.254/latest/meta-data", False),
        ("http://127.0.0.1:9/api/files", True),  # the configured API address (the tests' double)
        ("http://127.0.0.1:10/api/files", False),
    ],
)
def test_the_file_is_fetched_only_from_slack(url, ok):
    assert _from_slack(url, "http://127.0.0.1:9/api/") is ok


def setup_offer_for(slugs: tuple[str, ...]) -> Any:
    from bot.people.programme_setup import SetupOffer

    return SetupOffer(slugs)


def submission(user_id: str, file_id: str | None, view_id: str = "V0SETUP") -> dict[str, Any]:
    files = [{"id": file_id, "name": "vale.yaml"}] if file_id else []
    state = {FILE_BLOCK: {FILE_ACTION: {"type": "file_input", "files": files}}}
    return {
        "type": "view_submission",
        "team": {"id": TEAM, "domain": "winterbot-test"},
        "user": {"id": user_id, "username": user_id.lower(), "team_id": TEAM},
        "api_app_id": "A0WINTER",
        "trigger_id": "1.2.3",
        "view": {
            "id": view_id,
            "type": "modal",
            "callback_id": CALLBACK,
            "hash": "1.abc",
            "private_metadata": "",
            "blocks": [],
            "state": {"values": state},
        },
        "response_urls": [],
        "is_enterprise_install": False,
    }


@pytest.mark.slow
def test_setup_end_to_end_opens_the_form_fetches_the_file_from_slack_and_loads_it(slack_server, slack_api, engine):
    slack_api.set_user("U0WSADMIN", is_admin=True)
    file_url = f"{slack_api.root}/files-pri/{TEAM}-F0PROG/vale.yaml"
    slack_api.answer(
        "files.info",
        lambda call: {
            "ok": True,
            "file": {"id": "F0PROG", "name": "vale.yaml", "size": len(SAMPLE), "url_private_download": file_url},
        },
    )
    slack_api.serve_file(f"/files-pri/{TEAM}-F0PROG/vale.yaml", SAMPLE)

    opened = slack_server.command("setup", "U0WSADMIN", trigger_id="9.9.9")
    assert opened.status_code == 200
    modal = slack_api.wait_for("views.open")[0]["view"]
    assert modal["callback_id"] == CALLBACK

    empty = slack_server.interact(submission("U0WSADMIN", None))
    assert empty.json()["response_action"] == "errors"

    answered = slack_server.interact(submission("U0WSADMIN", "F0PROG"))
    assert answered.json()["response_action"] == "update"
    shown = slack_api.wait_for("views.update", timeout=15)[-1]
    text = str(shown["view"])
    assert f"Created programme {SLUG}" in text, text
    assert programmes(engine) == {SLUG: TEAM}
    download = [c for c in slack_api.calls() if c.path.endswith("/vale.yaml")]
    assert download and download[-1].headers.get("authorization", "").startswith("Bearer ")


@pytest.mark.slow
def test_setup_by_someone_who_may_not_loads_nothing_and_says_why(slack_server, slack_api, engine):
    insert_member(engine, "U0PARTNER", "partner", programme="other")
    file_url = f"{slack_api.root}/files-pri/{TEAM}-F0PROG/vale.yaml"
    slack_api.answer(
        "files.info",
        lambda call: {
            "ok": True,
            "file": {"id": "F0PROG", "name": "vale.yaml", "size": 10, "url_private_download": file_url},
        },
    )
    slack_api.serve_file(f"/files-pri/{TEAM}-F0PROG/vale.yaml", SAMPLE)
    answered = slack_server.interact(submission("U0PARTNER", "F0PROG"))
    assert answered.json()["response_action"] == "update"
    shown = slack_api.wait_for("views.update", timeout=15)[-1]
    assert "Only an admin or owner of this workspace" in str(shown["view"])
    assert SLUG not in programmes(engine)


BY_EMAIL = SAMPLE.replace(
    b"{slack: U0VALE00006, name: Gareth Lewis,",
    b"{slack: by-email, email: g.lewis@vale.example, name: Gareth Lewis,",
)


def by_email_finders(token: str = "xoxb-vale") -> tuple[Any, Any]:
    from lookup_doubles import SlackLookupDouble

    from handlers.slack.people_lookup import SlackPeopleFinder

    double = SlackLookupDouble()
    return double, lambda: {Platform.SLACK: SlackPeopleFinder(token, double.api_url)}


def test_members_named_by_email_are_found_in_the_workspace_before_loading(engine):
    double, finders = by_email_finders()
    with double:
        double.workspace("xoxb-vale", {"G.Lewis@vale.example": "U0FOUND01"})
        outcome = set_up(
            engine, BY_EMAIL, "vale.yaml", Owner(TEAM), "slack", "U0ADMIN", workspace_admin=True, finders=finders()
        )
    assert isinstance(outcome, SetUp)
    with session_scope(engine) as session:
        gareth = session.exec(select(Member).where(Member.name == "Gareth Lewis")).one()
    assert (gareth.platform, gareth.platform_user_id, gareth.email) == ("slack", "U0FOUND01", "g.lewis@vale.example")


def test_a_member_no_account_has_refuses_the_load_when_they_cannot_be_emailed(engine):
    double, finders = by_email_finders()
    with double:
        double.workspace("xoxb-vale", {})
        outcome = set_up(
            engine, BY_EMAIL, "vale.yaml", Owner(TEAM), "slack", "U0ADMIN", workspace_admin=True, finders=finders()
        )
    assert isinstance(outcome, SetupRefused)
    assert "Gareth Lewis" in outcome.message and "nothing was loaded" in outcome.message
    assert programmes(engine) == {}
