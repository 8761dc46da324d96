"""Money as people write it, and as a finance lead wants to read it. Decimal throughout."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from bot.common.redact import figure_holds_nhs_number, figure_refusal

PENNY = Decimal("0.01")
_SUFFIX = {"k": Decimal(1_000), "m": Decimal(1_000_000), "bn": Decimal(1_000_000_000)}
_AMOUNT = re.compile(r"^(?P<number>\d+(?:\.\d+)?)\s*(?P<suffix>k|m|bn)?$", re.IGNORECASE)


class AmountError(ValueError):
    """An amount that cannot be read; the message says what to write instead."""


MAX_POUNDS = Decimal(10) ** 12  # far beyond any fund; keeps exact pence within 28 digits and a 64-bit column


def parse_amount(text: str | int | Decimal) -> Decimal:
    """Read "£12,500", "12500.50", "12.5k" or "£1.2m" as pounds, exact to the penny.

    Text holding a valid NHS number however written ("943 476 5919", "£9434765919") is refused
    with a message that says why, never read as an amount."""
    if isinstance(text, bool):
        raise AmountError("an amount must be a number of pounds, like 12500 or £12,500")
    if isinstance(text, float):
        raise AmountError('an amount must be exact: write it as text, e.g. "1200000.50"')
    if isinstance(text, (int, Decimal)):
        return _to_pennies(Decimal(text), str(text))
    raw = text.strip()
    if figure_holds_nhs_number(raw):
        raise AmountError(figure_refusal("an amount in pounds"))
    cleaned = raw.replace("£", "").replace(",", "").replace(" ", "")
    if cleaned.startswith("-"):
        raise AmountError(f"{raw!r} is negative: amounts are pounds spent or committed, 0 or more")
    match = _AMOUNT.match(cleaned)
    if not match:
        raise AmountError(f"{raw!r} is not an amount: write pounds like 12500, £12,500, 12.5k or £1.2m")
    try:
        value = Decimal(match["number"])
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits only digits
        raise AmountError(f"{raw!r} is not an amount") from exc
    if match["suffix"]:
        value *= _SUFFIX[match["suffix"].lower()]
    return _to_pennies(value, raw)


def _to_pennies(value: Decimal, raw: str) -> Decimal:
    if value < 0:
        raise AmountError(f"{raw!r} is negative: amounts are pounds spent or committed, 0 or more")
    if value >= MAX_POUNDS:
        raise AmountError(f"{raw!r} is too large to be an amount of pounds: check the figure")
    if value != value.quantize(PENNY, rounding=ROUND_HALF_UP):
        raise AmountError(f"{raw!r} has fractions of a penny: give at most two decimal places")
    return value.quantize(PENNY)


def format_money(value: Decimal, *, pence: bool = False) -> str:
    """£1,234,567 (or £1,234,567.89 with pence); negatives as -£1,234."""
    sign = "-" if value < 0 else ""
    magnitude = abs(value)
    if pence:
        return f"{sign}£{magnitude.quantize(PENNY, rounding=ROUND_HALF_UP):,.2f}"
    return f"{sign}£{magnitude.quantize(Decimal(1), rounding=ROUND_HALF_UP):,.0f}"


def format_short(value: Decimal) -> str:
    """£1.2m, £450k, £900: for charts and tight tables."""
    sign = "-" if value < 0 else ""
    magnitude = abs(value)
    if magnitude >= 1_000_000:
        return f"{sign}£{(magnitude / 1_000_000).quantize(Decimal('0.01')).normalize():f}m"
    if magnitude >= 1_000:
        return f"{sign}£{(magnitude / 1_000).quantize(Decimal('0.1')).normalize():f}k"
    return format_money(value)


def format_quantity(value: Decimal) -> str:
    """2,500 or 1.5: an activity figure without trailing zeros."""
    return f"{value.normalize():,f}"
