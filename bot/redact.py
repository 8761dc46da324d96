"""Keeping patient-identifiable data out of chat: NHS numbers are found and redacted.

An NHS number is ten digits, usually written 3-3-4, whose tenth digit is a Modulus 11
check over the first nine. A random ten-digit string passes about one time in eleven, so
the pattern and the check are matched together; phone numbers and amounts mostly fail it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

REPLACEMENT = "[NHS number removed]"
_CANDIDATE = re.compile(r"(?<![\d£])(\d{3})[ \-]?(\d{3})[ \-]?(\d{4})(?![\d])")
_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)


def nhs_number_valid(digits: str) -> bool:
    """The Modulus 11 check: weights 10..2 on the first nine digits; 11 means 0, 10 invalid."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    remainder = sum(int(d) * w for d, w in zip(digits, _WEIGHTS)) % 11
    check = 11 - remainder
    if check == 11:
        check = 0
    if check == 10:
        return False
    return check == int(digits[9])


@dataclass(frozen=True)
class Redacted:
    text: str
    count: int


def redact(text: str | None) -> Redacted:
    """The text with every valid NHS number replaced, and how many there were."""
    if not text:
        return Redacted(text or "", 0)
    count = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal count
        if nhs_number_valid("".join(match.groups())):
            count += 1
            return REPLACEMENT
        return match.group(0)

    return Redacted(_CANDIDATE.sub(replace, text), count)
