"""Keeping patient-identifiable data out of chat: NHS numbers are found and redacted.

An NHS number is ten digits, usually written 3-3-4, whose tenth digit is a Modulus 11
check over the first nine. A random ten-digit string passes about one time in eleven, so
the writing and the check are matched together.

People write them every way a keyboard, an email or a clinical system allows, so the text is
read as *runs*: digits (any script's, full-width too) with at most MAX_GAP separator characters
between consecutive ones. Separators are Unicode spaces and line breaks, dashes and hyphens,
dots, slashes, underscores and brackets; invisible characters (zero-width, bidi and other
controls) are skipped as if absent. Anything else (a letter, a comma, a colon, £) ends a run.

- A run of exactly ten digits that passes the check is an NHS number, however it is grouped.
- A longer run is one longer number (a phone number, a reference) and is left alone, except
  that a part of it written the usual way (ten digits together, or 3-3-4) that passes the check
  and is set off by a separator is redacted: "bed 4 943 476 5919" must not leak.
- A UK phone number is never redacted: a run of 11 digits starting with 0 whose first group has
  at least three digits ("01632 960 001", "07700 900123"), or a run of 11 or more after "+".
- Nor is an amount in pounds and pence: a ten-digit run with one decimal point, just before its
  last two digits ("33976738.44" passes the check; nobody writes an NHS number that way).

A numeric field holding one is refused (figure_holds_nhs_number, figure_refusal), never stored.
The text is classified once (str.translate) and scanned by two patterns over those classes that
cannot backtrack, so the time grows with the length of the text only.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from bot.common.text import clean_text

REPLACEMENT = "[NHS number removed]"
LENGTH = 10
MAX_GAP = 4  # separator characters allowed between two digits of one number: "(943) - 476"
_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)
_USUAL_GROUPS = ((10,), (3, 3, 4))
_SEPARATORS = frozenset(
    "\t\n\r\v\f\x1c\x1d\x1e\x1f\x85.\u00b7\u2024\u2027\uff0e\u3002/\\\u2044\u2215\uff0f_\uff3f()[]{}\uff08\uff09"
    "\u2212\u2043\ufe63\uff0d\u00ad"
)
_KINDS_KEPT = 4096  # characters whose kind is remembered: bounded, whatever a text holds


class _Kinds(dict[int, str]):
    """Each character's kind for str.translate: d(igit), s(eparator), i(nvisible) or o(ther),
    worked out the first time a character is seen (translate looks each one up here)."""

    def __missing__(self, code: int) -> str:
        kind = _kind(chr(code))
        if len(self) < _KINDS_KEPT:
            self[code] = kind
        return kind


def _kind(char: str) -> str:
    if char.isdecimal():
        return "d"
    if char in _SEPARATORS or unicodedata.category(char) in ("Zs", "Zl", "Zp", "Pd"):
        return "s"
    if unicodedata.category(char) in ("Cf", "Cc"):
        return "i"
    return "o"


_KINDS = _Kinds()
# Over the kinds, not the text: "s" and "d" never overlap, so neither pattern can backtrack.
_RUN = re.compile(rf"d(?:i*(?:si*){{0,{MAX_GAP}}}d)*")
_GROUP = re.compile(r"d(?:i*d)*")


def nhs_number_valid(digits: str) -> bool:
    """The Modulus 11 check: weights 10..2 on the first nine digits; 11 means 0, 10 invalid."""
    if len(digits) != LENGTH or not (digits.isascii() and digits.isdigit()):
        return False
    remainder = sum(int(d) * w for d, w in zip(digits, _WEIGHTS, strict=False)) % 11
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


@dataclass(frozen=True)
class _Group:
    """Digits with no separator between them (invisible characters aside): text[start:end]."""

    start: int
    end: int
    size: int


def _runs(text: str) -> Iterator[list[_Group]]:
    """The runs of digits in the text, each as its groups, in order."""
    kinds = text.translate(_KINDS)
    for run in _RUN.finditer(kinds):
        yield [
            _Group(g.start(), g.end(), g.end() - g.start() - g.group().count("i"))
            for g in _GROUP.finditer(kinds, run.start(), run.end())
        ]


def _digits(text: str) -> str:
    return "".join(str(unicodedata.decimal(c)) for c in text if c.isdecimal())


def _is_phone(text: str, groups: list[_Group], size: int) -> bool:
    first = groups[0]
    if size == 11 and first.size >= 3 and unicodedata.decimal(text[first.start]) == 0:
        return True
    return size >= 11 and text[max(0, first.start - MAX_GAP) : first.start].rstrip().endswith("+")


def _separators(text: str) -> str:
    return "".join(c for c in text if _KINDS[ord(c)] == "s")


def _is_amount(text: str, groups: list[_Group]) -> bool:
    """Pounds and pence: "33976738.44", "£33 976 738.44": one decimal point, before the last two digits."""
    if len(groups) < 2 or groups[-1].size != 2:
        return False
    return _separators(text[groups[-2].end : groups[-1].start]) == "." and "." not in _separators(
        text[groups[0].start : groups[-2].end]
    )


def _numbers(text: str, groups: list[_Group]) -> Iterator[tuple[int, int]]:
    """(start, end) of the NHS numbers in one run."""
    size = sum(g.size for g in groups)
    if size < LENGTH or _is_phone(text, groups, size):
        return
    span = (groups[0].start, groups[-1].end)
    if size == LENGTH:
        if not _is_amount(text, groups) and nhs_number_valid(_digits(text[span[0] : span[1]])):
            yield span
        return
    i = 0
    while i < len(groups):
        for shape in _USUAL_GROUPS:
            chosen = groups[i : i + len(shape)]
            span = (chosen[0].start, chosen[-1].end)
            if tuple(g.size for g in chosen) == shape and nhs_number_valid(_digits(text[span[0] : span[1]])):
                yield span
                i += len(shape)
                break
        else:
            i += 1


def _spans(text: str) -> list[tuple[int, int]]:
    """(start, end) slices of the text that are NHS numbers, in order, not overlapping."""
    spans: list[tuple[int, int]] = []
    for groups in _runs(text):
        for start, end in _numbers(text, groups):
            if start > 0 and text[start - 1] == "(" and ")" in text[start:end]:
                start -= 1
            spans.append((start, end))
    return spans


def contains_nhs_number(text: str | None) -> bool:
    """Whether the text holds a valid NHS number however written (a numeric field refuses one)."""
    return bool(text) and bool(_spans(text or ""))


def figure_holds_nhs_number(text: str) -> bool:
    """Whether a numeric field's text holds a valid NHS number. Commas are read as absent too:
    "943,476,5919" would otherwise be stored as 9434765919."""
    return contains_nhs_number(text) or ("," in text and contains_nhs_number(text.replace(",", "")))


def redact(text: str | None) -> Redacted:
    """The text cleaned (bot.common.text.clean_text) with every valid NHS number replaced, and how many."""
    if not text:
        return Redacted(text or "", 0)
    text = clean_text(text)
    spans = _spans(text)
    if not spans:
        return Redacted(text, 0)
    parts: list[str] = []
    done = 0
    for start, end in spans:
        parts += [text[done:start], REPLACEMENT]
        done = end
    parts.append(text[done:])
    return Redacted("".join(parts), len(spans))


def figure_refusal(asked: str) -> str:
    """Why a numeric field holding an NHS number is refused, and what to enter instead."""
    return f"That looks like an NHS number. Enter {asked}, not a patient's details"


def removed_sentence(count: int) -> str:
    """What someone is told when `count` NHS numbers were taken out of their text before it was stored."""
    numbers = "1 NHS number was" if count == 1 else f"{count} NHS numbers were"
    return f"{numbers} removed before it was stored: no patient details in chat, please."
