"""GOV.UK Notify's delivery receipts: what became of each email and text it accepted.

Notify calls back once a message is delivered or has failed, and may call more than once; a
receipt is kept once per notification, its status brought up to date. A permanent failure
(an address that does not exist, a number that is not a mobile) is told to the programme's
admins by the watch (bot.sending.jobs.notify_failures), so the programme file can be put right.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from models.tables import NotifyReceipt

PERMANENT_FAILURE = "permanent-failure"
STATUSES = frozenset(
    {"delivered", PERMANENT_FAILURE, "temporary-failure", "technical-failure", "sending", "created", "pending"}
)
FAILURE_WORDS = {
    "email": "the email address does not exist or will not take mail",
    "sms": "the number is not a mobile that can take texts, or it does not exist",
}


@dataclass(frozen=True)
class Receipt:
    notification_id: str
    reference: str | None
    notification_type: str
    status: str
    completed_at: datetime | None


def parse_receipt(body: Any) -> Receipt | str:
    """The receipt in a callback's JSON, or what is wrong with it."""
    if not isinstance(body, Mapping):
        return "the body must be a JSON object"
    notification_id, status = body.get("id"), body.get("status")
    kind, reference = body.get("notification_type"), body.get("reference")
    if not isinstance(notification_id, str) or not 0 < len(notification_id) <= 64:
        return "`id` must be Notify's notification id"
    if status not in STATUSES:
        return f"`status` must be one of {', '.join(sorted(STATUSES))}"
    if kind not in FAILURE_WORDS:
        return "`notification_type` must be email or sms"
    if reference is not None and (not isinstance(reference, str) or len(reference) > 300):
        return "`reference` must be the text it was sent with"
    return Receipt(notification_id, reference, kind, status, _instant(body.get("completed_at")))


def record_receipt(session: Session, receipt: Receipt, now: datetime) -> NotifyReceipt:
    row = session.exec(select(NotifyReceipt).where(NotifyReceipt.notification_id == receipt.notification_id)).first()
    if row is None:
        row = NotifyReceipt(
            notification_id=receipt.notification_id,
            reference=receipt.reference,
            notification_type=receipt.notification_type,
            status=receipt.status,
            completed_at=receipt.completed_at,
            received_at=now,
        )
    else:
        row.status, row.completed_at = receipt.status, receipt.completed_at or row.completed_at
    session.add(row)
    return row


def _instant(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None
