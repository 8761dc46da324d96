"""What the Slack check-in blocks' tests (test_slack_checkin_blocks.py, test_slack_checkin_measures.py)
share: a check-in form with two schemes and two services, a stored check-in's result, and readers of
a view's inputs and of all its text. test_teams_checkin_card and test_redact_checkin use some of them
too, through test_slack_checkin_blocks."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from test_checkin_validate import STAFF, last, make_form, scheme

from bot.checkin import CheckinResult, Figures, ReportedScheme, ReportedService, ServiceOnForm

LONDON = ZoneInfo("Europe/London")
SERVICES = (
    ServiceOnForm("home_care", "Home care", 3, date(2027, 1, 4)),
    ServiceOnForm("gp", "General practice", None, None),
)


def inputs(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}


def all_text(node: Any) -> str:
    if isinstance(node, dict):
        return "\n".join(all_text(v) for v in node.values())
    if isinstance(node, list):
        return "\n".join(all_text(v) for v in node)
    return node if isinstance(node, str) else ""


def a_form(**kw):
    return make_form(
        scheme(previous=last("12500.5", "3000", "1250")),
        scheme(STAFF, unit="staff_wte", planned="12"),
        services=SERVICES,
        **kw,
    )


def result(**kw) -> CheckinResult:
    base = {
        "programme_id": 4,
        "programme_name": "Vale",
        "organisation_name": "Brightside Home Care",
        "local_date": date(2027, 1, 5),
        "submitted_at": datetime(2027, 1, 5, 10, 2, tzinfo=LONDON),
        "checkin_id": 9,
        "recorded": True,
        "schemes": (
            ReportedScheme(
                "Home care hours",
                "hours",
                "hours",
                Decimal(3000),
                Figures(Decimal("12500.5"), Decimal(0), Decimal(400)),
                None,
            ),
            ReportedScheme(
                "Care workers",
                "staff_wte",
                "staff (WTE)",
                Decimal(12),
                Figures(Decimal(0), Decimal(0), Decimal(4)),
                "double counted",
            ),
        ),
        "services": (ReportedService("home_care", "Home care", 4),),
    }
    return CheckinResult(**(base | kw))
