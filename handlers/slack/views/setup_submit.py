"""`/winter setup`'s upload: the form is answered at once with "checking…", and after the
acknowledgement the file is fetched from Slack with the workspace's own token, checked and
loaded for this workspace (bot.people.programme_setup), and the form shows what was done.

The file is fetched from the address files.info gives, never from one in the payload, and
only from Slack (or the Slack API address configured, for the tests' double): a crafted
payload cannot make winterbot send its token anywhere else.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from urllib.parse import urlsplit

import httpx
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.people.programme_setup import SetUp, SetupRefused, set_up
from bot.programme.guard import MAX_FILE_BYTES
from bot.programme.ownership import Owner, OwnershipError
from handlers.slack.blocks.setup import (
    CALLBACK,
    FILE_ACTION,
    FILE_BLOCK,
    NO_FILE,
    failed_view,
    loading_view,
    outcome_view,
)
from handlers.slack.context import SlackContext
from handlers.slack.people_lookup import SlackPeopleFinder
from models.vocabulary import Platform

log = logging.getLogger(__name__)

FETCH_SECONDS = 10.0


class FetchFailed(Exception):
    """The file could not be read from Slack; the message says so to the person."""


def register(app: AsyncApp, context: SlackContext) -> None:
    async def setup_submitted(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await submitted(context, ack, body, client)

    app.view(CALLBACK)(setup_submitted)


async def submitted(context: SlackContext, ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
    file_id = _file_id(body["view"])
    if file_id is None:
        await ack(response_action="errors", errors={FILE_BLOCK: NO_FILE})
        return
    await ack(response_action="update", view=loading_view())
    view_id = str(body["view"].get("id") or "")

    async def load() -> None:
        await _load(context, client, body, file_id, view_id)

    context.after_ack(f"setup:{view_id or file_id}", load)


async def _load(
    context: SlackContext, client: AsyncWebClient, body: dict[str, Any], file_id: str, view_id: str
) -> None:
    user_id = str(body["user"]["id"])
    try:
        owner = Owner(_team(body), _enterprise(body))
        admin = await workspace_admin(client, user_id)
        data, name = await fetch_file(client, context.settings.slack_api_url, file_id)
    except (FetchFailed, OwnershipError) as error:
        log.info("/winter setup by %s: the file was not read (%s)", user_id, type(error).__name__)
        await _show(client, view_id, failed_view(str(error)))
        return
    settings = context.settings
    finders = {Platform.SLACK: SlackPeopleFinder(str(client.token), settings.slack_api_url)}
    reachable = {Platform.EMAIL, Platform.SMS} if settings.notify_enabled else set()

    def load() -> SetUp | SetupRefused:
        return set_up(
            context.engine,
            data,
            name,
            owner,
            Platform.SLACK,
            user_id,
            workspace_admin=admin,
            finders=finders,
            reachable=reachable,
        )

    outcome = await asyncio.to_thread(load)  # not a request thread: finding members paces itself
    log.info("/winter setup by %s: %s", user_id, type(outcome).__name__)
    await _show(client, view_id, outcome_view(outcome))


async def _show(client: AsyncWebClient, view_id: str, view: dict[str, Any]) -> None:
    if not view_id:
        return
    try:
        await client.views_update(view_id=view_id, view=view)
    except SlackApiError as error:
        log.warning("/winter setup: could not show the outcome (%s)", error.response.get("error"))


async def workspace_admin(client: AsyncWebClient, user_id: str) -> bool:
    """Whether Slack says this person is an admin or owner of the workspace (users.info)."""
    try:
        user = (await client.users_info(user=user_id)).get("user") or {}
    except SlackApiError as error:
        raise FetchFailed(
            f"Slack would not say whether you are a workspace admin ({error.response.get('error')}). Try again."
        ) from error
    return bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))


async def fetch_file(client: AsyncWebClient, api_url: str, file_id: str) -> tuple[bytes, str]:
    """The file's bytes (at most MAX_FILE_BYTES) and name, by files.info and its private URL."""
    try:
        found = (await client.files_info(file=file_id)).get("file") or {}
    except SlackApiError as error:
        raise FetchFailed(f"Slack would not give winterbot the file ({error.response.get('error')}).") from error
    name = str(found.get("name") or "programme.yaml")
    if int(found.get("size") or 0) > MAX_FILE_BYTES:
        raise FetchFailed(f"{name} is over {MAX_FILE_BYTES // 1000:,} KB: a programme file is far smaller.")
    url = str(found.get("url_private_download") or found.get("url_private") or "")
    if not _from_slack(url, api_url):
        raise FetchFailed("Slack gave an address for the file that is not Slack's; nothing was fetched.")
    headers = {"Authorization": f"Bearer {client.token}"}
    try:
        async with (
            httpx.AsyncClient(timeout=FETCH_SECONDS, follow_redirects=False) as http,
            http.stream("GET", url, headers=headers) as response,
        ):
            if response.status_code != 200:
                raise FetchFailed(f"Slack answered {response.status_code} when asked for {name}. Try again.")
            data = b""
            async for chunk in response.aiter_bytes():
                data += chunk
                if len(data) > MAX_FILE_BYTES:
                    raise FetchFailed(f"{name} is over {MAX_FILE_BYTES // 1000:,} KB: a programme file is far smaller.")
    except httpx.HTTPError as error:
        raise FetchFailed(
            f"winterbot could not fetch {name} from Slack ({type(error).__name__}). Try again."
        ) from error
    return data, name


def _from_slack(url: str, api_url: str) -> bool:
    parts, api = urlsplit(url), urlsplit(api_url)
    host = parts.hostname or ""
    if parts.scheme == "https" and (host == "slack.com" or host.endswith(".slack.com")):
        return True
    return bool(host) and (parts.scheme, host, parts.port) == (api.scheme, api.hostname, api.port)


def _file_id(view: dict[str, Any]) -> str | None:
    state = ((view.get("state") or {}).get("values") or {}).get(FILE_BLOCK) or {}
    files = (state.get(FILE_ACTION) or {}).get("files") or []
    first = files[0] if files and isinstance(files[0], dict) else {}
    found = first.get("id")
    return found if isinstance(found, str) and found else None


def _team(body: dict[str, Any]) -> str | None:
    team = body.get("team") or {}
    found = team.get("id") if isinstance(team, dict) else None
    return found or (body.get("user") or {}).get("team_id") or None


def _enterprise(body: dict[str, Any]) -> str | None:
    enterprise = body.get("enterprise") or {}
    return (enterprise.get("id") if isinstance(enterprise, dict) else None) or None
