"""The port's Teams side: prompts to members' personal chats and reports, charts and risk
escalations to channels, through the conversation references Teams gave us.

The clock calls it from worker threads; the SDK's client is asynchronous, so every call runs
on one event loop of the messenger's own, on a thread of its own.

Teams lets a bot read back neither a chat nor a channel, so `find_*` cannot look for a
message an earlier attempt may have sent: they answer "not found" and the delivery ledger
alone keeps each key to one message (see the README on the one window this leaves).

Every post and update keeps to the tenant's limit (TEAMS_SENDS_PER_SECOND) with every other
process (bot.sending.limits). The tenant is TENANT_ID for a single-tenant app; a multi-tenant
app's conversation references do not reach the messenger with their tenant, so its sends are
counted by the service URL they go to (a tenant's conversations share one): stricter, never looser.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine, Sequence
from typing import Any, TypeVar

from microsoft_teams.apps import App
from sqlalchemy.engine import Engine

from bot.checkin.prompts import Prompt, prompt_summary
from bot.common.config import Settings
from bot.people.conversations import Where
from bot.risks.listing import RiskView
from bot.sending.addresses import Addresses
from bot.sending.limits import SharedLimits
from bot.sending.ports import Destination, Recipient, Report, SendError
from handlers.teams.activity import card_message, image_message
from handlers.teams.cards.base import Card, notice_card
from handlers.teams.cards.checkin import checkin_card
from handlers.teams.cards.reports import chart_image, report_cards
from handlers.teams.cards.risks import risk_card
from handlers.teams.sdk import DEFAULT_SERVICE_URL, sdk_app
from handlers.teams.sending import parse_reference, post, update

T = TypeVar("T")
TIMEOUT_SECONDS = 60.0
NO_CHAT = (
    "has no chat with winterbot in Teams yet: install the app for them (or ask them to open it) "
    "and the next attempt will reach them"
)


class TeamsMessenger:
    platform = "teams"

    def __init__(self, settings: Settings, engine: Engine, app: App | None = None) -> None:
        self._app = app or sdk_app(settings)
        self._addresses = Addresses(engine)
        self._default_url = settings.teams_service_url or DEFAULT_SERVICE_URL
        self._tenant = settings.teams_tenant_id
        self._limits = SharedLimits(engine, settings.teams_sends_per_second)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="teams-messenger", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)

    def _run(self, work: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(work, self._loop).result(TIMEOUT_SECONDS)

    def _post(self, where: Where, content: Card, summary: str | None = None) -> str:
        self._keep_limit(where)
        return self._run(post(self._app.api, where, card_message(content, summary)))

    def _keep_limit(self, where: Where) -> None:
        self._limits.wait(f"teams:{self._tenant or where.service_url.rstrip('/')}")

    # prompts

    def send_prompt(self, recipient: Recipient, prompt: Prompt, key: str) -> str:
        """The prompt carries the whole check-in form, prefilled from the last answers."""
        where, form = self._addresses.prompt(recipient.user_id, recipient.member_id, prompt.local_date)
        if form is None:
            raise SendError(f"member {recipient.member_id} is no longer on the programme", permanent=True)
        if where is None:
            raise SendError(f"{recipient.name} {NO_CHAT}")
        return self._post(where, checkin_card(form, prompt=prompt), prompt_summary(prompt))

    def find_sent(self, recipient: Recipient, key: str) -> str | None:
        return None

    # channels and escalations

    def _where(self, destination: Destination) -> Where:
        if destination.is_channel:
            return self._addresses.channel(destination.address, self._default_url)
        found = self._addresses.personal_chat(destination.address)
        if found is None:
            raise SendError(f"{destination.address} {NO_CHAT}")
        return found

    def _organisations(self, risk: RiskView) -> Sequence[tuple[str, str]]:
        return self._addresses.assignable(risk.id)

    def post_risk(self, destination: Destination, risk: RiskView, key: str) -> str:
        content = risk_card(risk, organisations=self._organisations(risk))
        return self._post(self._where(destination), content, f"Risk: {risk.title}")

    def find_posted(self, destination: Destination, key: str) -> str | None:
        return None

    def post_notice(self, destination: Destination, text: str, key: str) -> str:
        return self._post(self._where(destination), notice_card(text), text)

    def update_risk(self, reference: str, risk: RiskView) -> None:
        conversation_id, activity_id = parse_reference(reference)
        where = self._addresses.channel(conversation_id, self._default_url)
        content = risk_card(risk, organisations=self._organisations(risk))
        self._keep_limit(where)
        self._run(update(self._app.api, where, activity_id, card_message(content, activity_id=activity_id)))

    def report_parts(self, report: Report) -> int:
        return len(report_cards(report))

    def post_report(self, destination: Destination, report: Report, part: int, key: str) -> str:
        return self._post(self._where(destination), report_cards(report)[part])

    def upload_chart(self, destination: Destination, png: bytes, title: str, key: str) -> str:
        message = image_message(chart_image(png), title, f"{key.replace(':', '-')}.png")
        where = self._where(destination)
        self._keep_limit(where)
        return self._run(post(self._app.api, where, message))

    def find_upload(self, destination: Destination, key: str) -> str | None:
        return None
