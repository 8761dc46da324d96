"""What the Teams cards' tests for risks and reports (test_teams_risk_cards.py,
test_teams_report_cards.py) share: a card's text blocks, and a card's check against Teams' limits."""

from __future__ import annotations

import json
from typing import Any

MAX_BYTES = 28_000


def texts(card: dict[str, Any]) -> list[str]:
    return [e["text"] for e in card["body"] if e["type"] == "TextBlock"]


def within_limits(card: dict[str, Any], limit: int = MAX_BYTES) -> None:
    assert card["version"] == "1.5" and card["type"] == "AdaptiveCard"
    assert len(json.dumps(card).encode()) < limit
    assert json.loads(json.dumps(card)) == card
