"""The programme file's field types: keys, money, quantities, dates, times, zones, user ids
(or `by-email`, an account to be found by the member's email address when the file is loaded)."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from decimal import Decimal
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BeforeValidator, Field, PlainValidator

from bot.common.money import format_money, parse_amount
from models.vocabulary import FundingSource, OrganisationKind, Role, SchemeType, Service, Severity, Unit

SECTIONS = ("programme", "organisations", "members", "schemes", "measures")
MAX_MEASURES = 5  # per service: each is an input in the check-in modal, and Slack allows 100 blocks
MAX_MEASURE_LABEL = 70
MAX_AMOUNT = Decimal("10000000000")
PENNY = Decimal("0.01")

Path = tuple[str | int, ...]


_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_SLACK_USER = re.compile(r"^[UW][A-Z0-9]{2,}$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")
_QUANTITY = re.compile(r"^-?\d+(\.\d+)?$")
_MEASURE_KEY = re.compile(r"^[a-z][a-z0-9_]{0,47}$")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _key(value: str) -> str:
    if not _KEY.match(value):
        raise ValueError(
            f"{value!r} is not a usable key: use lower-case letters, digits and hyphens "
            "(up to 64, no spaces), like 'vale-council'"
        )
    return value


def measure_key(value: str) -> str:
    if not _MEASURE_KEY.match(value):
        raise ValueError(
            f"{value!r} is not a usable measure key: use lower-case letters, digits and underscores, "
            "starting with a letter (up to 48, no spaces), like 'hours_not_delivered'"
        )
    return value


def as_word(value: Any) -> Any:
    """'Home care', 'home-care' and 'HOME_CARE' all mean home_care."""
    if isinstance(value, str):
        return re.sub(r"[\s-]+", "_", value.strip().lower())
    return value


def _is_negative(value: Any) -> bool:
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return value < 0
    return isinstance(value, str) and value.replace("£", "").strip().startswith("-")


def _money(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
        raise ValueError(f'{value!r} is not an amount of money: write pounds, like 450000 or "£450,000"')
    if _is_negative(value):
        raise ValueError(f"{value} is negative: give 0 or more pounds")
    try:
        amount = parse_amount(value)
    except ArithmeticError:
        raise ValueError(f"{value} is too large: amounts must be under {format_money(MAX_AMOUNT)}") from None
    if amount >= MAX_AMOUNT:
        raise ValueError(f"{value} is too large: amounts must be under {format_money(MAX_AMOUNT)}")
    return amount


def parse_money(value: Any) -> Decimal:
    """Pounds as a programme file gives them ("£1,200,000", 1200000.50, "1.2m"), exact to the penny.

    Raises ValueError with a message saying what to write instead.
    """
    return _money(value)


def parse_quantity(value: Any) -> Decimal:
    """A planned quantity (hours, bed-weeks, people...): 0 or more, at most two decimal places."""
    hint = 'write a number, like 18000 or "18,000"'
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
        raise ValueError(f"{value!r} is not a quantity: {hint}")
    text = value.strip().replace(",", "").replace("_", "") if isinstance(value, str) else None
    if text is not None and not _QUANTITY.match(text):
        raise ValueError(f"{value!r} is not a quantity: {hint}")
    number = Decimal(text) if text is not None else Decimal(value)
    if not number.is_finite() or abs(number) >= MAX_AMOUNT:
        raise ValueError(f"{value} is not a usable quantity: {hint}")
    if number < 0:
        raise ValueError(f"{value} is negative: give the activity you plan to deliver, more than 0")
    if number != number.quantize(PENNY):
        raise ValueError(f"{value} has more than two decimal places: round it to two")
    return number.quantize(PENNY)


def _positive_money(value: Decimal) -> Decimal:
    if value <= 0:
        raise ValueError("must be more than £0")
    return value


def _positive_quantity(value: Decimal) -> Decimal:
    if value <= 0:
        raise ValueError("must be more than 0: the activity you plan to deliver by the deadline")
    return value


def _date(value: Any) -> date:
    hint = "write YYYY-MM-DD, like 2027-03-31"
    if isinstance(value, datetime):
        raise ValueError(f"give a date without a time: {hint}")
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _ISO_DATE.match(value.strip()):
        raise ValueError(f"{value!r} is not a date: {hint}")
    try:
        return date.fromisoformat(value.strip())
    except ValueError as error:
        raise ValueError(f"{value!r} is not a date ({error}): {hint}") from None


def _clock(value: Any) -> time:
    hint = 'write HH:MM on the 24-hour clock, like "09:30"'
    if isinstance(value, time):
        return value
    match = _CLOCK.match(value.strip()) if isinstance(value, str) else None
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise ValueError(f"{value!r} is not a time of day: {hint}")
    return time(int(match[1]), int(match[2]))


def _weekly(value: Any) -> tuple[int, time]:
    hint = 'write a day and a time, like "Friday 15:00"'
    if isinstance(value, tuple) and len(value) == 2 and value[0] in range(7):
        return value[0], _clock(value[1])
    words = value.split() if isinstance(value, str) else []
    if len(words) == 3 and words[1].lower() == "at":
        words = [words[0], words[2]]
    if len(words) != 2:
        raise ValueError(f"{value!r} is not a day and time: {hint}")
    day = words[0].lower()
    matches = [n for n, name in enumerate(WEEKDAYS) if len(day) >= 3 and name.startswith(day)]
    if not matches:
        raise ValueError(f"{words[0]!r} is not a day of the week: {hint}")
    return matches[0], _clock(words[1])


def _zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown timezone {value!r}: use an IANA name, like Europe/London") from None
    return value


BY_EMAIL = "by-email"  # `slack: by-email`: their account is the one with the member's `email:`


def as_by_email(value: str) -> str | None:
    """`by-email`, however it is capitalised or spaced ("By email", "by_email"), else None."""
    return BY_EMAIL if re.sub(r"[\s_]+", "-", value.strip().lower()) == BY_EMAIL else None


def _slack_user(value: str) -> str:
    if as_by_email(value):
        return BY_EMAIL
    if not _SLACK_USER.match(value):
        raise ValueError(
            f"{value!r} is not a Slack user id: it looks like U012AB3CD "
            "(in Slack: open the person's profile, then ⋮ More, then Copy member ID), "
            "or write `slack: by-email` beside their `email:` to have winterbot find it"
        )
    return value


def _teams_user(value: str) -> str:
    return as_by_email(value) or _no_spaces(value)


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


def _email(value: str) -> str:
    value = value.strip()
    if len(value) > 200 or not _EMAIL.match(value):
        raise ValueError(f"{value!r} is not an email address: write it as name@example.org")
    return value


def uk_mobile(value: str) -> str:
    """A UK mobile number as +447…, however it was written (07700 900123, +44 7700 900123,
    0044 7700-900-123, (07700) 900123); GOV.UK Notify texts UK mobiles without further setup."""
    digits = re.sub(r"[\s\-().]", "", str(value))
    for prefix in ("+44", "0044", "44"):
        if digits.startswith(prefix):
            digits = "0" + digits[len(prefix) :]
            break
    if not re.fullmatch(r"07\d{9}", digits):
        raise ValueError(
            f"{value!r} is not a UK mobile number: write 11 digits starting 07, such as 07700 900123 "
            "(or +44 7700 900123)"
        )
    return "+44" + digits[1:]


def _no_spaces(value: str) -> str:
    if not value or any(ch.isspace() for ch in value):
        raise ValueError(f"{value!r} must be one word with no spaces (an id, or a #channel-name)")
    return value


def _distinct(values: list[Service]) -> list[Service]:
    repeated = sorted({str(v) for v in values if values.count(v) > 1})
    if repeated:
        raise ValueError(f"{', '.join(repeated)} listed more than once")
    return values


def _confidential(value: Any) -> bool | list[Service]:
    """`true` (the whole organisation), `false`, or a list of its services (`[gp]`)."""
    hint = "write `confidential: true` for the whole organisation, or list its services, like `confidential: [gp]`"
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "yes", "false", "no"):
        return value.strip().lower() in ("true", "yes")
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list):
        raise ValueError(f"{value!r} is not a confidentiality: {hint}")
    services = []
    for item in items:
        try:
            services.append(Service(as_word(item)))
        except ValueError:
            known = ", ".join(s.value for s in Service)
            raise ValueError(f"{item!r} is not a service (the services are: {known}): {hint}") from None
    return _distinct(services)


Key = Annotated[str, AfterValidator(_key)]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Money = Annotated[Decimal, BeforeValidator(_money)]
PositiveMoney = Annotated[Decimal, BeforeValidator(_money), AfterValidator(_positive_money)]
Quantity = Annotated[Decimal, BeforeValidator(parse_quantity), AfterValidator(_positive_quantity)]
Day = Annotated[date, BeforeValidator(_date)]
Clock = Annotated[time, BeforeValidator(_clock)]
Weekly = Annotated[tuple[int, time], BeforeValidator(_weekly)]
Zone = Annotated[str, AfterValidator(_zone)]
Channel = Annotated[str, Field(max_length=100), AfterValidator(_no_spaces)]
SlackUser = Annotated[str, Field(max_length=200), AfterValidator(_slack_user)]
TeamsUser = Annotated[str, Field(max_length=200), AfterValidator(_teams_user)]
EmailAddress = Annotated[str, AfterValidator(_email)]
Mobile = Annotated[str, BeforeValidator(uk_mobile)]
Kind = Annotated[OrganisationKind, BeforeValidator(as_word)]
RoleName = Annotated[Role, BeforeValidator(as_word)]
Source = Annotated[FundingSource, BeforeValidator(as_word)]
SchemeKind = Annotated[SchemeType, BeforeValidator(as_word)]
UnitName = Annotated[Unit, BeforeValidator(as_word)]
ServiceName = Annotated[Service, BeforeValidator(as_word)]
Services = Annotated[list[ServiceName], AfterValidator(_distinct)]
SeverityName = Annotated[Severity, BeforeValidator(as_word)]
Confidential = Annotated[bool | list[Service], PlainValidator(_confidential)]
MeasureKey = Annotated[str, AfterValidator(measure_key)]
