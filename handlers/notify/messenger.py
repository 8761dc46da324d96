"""The Notify side of the sending port: prompts, reminders, notices and the digest to members
reached by email or text message, through GOV.UK Notify's own client.

Every message carries its delivery key as Notify's `reference`, so a send whose outcome was lost
(a crash, a timeout after Notify accepted it) is found again by that reference before sending
twice. What Notify refuses for good (a bad address, a template that does not exist, a key it does
not accept) is a permanent SendError saying what to fix; a timeout, a 429 or a 5xx is retried by
the delivery ledger (Notify's client reports a connection that failed as a 503). Channels, risks' buttons and charts belong to chat: a Notify member gets the
partner's words instead (bot.sending.escalations.partner_copy), so those sends are refused.
"""

from __future__ import annotations

import logging
from typing import Any

from notifications_python_client.errors import APIError
from notifications_python_client.notifications import NotificationsAPIClient

from bot.checkin.prompts import Prompt
from bot.common.config import Settings
from bot.common.web_links import checkin_url
from bot.risks.listing import RiskView
from bot.sending.notify_words import NotifyMessage, digest_message, notice_message, prompt_message
from bot.sending.ports import Destination, Recipient, Report, SendError
from handlers.notify.pace import Pacing
from models.vocabulary import Platform

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10
PERMANENT_STATUSES = frozenset({400, 403, 404})


class NotifyMessenger:
    """One of these for email and one for text messages, sharing a client."""

    def __init__(self, platform: str, client: NotificationsAPIClient, settings: Settings, pace: Pacing) -> None:
        if platform not in (Platform.EMAIL.value, Platform.SMS.value):
            raise ValueError(f"Notify sends email or sms, not {platform!r}")
        self.platform = platform
        self.client = client
        self.pace = pace
        self.settings = settings

    def send_prompt(self, recipient: Recipient, prompt: Prompt, key: str) -> str:
        return self._send(recipient.user_id, prompt_message(prompt, self._link(recipient, prompt), self.platform), key)

    def find_sent(self, recipient: Recipient, key: str) -> str | None:
        return self._find(key)

    def post_notice(self, destination: Destination, text: str, key: str) -> str:
        self._only_people(destination)
        return self._send(destination.address, notice_message(text, self.platform), key)

    def find_posted(self, destination: Destination, key: str) -> str | None:
        return self._find(key)

    def report_parts(self, report: Report) -> int:
        return 1

    def post_report(self, destination: Destination, report: Report, part: int, key: str) -> str:
        from bot.reports.digest import Digest

        self._only_people(destination)
        if not isinstance(report, Digest):
            raise SendError("the daily brief is for the leads' channel, not sent by email or text", permanent=True)
        return self._send(destination.address, digest_message(report, self.platform), key)

    def post_risk(self, destination: Destination, risk: RiskView, key: str) -> str:
        raise SendError("a risk with the leads' buttons goes to a channel, not by email or text", permanent=True)

    def update_risk(self, reference: str, risk: RiskView) -> None:
        """An email or text already sent cannot change; the partner's copy has no status to update."""

    def upload_chart(self, destination: Destination, png: bytes, title: str, key: str) -> str:
        raise SendError("charts go to a channel, not by email or text", permanent=True)

    def find_upload(self, destination: Destination, key: str) -> str | None:
        return None

    def _link(self, recipient: Recipient, prompt: Prompt) -> str:
        base, secret = self.settings.public_url, self.settings.web_secret
        if not base or not secret:
            raise SendError(
                "a prompt by email or text carries a link to the check-in page: set WINTERBOT_PUBLIC_URL and "
                "WINTERBOT_WEB_SECRET",
                permanent=True,
            )
        return checkin_url(base, secret, recipient.member_id, prompt.local_date, prompt.scope.programme_timezone)

    def _only_people(self, destination: Destination) -> None:
        if destination.is_channel:
            raise SendError(f"{destination.address} is a channel: email and text go to a person", permanent=True)

    def _template(self, purpose: str) -> str:
        templates = self.settings.notify_templates
        template = templates.get(f"{purpose}-{self.platform}") or templates.get(self.platform)
        if not template:
            raise SendError(
                f"no Notify template for {purpose} by {self.platform}: add {self.platform}=TEMPLATE-ID to "
                "NOTIFY_TEMPLATES",
                permanent=True,
            )
        return template

    def _send(self, address: str, message: NotifyMessage, key: str) -> str:
        template, fields = self._template(message.purpose), message.personalisation()
        self.pace.wait()
        try:
            if self.platform == Platform.SMS.value:
                response = self.client.send_sms_notification(
                    phone_number=address, template_id=template, personalisation=fields, reference=key
                )
            else:
                response = self.client.send_email_notification(
                    email_address=address, template_id=template, personalisation=fields, reference=key
                )
        except APIError as error:
            raise _send_error(error) from error
        return str(response["id"])

    def _find(self, key: str) -> str | None:
        """Notify's id of a message sent under this key, when one was."""
        self.pace.wait()
        try:
            found: dict[str, Any] = self.client.get_all_notifications(reference=key)
        except APIError as error:
            raise _send_error(error) from error
        notifications = found.get("notifications") or []
        return str(notifications[0]["id"]) if notifications else None


def _send_error(error: APIError) -> SendError:
    """Notify's errors name the field, never the address: safe to keep and show to the leads."""
    status = error.status_code
    words = "; ".join(
        str(item.get("message", item)) if isinstance(item, dict) else str(item)
        for item in (error.message if isinstance(error.message, list) else [error.message])
    )
    if status in PERMANENT_STATUSES:
        hint = " (check NOTIFY_API_KEY)" if status == 403 else ""
        return SendError(f"Notify refused it ({status}): {words}{hint}", permanent=True)
    return SendError(f"Notify did not take it ({status}): {words}")


def notify_client(settings: Settings) -> NotificationsAPIClient:
    assert settings.notify_api_key
    return NotificationsAPIClient(settings.notify_api_key, base_url=settings.notify_api_url, timeout=TIMEOUT_SECONDS)
