"""The Slack side of the sending port, for the clock and `run-job` (a plain thread pool,
so the synchronous client). Given the database, it sends nothing to a workspace that
uninstalled the app or revoked its tokens (handlers.slack.installation); what Slack refuses
for good is a permanent SendError saying what to do (handlers.slack.api_errors).

Given the database, its posts also keep to the workspace's limit with every other process
(bot.sending.limits: `posts_per_second` for the workspace, about one a second for a channel);
a DM is a channel of its own that a fan-out posts to once, so it keeps to this process's
throttle only. Without one, the process's own pacers and throttle are all there is."""

from __future__ import annotations

import hashlib
import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    ServerErrorRetryHandler,
)
from sqlalchemy.engine import Engine

from bot.checkin.prompts import Prompt
from bot.common.config import DEFAULT_SLACK_POSTS_PER_SECOND, Settings
from bot.risks.listing import RiskView
from bot.sending.limits import SharedLimits
from bot.sending.ports import Destination, Recipient, Report, SendError
from handlers.slack.api_errors import method_of, refusal
from handlers.slack.blocks.digest import report_messages
from handlers.slack.blocks.prompt import prompt_blocks, prompt_text
from handlers.slack.blocks.risks import escalation_message
from handlers.slack.blocks.text import escape
from handlers.slack.installation import Installation
from handlers.slack.retry import Pacers, PatientRateLimitRetry
from handlers.slack.throttle import ChannelThrottle
from handlers.slack.web import SERVER_ERROR_RETRIES, client_settings

log = logging.getLogger(__name__)

METADATA_EVENT = "winterbot_delivery"
HISTORY_LOOKBACK = 100
POSTS = frozenset({"chat_postMessage", "chat_update"})  # what the workspace's posting limit counts
PACED = POSTS | {"files_upload_v2"}  # what a channel's one a second counts
CHANNEL_PER_SECOND = 1.0


def sync_client(settings: Settings) -> WebClient:
    """A client that waits out each 429 as Slack asks and tries again (handlers.slack.retry)."""
    retries = [
        ConnectionErrorRetryHandler(),
        PatientRateLimitRetry(),
        ServerErrorRetryHandler(max_retry_count=SERVER_ERROR_RETRIES),
    ]
    return WebClient(retry_handlers=retries, **client_settings(settings))


class SlackMessenger:
    platform = "slack"

    def __init__(
        self,
        client: WebClient,
        throttle: ChannelThrottle | None = None,
        *,
        engine: Engine | None = None,
        posts_per_second: float = DEFAULT_SLACK_POSTS_PER_SECOND,
    ) -> None:
        self.client = client
        self.throttle = throttle or ChannelThrottle()
        self.installation = Installation(client, engine)
        retrying = [h for h in client.retry_handlers if isinstance(h, PatientRateLimitRetry)]
        self.pacers = retrying[0].pacers if retrying else Pacers()
        self.limits = SharedLimits(engine, posts_per_second) if engine is not None else None
        self.channels = SharedLimits(engine, CHANNEL_PER_SECOND, window=1.0) if engine is not None else None
        if self.limits is not None:
            for name in POSTS:
                self.pacers.of(name).share(self._workspace_place)

    def send_prompt(self, recipient: Recipient, prompt: Prompt, key: str) -> str:
        """Posting to the user id lands in the app's DM with them, with no conversations.open
        (a Tier 3 method, about 50 a minute: too slow to fan out to a thousand people)."""
        response = self._call(
            self.client.chat_postMessage,
            channel=recipient.user_id,
            text=prompt_text(prompt),
            blocks=prompt_blocks(prompt),
            metadata=_metadata(key),
            unfurl_links=False,
        )
        return f"{response['channel']}:{response['ts']}"

    def find_sent(self, recipient: Recipient, key: str) -> str | None:
        return self._find(self._dm(recipient.user_id), key)

    def post_risk(self, destination: Destination, risk: RiskView, key: str) -> str:
        """A channel id (or #name) posts there; a member's user id lands in the app's DM with them."""
        text, blocks = escalation_message(risk)
        response = self._call(
            self.client.chat_postMessage,
            channel=destination.address,
            text=text,
            blocks=blocks,
            metadata=_metadata(key),
            unfurl_links=False,
        )
        return f"{response['channel']}:{response['ts']}"

    def find_posted(self, destination: Destination, key: str) -> str | None:
        """Looks through the channel's recent history (a channel given by id: Slack's history
        does not take a #name) or the member's DM for a message carrying the key."""
        channel = destination.address if destination.is_channel else self._dm(destination.address)
        return self._find(channel, key)

    def post_notice(self, destination: Destination, text: str, key: str) -> str:
        response = self._call(
            self.client.chat_postMessage, channel=destination.address, text=escape(text), metadata=_metadata(key)
        )
        return f"{response['channel']}:{response['ts']}"

    def update_risk(self, reference: str, risk: RiskView) -> None:
        channel, _, ts = reference.partition(":")
        if not channel or not ts:
            raise SendError(f"not a Slack message reference: {reference!r}", permanent=True)
        text, blocks = escalation_message(risk)
        self._call(self.client.chat_update, channel=channel, ts=ts, text=text, blocks=blocks)

    def report_parts(self, report: Report) -> int:
        return len(report_messages(report))

    def post_report(self, destination: Destination, report: Report, part: int, key: str) -> str:
        """One message of a brief or digest, carrying its key in the metadata like every post."""
        messages = report_messages(report)
        if not 0 <= part < len(messages):
            raise SendError(f"the report has {len(messages)} messages, not part {part + 1}", permanent=True)
        response = self._call(
            self.client.chat_postMessage,
            channel=destination.address,
            text=messages[part].text,
            blocks=messages[part].blocks,
            metadata=_metadata(key),
            unfurl_links=False,
            unfurl_media=False,
        )
        return f"{response['channel']}:{response['ts']}"

    def upload_chart(self, destination: Destination, png: bytes, title: str, key: str) -> str:
        """files.getUploadURLExternal, the upload, files.completeUploadExternal to the channel. A
        file share carries no metadata, so the key goes into the file name (`chart_filename`)."""
        try:
            response = self._call(
                self.client.files_upload_v2,
                channel=destination.address,
                content=png,
                filename=chart_filename(key),
                title=title,
                alt_txt=title,
                initial_comment=title,
            )
        except SlackRequestError as error:
            raise SendError(f"the chart upload failed: {error}") from error
        files = response.get("files") or []
        file_id = files[0].get("id") if files else None
        return f"{destination.address}:{file_id or 'uploaded'}"

    def find_upload(self, destination: Destination, key: str) -> str | None:
        name = chart_filename(key)
        response = self._call(self.client.conversations_history, channel=destination.address, limit=HISTORY_LOOKBACK)
        for message in response.get("messages", []):
            for file in message.get("files") or []:
                if file.get("name") == name:
                    return f"{destination.address}:{file.get('id')}"
        return None

    def _find(self, channel: str, key: str) -> str | None:
        response = self._call(
            self.client.conversations_history, channel=channel, limit=HISTORY_LOOKBACK, include_all_metadata=True
        )
        for message in response.get("messages", []):
            metadata = message.get("metadata") or {}
            if metadata.get("event_type") == METADATA_EVENT and (metadata.get("event_payload") or {}).get("key") == key:
                return f"{channel}:{message['ts']}"
        return None

    def _dm(self, user_id: str) -> str:
        response = self._call(self.client.conversations_open, users=user_id)
        return response["channel"]["id"]

    def _call(self, method, **kwargs):
        """Each call waits its turn with the method's pacer (handlers.slack.retry), if the app is
        still installed there; what Slack refuses is a SendError, permanent when retrying cannot help."""
        self.installation.check()
        self._channel_turn(method.__name__, kwargs.get("channel"))
        pacer = self.pacers.of(method.__name__)  # a post's: its place in the workspace's shared limit
        pacer.wait()
        try:
            response = method(**kwargs)
            pacer.accepted()
            return response
        except SlackApiError as error:
            body = error.response.data if error.response is not None and isinstance(error.response.data, dict) else {}
            name = method_of(error.response.api_url if error.response is not None else None, method.__name__)
            channel = kwargs.get("channel") or kwargs.get("channel_id")
            raise refusal(str(body.get("error", "unknown_error")), body, name, channel) from error
        except OSError as error:
            raise SendError(f"could not reach Slack: {type(error).__name__}") from error

    def _channel_turn(self, name: str, channel: str | None) -> None:
        """A post waits for its channel's turn: across processes for a channel, in this one for a DM."""
        if name not in PACED or not channel:
            return
        team = self.installation.team_id
        if self.channels is None or team is None or _is_dm(channel):
            self.throttle.wait(channel)
        else:
            self.channels.wait(f"slack:{team}:{channel}")

    def _workspace_place(self) -> float:
        """A post's place in its workspace's limit, all processes together (and a retry's: the
        pacers ask here, handlers.slack.retry)."""
        team = self.installation.team_id
        if self.limits is None or team is None:
            return 0.0
        return self.limits.wait(f"slack:{team}").waited


def _is_dm(channel: str) -> bool:
    """A user id (the app's DM with them) or a DM's own id."""
    return channel[:1] in ("U", "W", "D")


def _metadata(key: str) -> dict:
    """Message metadata carrying the delivery key, so a retry can find what was sent."""
    return {"event_type": METADATA_EVENT, "event_payload": {"key": key}}


def chart_filename(key: str) -> str:
    """burn-up-2027-01-08-<12 hex>.png: the day, and a digest of the delivery key to find it by."""
    day = key.rsplit(":", 1)[-1]
    return f"burn-up-{day}-{hashlib.sha256(key.encode()).hexdigest()[:12]}.png"
