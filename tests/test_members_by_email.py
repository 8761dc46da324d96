"""Members named by email: `slack: by-email` / `teams: by-email` in the file, and their accounts
found through loopback doubles of Slack's users.lookupByEmail and of Microsoft Graph."""

from __future__ import annotations

import pytest
from lookup_doubles import GraphDouble, SlackLookupDouble, closed_url
from programme_file_support import edited, line_of, only_problem

from bot.programme.file import ProgrammeFileError, parse_programme_file
from bot.programme.loader import load_programme
from bot.programme.people_lookup import LookupFailed, resolve, wanted
from bot.programme.specs import UnresolvedMember
from handlers.slack.people_lookup import BURST, Budget, SlackPeopleFinder, pacing_seconds
from handlers.teams.people_lookup import GraphPeopleFinder
from models.vocabulary import Platform

BOB = "{slack: U0TEST0002, name: Bob Partner,"
BOB_BY_EMAIL = "{slack: by-email, email: Bob.Partner@carers.example, name: Bob Partner,"
TOKEN = "xoxb-vale-0001"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
NOTIFY = {Platform.EMAIL, Platform.SMS}


def by_email_file(*members: str) -> str:
    """The minimal file with Bob written by email, and any more members added after him."""
    text = edited(BOB, BOB_BY_EMAIL)
    anchor = "role: partner}\n"
    return text.replace(anchor, anchor + "".join(f"  - {m}\n" for m in members), 1)


# -- the file ---------------------------------------------------------------------------------------


def test_by_email_with_an_address_is_accepted_and_marked_for_lookup():
    spec = parse_programme_file(by_email_file(), "area.yaml")
    bob = spec.members[1]
    assert bob.looked_up is Platform.SLACK and bob.slack == "by-email"
    assert bob.email == "Bob.Partner@carers.example"
    assert wanted(spec) == {Platform.SLACK: 1}
    with pytest.raises(UnresolvedMember):
        _ = bob.user_id  # nothing may store "by-email" as an id


@pytest.mark.parametrize("written", ["by-email", "By email", "BY_EMAIL"])
def test_teams_by_email_is_accepted_however_it_is_written(written):
    text = edited(BOB, f"{{teams: {written}, email: bob@carers.example, name: Bob Partner,")
    bob = parse_programme_file(text, "area.yaml").members[1]
    assert bob.looked_up is Platform.TEAMS and bob.teams == "by-email"


def test_by_email_without_an_address_is_refused_on_its_line():
    text = edited(BOB, "{slack: by-email, name: Bob Partner,")
    problem = only_problem(text)
    assert problem.line == line_of(text, "Bob Partner")
    assert "`slack: by-email` finds their Slack account by their email address" in problem.message
    assert "add `email: <address>`" in problem.message


def test_by_email_without_an_address_is_refused_even_beside_another_mistake():
    text = edited(BOB, "{teams: by-email, name: Bob Partner,").replace("role: partner}", "role: boss}")
    with pytest.raises(ProgrammeFileError) as caught:
        parse_programme_file(text, "area.yaml")
    messages = " / ".join(p.message for p in caught.value.problems)
    assert "boss" in messages and "`teams: by-email`" in messages


def test_many_members_by_email_are_not_the_same_slack_user_twice():
    text = by_email_file(
        "{slack: by-email, email: cat@council.example, name: Cat Lead, organisation: council, role: lead}"
    )
    spec = parse_programme_file(text, "area.yaml")
    assert wanted(spec) == {Platform.SLACK: 2}


def test_a_wrong_slack_id_says_by_email_is_there_to_use():
    problem = only_problem(edited("U0TEST0002", "bob"))
    assert "not a Slack user id" in problem.message and "`slack: by-email`" in problem.message


def test_a_file_not_resolved_is_refused_by_the_loader_and_loads_nothing(engine):
    spec = parse_programme_file(by_email_file(), "area.yaml")
    with pytest.raises(ProgrammeFileError) as caught:
        load_programme(engine, spec)
    assert "Bob Partner's Slack account is written `by-email`" in str(caught.value)
    assert caught.value.problems[0].line == line_of(by_email_file(), "Bob Partner")


# -- finding them ---------------------------------------------------------------------------------


@pytest.fixture
def slack():
    with SlackLookupDouble() as double:
        double.workspace(TOKEN, {"bob.partner@carers.example": "U0BOB0001"})
        yield double


def slack_finder(double: SlackLookupDouble, waits: list[float] | None = None) -> SlackPeopleFinder:
    return SlackPeopleFinder(TOKEN, double.api_url, sleep=(waits if waits is not None else []).append)


def test_a_member_found_is_given_their_slack_id_and_keeps_their_email(slack):
    spec = parse_programme_file(by_email_file(), "area.yaml")
    resolution = resolve(spec, {Platform.SLACK: slack_finder(slack)}, reachable=set())
    bob = resolution.spec.members[1]
    assert (bob.platform, bob.user_id, bob.email) == (Platform.SLACK, "U0BOB0001", "Bob.Partner@carers.example")
    assert resolution.found == {Platform.SLACK: 1} and not resolution.notes and not resolution.refused
    assert resolution.spec.source == "area.yaml" and resolution.spec.lines == spec.lines
    assert slack.lookups == 1  # the address is matched whatever its case


def test_a_member_not_found_is_emailed_through_notify_and_told_so_by_name_and_line(slack):
    text = by_email_file().replace("Bob.Partner@", "bobby@")
    resolution = resolve(parse_programme_file(text, "area.yaml"), {Platform.SLACK: slack_finder(slack)}, NOTIFY)
    bob = resolution.spec.members[1]
    assert (bob.platform, bob.user_id) == (Platform.EMAIL, "bobby@carers.example")
    [note] = resolution.notes
    assert note.line == line_of(text, "Bob Partner")
    assert "no Slack account in the Slack workspace has Bob Partner's email address" in note.message
    assert "GOV.UK Notify" in note.message and "bobby" not in note.message
    assert not resolution.refused


def test_members_not_found_with_no_other_way_to_reach_them_refuse_the_load_listing_each(slack):
    text = by_email_file(
        "{slack: by-email, email: cat@council.example, name: Cat Lead, organisation: council, role: lead}"
    ).replace("Bob.Partner@", "bobby@")
    resolution = resolve(parse_programme_file(text, "area.yaml"), {Platform.SLACK: slack_finder(slack)}, set())
    assert resolution.refused
    assert [p.line for p in resolution.problems] == [line_of(text, "Bob Partner"), line_of(text, "Cat Lead")]
    assert all("NOTIFY_API_KEY" in p.message for p in resolution.problems)


def test_a_rate_limit_is_waited_out_and_the_member_then_found(slack):
    slack.rate_limit_next(times=2, retry_after=3)
    waits: list[float] = []
    spec = parse_programme_file(by_email_file(), "area.yaml")
    resolution = resolve(spec, {Platform.SLACK: slack_finder(slack, waits)}, set())
    assert resolution.spec.members[1].user_id == "U0BOB0001"
    assert slack.rate_limited == 2 and waits == [3.0, 3.0]


def test_slack_unreachable_is_a_clear_failure():
    spec = parse_programme_file(by_email_file(), "area.yaml")
    finder = SlackPeopleFinder(TOKEN, closed_url() + "/api/")
    with pytest.raises(LookupFailed, match=r"could not reach Slack at 127\.0\.0\.1"):
        resolve(spec, {Platform.SLACK: finder}, NOTIFY)


def test_a_missing_scope_says_which_to_add(slack):
    slack.error = "missing_scope"
    with pytest.raises(LookupFailed, match=r"missing_scope .*users:read\.email"):
        slack_finder(slack).find("bob.partner@carers.example")


def test_two_addresses_of_one_slack_account_are_refused_naming_both(slack):
    slack.workspace(TOKEN, {"bob.partner@carers.example": "U0BOB0001", "bob@home.example": "U0BOB0001"})
    text = by_email_file(
        "{slack: by-email, email: bob@home.example, name: Bob Again, organisation: carers, role: partner}"
    )
    resolution = resolve(parse_programme_file(text, "area.yaml"), {Platform.SLACK: slack_finder(slack)}, NOTIFY)
    [problem] = resolution.problems
    assert problem.line == line_of(text, "Bob Again")
    assert "Bob Again and Bob Partner" in problem.message and "U0BOB0001" in problem.message


def test_slack_lookups_are_paced_after_a_first_burst():
    now = [0.0]
    budget = Budget(clock=lambda: now[0])
    waits = [budget.wait_before_next() for _ in range(BURST)]
    assert waits == [0.0] * BURST
    assert budget.wait_before_next() == pytest.approx(1.2)  # Tier 3: 50 a minute
    now[0] += 1.2
    assert budget.wait_before_next() == pytest.approx(1.2)
    assert pacing_seconds(BURST) == 0 and pacing_seconds(BURST + 50) == pytest.approx(60)


def test_a_big_file_is_told_how_long_slack_s_pace_takes(slack):
    from bot.app.lookups import _slack
    from bot.common.config import Settings
    from bot.programme.ownership import Owner

    said: list[str] = []
    settings = Settings(slack_bot_token=TOKEN, slack_api_url=slack.api_url)
    _slack(settings, Owner("T0VALE"), None, BURST + 100, said.append)  # no engine: one workspace's token
    told = f"Finding {BURST + 100} Slack accounts by email: Slack allows about 50 look-ups a minute, so this takes"
    assert said == [f"{told} about 2 minutes."]
    said.clear()
    _slack(settings, Owner("T0VALE"), None, BURST, said.append)  # no engine: one workspace's token
    assert said == []


# -- Microsoft Graph ------------------------------------------------------------------------------


@pytest.fixture
def graph():
    with GraphDouble(TENANT, "bot-app-id", "bot-secret") as double:
        double.users["o'neil@carers.example"] = "5b1c3f0e-0000-4000-8000-00000000b0b1"
        yield double


def graph_finder(double: GraphDouble, secret: str = "bot-secret", waits: list[float] | None = None):
    sleep = (waits if waits is not None else []).append
    return GraphPeopleFinder(
        TENANT, "bot-app-id", secret, graph_url=double.graph_url, login_url=double.login_url, sleep=sleep
    )


def test_a_teams_member_is_found_in_graph_by_mail_with_an_app_only_token(graph):
    text = edited(BOB, "{teams: by-email, email: O'Neil@carers.example, name: Bob Partner,")
    resolution = resolve(parse_programme_file(text, "area.yaml"), {Platform.TEAMS: graph_finder(graph)}, set())
    bob = resolution.spec.members[1]
    assert (bob.platform, bob.user_id) == (Platform.TEAMS, "5b1c3f0e-0000-4000-8000-00000000b0b1")
    assert graph.token_requests == 1 and graph.scopes == [f"{graph.root}/.default"]


def test_graph_finds_nobody_for_an_unknown_address_and_waits_out_a_429(graph):
    graph.rate_limit_next(retry_after=2)
    waits: list[float] = []
    finder = graph_finder(graph, waits=waits)
    assert finder.find("nobody@carers.example") is None
    assert finder.find("o'neil@carers.example") == "5b1c3f0e-0000-4000-8000-00000000b0b1"
    assert waits == [2.0] and graph.rate_limited == 1 and graph.token_requests == 1


def test_graph_403_says_the_user_read_all_permission_is_needed(graph):
    graph.forbidden = True
    with pytest.raises(LookupFailed, match=r"403.*User\.Read\.All application permission"):
        graph_finder(graph).find("o'neil@carers.example")


def test_wrong_credentials_are_named_without_the_secret(graph):
    with pytest.raises(LookupFailed, match="CLIENT_ID and CLIENT_SECRET") as caught:
        graph_finder(graph, secret="not-the-secret").find("o'neil@carers.example")
    assert "not-the-secret" not in str(caught.value) and "AADSTS7000215" in str(caught.value)


def test_graph_unreachable_is_a_clear_failure():
    finder = GraphPeopleFinder(TENANT, "a", "b", graph_url=closed_url() + "/v1.0", login_url=closed_url())
    with pytest.raises(LookupFailed, match="could not reach Microsoft's sign-in service"):
        finder.find("o'neil@carers.example")
