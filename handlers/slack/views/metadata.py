"""What a check-in modal carries in private_metadata and its buttons in `value`: which
programme, and the DM prompt to mark as answered. Never who is asking: that is always the
user Slack names in the payload."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FormRef:
    programme_id: int | None = None
    channel: str | None = None
    ts: str | None = None

    def encode(self) -> str:
        return json.dumps({"programme": self.programme_id, "channel": self.channel, "ts": self.ts})

    @property
    def prompt_message(self) -> tuple[str, str] | None:
        return (self.channel, self.ts) if self.channel and self.ts else None


def _object(text: str | None) -> dict[str, Any]:
    try:
        found = json.loads(text or "")
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def programme_from(text: str | None) -> int | None:
    """The programme id in a button value or private_metadata; None when there is none."""
    value = _object(text).get("programme")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def decode_ref(text: str | None) -> FormRef:
    found = _object(text)
    return FormRef(programme_from(text), _text(found.get("channel")), _text(found.get("ts")))
