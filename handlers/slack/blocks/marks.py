"""The coloured marks Slack shows as emoji codes: capacity levels, risk severities, a service
never reported on and a stale report."""

from __future__ import annotations

from models.vocabulary import Severity

LEVEL_EMOJI = {1: ":large_green_circle:", 2: ":large_yellow_circle:", 3: ":large_orange_circle:", 4: ":red_circle:"}
NEVER = ":white_circle:"
STALE = ":hourglass:"
SEVERITY_EMOJI = {
    Severity.CRITICAL: ":red_circle:",
    Severity.HIGH: ":large_orange_circle:",
    Severity.MEDIUM: ":large_yellow_circle:",
    Severity.LOW: ":white_circle:",
}
