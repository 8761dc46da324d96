"""`winterbot load`'s look-ups: the `by-email` members' accounts found before anything is loaded.

The composition: which finder each platform gets, from the settings and the workspace or tenant
the programme is loaded for (bot.programme.people_lookup does the finding, handlers/ the asking).
Slack's token is SLACK_BOT_TOKEN for one workspace, or, when many workspaces install the app
(SLACK_CLIENT_ID and SLACK_CLIENT_SECRET), the one kept for `--workspace` by the installation.
Teams' look-ups use the bot's CLIENT_ID and CLIENT_SECRET in `--tenant` (or TENANT_ID).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.engine import Engine

from bot.common.config import Settings
from bot.common.wording import plural
from bot.programme.ownership import Owner
from bot.programme.people_lookup import PLATFORM_NAMES, LookupFailed, PeopleFinder, resolve, wanted
from bot.programme.problems import Problem
from bot.programme.specs import ProgrammeFile
from models.vocabulary import Platform

Say = Callable[[str], None]


class MembersNotFound(Exception):
    """Members no account has and nothing else can reach: the load is refused, listing them."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(map(str, problems)))


def resolve_members(spec: ProgrammeFile, owner: Owner, settings: Settings, engine: Engine, say: Say) -> ProgrammeFile:
    """The file with each `by-email` member's account filled in; the same file when none is.

    Raises LookupFailed (a platform not set up, unreachable, or refusing) or MembersNotFound."""
    counts = wanted(spec)
    if not counts:
        return spec
    finders: dict[Platform, PeopleFinder] = {}
    places: dict[Platform, str] = {}
    if Platform.SLACK in counts:
        finders[Platform.SLACK] = _slack(settings, owner, engine, counts[Platform.SLACK], say)
        places[Platform.SLACK] = (
            f"the Slack workspace {owner.slack_team_id}" if owner.slack_team_id else "the Slack workspace"
        )
    if Platform.TEAMS in counts:
        tenant = owner.teams_tenant_id or settings.teams_tenant_id
        finders[Platform.TEAMS] = _teams(settings, tenant)
        places[Platform.TEAMS] = f"the Microsoft tenant {tenant}"
    reachable = {Platform.EMAIL, Platform.SMS} if settings.notify_enabled else set()
    resolution = resolve(spec, finders, reachable, places)
    if resolution.refused:
        raise MembersNotFound(resolution.problems)
    for note in resolution.notes:
        say(str(note))
    for platform, count in counts.items():
        found = resolution.found.get(platform, 0)
        say(f"Found {found} of {plural(count, f'{PLATFORM_NAMES[platform]} account')} by email.")
    return resolution.spec


def _slack(settings: Settings, owner: Owner, engine: Engine, count: int, say: Say) -> PeopleFinder:
    from handlers.slack.people_lookup import PER_MINUTE, SlackPeopleFinder, installed_token, pacing_seconds

    if settings.slack_oauth:
        if not (owner.slack_team_id or owner.slack_enterprise_id):
            raise LookupFailed(
                "`slack: by-email` needs the workspace whose accounts have these addresses: give --workspace T… "
                "(or --enterprise E… for an installation across an Enterprise Grid organisation)"
            )
        assert settings.slack_client_id is not None
        token = installed_token(settings.slack_client_id, engine, owner.slack_team_id, owner.slack_enterprise_id)
        if token is None:
            where = (
                f"the Slack workspace {owner.slack_team_id}"
                if owner.slack_team_id
                else f"the Enterprise Grid organisation {owner.slack_enterprise_id}"
            )
            raise LookupFailed(
                f"winterbot is not installed in {where}: install it there "
                "(/slack/install) before loading members written `slack: by-email`"
            )
    else:
        token = settings.slack_bot_token
        if not token:
            raise LookupFailed("`slack: by-email` needs the bot's token to look people up: set SLACK_BOT_TOKEN")
    seconds = pacing_seconds(count)
    if seconds >= 5:
        say(
            f"Finding {plural(count, 'Slack account')} by email: Slack allows about {PER_MINUTE} look-ups a minute, "
            f"so this takes about {_duration(seconds)}."
        )
    return SlackPeopleFinder(token, settings.slack_api_url)


def _teams(settings: Settings, tenant: str | None) -> PeopleFinder:
    from handlers.teams.people_lookup import GraphPeopleFinder

    if not tenant:
        raise LookupFailed(
            "`teams: by-email` needs the Microsoft tenant whose users have these addresses: give --tenant GUID "
            "(or set TENANT_ID)"
        )
    if not (settings.teams_client_id and settings.teams_client_secret):
        raise LookupFailed(
            "`teams: by-email` looks people up with the bot's credentials: set CLIENT_ID and CLIENT_SECRET"
        )
    return GraphPeopleFinder(
        tenant,
        settings.teams_client_id,
        settings.teams_client_secret,
        graph_url=settings.graph_api_url,
        login_url=settings.entra_login_url,
    )


def _duration(seconds: float) -> str:
    minutes = round(seconds / 60)
    return plural(minutes, "minute") if minutes >= 1 else f"{round(seconds)} seconds"
