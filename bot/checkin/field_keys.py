"""The check-in form's field keys.

They are platform-neutral ("scheme:12:actual", "service:home_care",
"measure:home_care:hours_not_delivered", "question:7", "blockers"): the validator's errors and every
platform's renderer use them, so an error names its field.
"""

from __future__ import annotations

CORRECTION = "correction"
BLOCKERS = "blockers"
COMMENT = "comment"
FIGURES = ("actual", "committed", "activity")


def scheme_key(scheme_id: int, figure: str) -> str:
    return f"scheme:{scheme_id}:{figure}"


def service_key(service: str) -> str:
    return f"service:{service}"


def measure_key(service: str, key: str) -> str:
    return f"measure:{service}:{key}"


def question_key(question_id: int) -> str:
    """The check-in field of a question: "question:12"."""
    return f"question:{question_id}"


STILL, SOLVED, CHANGED = "still", "resolved", "changed"  # what a partner says of an open blocker
STANDING = (STILL, SOLVED, CHANGED)


def blocker_key(blocker_id: int) -> str:
    """The check-in field asking after an open blocker: "blocker:12"."""
    return f"blocker:{blocker_id}"
