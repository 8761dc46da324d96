"""Pausing someone's check-in prompts (`away UNTIL`) and resuming them (`back`).

UNTIL is the first day the person wants prompts again, stored as Member.away_until on every
live membership they have: someone on two programmes is away from both. Dates are read day
first, as people in England write them. Platform-neutral: a handler renders `AwayResult`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from dateutil.relativedelta import relativedelta
from sqlmodel import Session

from bot.common.asking import JOIN_TEXT
from bot.common.calendar import bank_holiday, is_working_day, local_date, local_instant, next_working_day
from bot.common.redact import redact
from bot.common.wording import join_words
from bot.people.membership import actor_of, memberships
from models.tables import AuditEvent, Member, Programme
from models.vocabulary import Role

MAX_MONTHS_AHEAD = 6

MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
WEEKDAYS = {
    name: number
    for number, names in enumerate(
        (
            ("mon", "monday"),
            ("tue", "tues", "tuesday"),
            ("wed", "weds", "wednesday"),
            ("thu", "thur", "thurs", "thursday"),
            ("fri", "friday"),
            ("sat", "saturday"),
            ("sun", "sunday"),
        )
    )
    for name in names
}
TOMORROW = frozenset({"tomorrow", "tmrw", "tmw"})
TODAY = frozenset({"today", "now", "tonight"})
LEADING_WORDS = re.compile(r"^(?:until|till|til|to|on|from)\s+")
ORDINAL = r"(?:st|nd|rd|th)?"
YEAR = r"(?:\s+(\d{4}|\d{2}))?"
ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
NUMERIC = re.compile(r"(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{4}|\d{2}))?")
DAY_MONTH = re.compile(rf"(\d{{1,2}}){ORDINAL}\s+(?:of\s+)?([a-z]+){YEAR}")
MONTH_DAY = re.compile(rf"([a-z]+)\s+(\d{{1,2}}){ORDINAL}{YEAR}")
RELATIVE_DAY = re.compile(r"(?:(?:next|this|on)\s+)?([a-z]+)")


class UntilError(ValueError):
    """A date we cannot take, worded for the person who typed it, with what to write instead."""


class Outcome(StrEnum):
    AWAY = "away"
    BACK = "back"
    NOT_AWAY = "not_away"
    BAD_DATE = "bad_date"
    NOT_A_MEMBER = "not_a_member"
    NEVER_PROMPTED = "never_prompted"


@dataclass(frozen=True)
class AwayResult:
    """What to tell the person. `text` is plain (no markup); a handler escapes and styles it.

    `until` is the day prompts start again (a working day); `asked` is the day they gave,
    when it was not one; `previous` is the date they were away until before this.
    """

    outcome: Outcome
    text: str
    until: date | None = None
    asked: date | None = None
    previous: date | None = None
    programmes: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()


# -- reading a date ---------------------------------------------------------------------------


def parse_until(text: str, today: date) -> date:
    """The day someone is back, from what they typed; tomorrow at the earliest, 6 months at most."""
    words = _normalise(text)
    if not words:
        raise UntilError("Say the day you are back, and prompts will start again that day.")
    day = _relative(words, today) or _calendar_date(words, text, today)
    check_until(day, today)
    return day


def check_until(day: date, today: date) -> None:
    if day == today:
        raise UntilError("That is today. Give the first day you want prompts again: tomorrow or later.")
    if day < today:
        raise UntilError(f"{long_label(day)} has passed. Give the first day you want prompts again: tomorrow or later.")
    latest = today + relativedelta(months=MAX_MONTHS_AHEAD)
    if day > latest:
        raise UntilError(
            f"{long_label(day)} is more than {MAX_MONTHS_AHEAD} months away; the latest you can "
            f"give is {long_label(latest)}. If you are leaving the programme, ask your programme admin."
        )


def examples(today: date) -> tuple[str, ...]:
    """Ways to write a date, some of them a real working day about two weeks from today."""
    soon = today + timedelta(days=14)
    soon = soon if is_working_day(soon) else next_working_day(soon)
    return ("tomorrow", "next monday", f"{soon.day}/{soon.month}", f"{soon.day} {soon:%b}", soon.isoformat())


def label(day: date) -> str:
    """'Mon 4 Jan', as the confirmation shows a date."""
    return f"{day:%a} {day.day} {day:%b}"


def long_label(day: date) -> str:
    return f"{label(day)} {day.year}"


def _normalise(text: str) -> str:
    words = " ".join((text or "").lower().replace(",", " ").split()).rstrip(".")
    while LEADING_WORDS.match(words):
        words = LEADING_WORDS.sub("", words, count=1)
    return words


def _relative(words: str, today: date) -> date | None:
    if words in TOMORROW:
        return today + timedelta(days=1)
    if words in TODAY:
        return today
    if words == "next week":
        return _next_weekday(today, 0)
    match = RELATIVE_DAY.fullmatch(words)
    if match and match.group(1) in WEEKDAYS:
        return _next_weekday(today, WEEKDAYS[match.group(1)])
    return None


def _next_weekday(today: date, weekday: int) -> date:
    """The first such weekday after today: on a Friday, "monday" and "next monday" are in 3 days."""
    return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)


def _calendar_date(words: str, typed: str, today: date) -> date:
    first, _, rest = words.partition(" ")
    said_weekday = WEEKDAYS.get(first) if rest else None
    if said_weekday is not None:
        words = rest
    parts = _date_parts(words)
    if parts is None:
        shown = redact(" ".join(typed.split())).text[:40]
        raise UntilError(f'I could not read "{shown}" as a date. Write the day you are back, day first.')
    day = _resolve(*parts, today)
    if said_weekday is not None and day.weekday() != said_weekday:
        raise UntilError(
            f"{day.day} {day:%B} {day.year} is a {day:%A}, not a {_weekday_name(said_weekday)}. "
            "Give the date or the day, not both."
        )
    return day


def _weekday_name(weekday: int) -> str:
    return (date(2024, 1, 1) + timedelta(days=weekday)).strftime("%A")


def _date_parts(words: str) -> tuple[int, int, int | None] | None:
    """(day, month, year or None) from the numeric and named-month forms."""
    if match := ISO.fullmatch(words):
        year, month, day = match.groups()
        return int(day), int(month), int(year)
    if match := NUMERIC.fullmatch(words):
        day, month, year = match.groups()
        return int(day), _month_number(month, day), _year(year)
    for pattern, day_group, month_group in ((DAY_MONTH, 1, 2), (MONTH_DAY, 2, 1)):
        match = pattern.fullmatch(words)
        if match and match.group(month_group) in MONTHS:
            return int(match.group(day_group)), MONTHS[match.group(month_group)], _year(match.group(3))
    return None


def _month_number(month: str, day: str) -> int:
    """The month of a day-first date; one over 12 is most likely a date written month first."""
    number = int(month)
    if 1 <= number <= 12:
        return number
    swapped = (
        f": {month}/{day} is {number} {date(2000, int(day), 1):%B}" if number <= 31 and 1 <= int(day) <= 12 else ""
    )
    raise UntilError(f"There is no month {number}. Dates go day first{swapped}.")


def _year(year: str | None) -> int | None:
    if year is None:
        return None
    return 2000 + int(year) if len(year) == 2 else int(year)


def _resolve(day: int, month: int, year: int | None, today: date) -> date:
    """The date itself; without a year, the next one on or after tomorrow (today's own
    day and month mean today, so the answer is "that is today", not a year from now)."""
    if not 1 <= month <= 12:
        raise UntilError(f"There is no month {month}.")
    if year is None and (day, month) == (today.day, today.month):
        return today
    years = [year] if year is not None else range(today.year, today.year + 5)
    tomorrow = today + timedelta(days=1)
    for candidate in years:
        try:
            found = date(candidate, month, day)
        except ValueError:
            continue
        if year is not None or found >= tomorrow:
            return found
    month_name = date(2000, month, 1).strftime("%B")
    raise UntilError(f"There is no {day} {month_name}{f' {year}' if year else ''}.")


# -- the working day prompts start again -------------------------------------------------------


def resume_day(asked: date) -> tuple[date, str | None]:
    """The first working day on or after `asked`, and why it moved (None when it did not)."""
    if is_working_day(asked):
        return asked, None
    resume = next_working_day(asked)
    skipped = [asked + timedelta(days=n) for n in range((resume - asked).days)]
    reasons = [_not_working(day) for day in skipped if day == asked or (day.weekday() < 5 and bank_holiday(day))]
    return resume, f"{join_words(reasons)}, so prompts start again on {label(resume)}."


def _not_working(day: date) -> str:
    if day.weekday() >= 5:
        return f"{label(day)} is at the weekend"
    return f"{label(day)} is a bank holiday ({bank_holiday(day)})"


# -- recording it ------------------------------------------------------------------------------


def set_away(session: Session, member: Member, until: date, now: datetime) -> AwayResult:
    """Away from every live programme of this chat user until `until` (moved to a working day)."""
    rows = _rows(session, member)
    today = _today(rows, now)
    check_until(until, today)
    resume, why = resume_day(until)
    previous = _away_until(rows, today)
    for each, _ in rows:
        each.away_until = resume
        session.add(each)
        session.add(_audit(each, "member.away", {"until": resume.isoformat(), "asked": until.isoformat()}))
    names = tuple(programme.name for _, programme in rows)
    text = f"You are away from {join_words(list(names))}: no check-in prompts or reminders until you are back. "
    text += why or f"Prompts start again on {label(resume)}."
    if previous is not None and previous != resume:
        text += f" (That replaces {label(previous)}.)"
    return AwayResult(
        Outcome.AWAY, text, until=resume, asked=until if why else None, previous=previous, programmes=names
    )


def set_back(session: Session, member: Member, now: datetime) -> AwayResult:
    """Prompts again from the next one due, on every live programme of this chat user."""
    rows = _rows(session, member)
    today = _today(rows, now)
    previous = _away_until(rows, today)
    names = tuple(programme.name for _, programme in rows)
    if previous is None:
        return AwayResult(
            Outcome.NOT_AWAY,
            "You are not away, so there is nothing to change: your check-in prompts come as usual on working days.",
            programmes=names,
        )
    for each, _ in rows:
        if each.away_until is not None:
            session.add(_audit(each, "member.back", {"was_until": each.away_until.isoformat()}))
            each.away_until = None
            session.add(each)
    text = f"Welcome back. Your next check-in prompt comes on {_next_prompt(rows, now)}."
    return AwayResult(Outcome.BACK, text, previous=previous, programmes=names)


def _rows(session: Session, member: Member) -> list[tuple[Member, Programme]]:
    rows = memberships(session, member.platform, member.platform_user_id)
    if not rows:
        raise ValueError(f"member {member.id} has no live membership")
    return rows


def _today(rows: list[tuple[Member, Programme]], now: datetime) -> date:
    """Today on the calendar of the person's first programme (all are Europe/London in practice)."""
    return local_date(now, rows[0][1].timezone)


def _away_until(rows: list[tuple[Member, Programme]], today: date) -> date | None:
    """The latest date they are away until, if any is still ahead."""
    ahead = [m.away_until for m, _ in rows if m.away_until is not None and m.away_until > today]
    return max(ahead) if ahead else None


def _next_prompt(rows: list[tuple[Member, Programme]], now: datetime) -> str:
    """The earliest next prompt across their programmes, as 'Tue 24 Nov at 09:30'."""
    instants = []
    for _, programme in rows:
        day = local_date(now, programme.timezone)
        if not is_working_day(day) or now >= local_instant(day, programme.checkin_time, programme.timezone):
            day = next_working_day(day)
        instants.append((local_instant(day, programme.checkin_time, programme.timezone), day, programme))
    _, day, programme = min(instants, key=lambda item: item[0])
    return f"{label(day)} at {programme.checkin_time:%H:%M}"


def _audit(member: Member, action: str, detail: dict[str, str]) -> AuditEvent:
    return AuditEvent(
        programme_id=member.programme_id,
        member_id=member.id,
        actor=actor_of(member),
        action=action,
        subject=f"member:{member.id}",
        detail=detail,
    )


# -- what a platform calls ---------------------------------------------------------------------


def request_away(session: Session, platform: str, user_id: str, text: str, now: datetime) -> AwayResult:
    """`away UNTIL` from a chat user: checks who they are, reads the date, records it."""
    rows = _answerer(session, platform, user_id, "pause")
    if isinstance(rows, AwayResult):
        return rows
    today = _today(rows, now)
    try:
        until = parse_until(text, today)
    except UntilError as error:
        return AwayResult(Outcome.BAD_DATE, str(error), examples=examples(today))
    return set_away(session, rows[0][0], until, now)


def request_back(session: Session, platform: str, user_id: str, now: datetime) -> AwayResult:
    rows = _answerer(session, platform, user_id, "resume")
    if isinstance(rows, AwayResult):
        return rows
    return set_back(session, rows[0][0], now)


def _answerer(session: Session, platform: str, user_id: str, verb: str) -> list[tuple[Member, Programme]] | AwayResult:
    """Their memberships, or why there is nothing to do: not on a programme, or only observing."""
    rows = memberships(session, platform, user_id)
    if not rows:
        return AwayResult(Outcome.NOT_A_MEMBER, JOIN_TEXT)
    if all(Role(member.role) is Role.OBSERVER for member, _ in rows):
        names = tuple(programme.name for _, programme in rows)
        text = (
            f"You are an observer on {join_words(list(names))}, and observers are never sent check-in "
            f"prompts, so there is nothing to {verb}."
        )
        return AwayResult(Outcome.NEVER_PROMPTED, text, programmes=names)
    return rows
