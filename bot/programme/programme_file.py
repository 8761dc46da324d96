"""The programme file: one fund in one area written as YAML, checked before anything is loaded.

`parse_programme_file` returns a `ProgrammeFile` or raises `ProgrammeFileError` listing every
problem at once, each with the line it is on, so an admin fixes the file in one pass.

Each section item is validated on its own, so one bad scheme does not hide the mistakes in the
next; the checks across sections (duplicate keys, references to organisations, dates against
the deadline, budgets against the allocation) then run on every item that passed.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from importlib import resources
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from bot.common.money import format_money, parse_amount
from bot.common.wording import plural
from bot.programme.programme_guard import (
    MAX_FILE_BYTES,
    GuardedComposer,
    Refused,
    hidden_characters,
    too_large,
    unreadable_character,
)
from models.vocabulary import (
    FUNDING_SOURCE_LABELS,
    FundingSource,
    OrganisationKind,
    Platform,
    Role,
    SchemeType,
    Service,
    Severity,
    Unit,
)

SAMPLE_PATH = resources.files("bot.programme") / "sample" / "programme.yaml"
SECTIONS = ("programme", "organisations", "members", "schemes", "measures")
MAX_MEASURES = 5  # per service: each is an input in the check-in modal, and Slack allows 100 blocks
MAX_MEASURE_LABEL = 70
MAX_AMOUNT = Decimal("10000000000")
PENNY = Decimal("0.01")

Path = tuple[str | int, ...]


def sample_text() -> str:
    """The bundled sample programme, comments and all: the starting point for a new area."""
    return SAMPLE_PATH.read_text(encoding="utf-8")


# Problems ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    line: int | None
    location: str
    message: str
    source: str = "<file>"
    column: int | None = None

    def __str__(self) -> str:
        where = self.source if self.line is None else f"{self.source}:{self.line}"
        where += f":{self.column}" if self.line is not None and self.column is not None else ""
        return f"{where}: {self.location}: {self.message}" if self.location else f"{where}: {self.message}"


class ProgrammeFileError(Exception):
    """A programme file that cannot be loaded; `problems` lists everything to fix."""

    def __init__(self, problems: list[Problem], source: str = "<file>") -> None:
        self.problems = list(problems)
        self.source = source
        super().__init__(str(self))

    def __str__(self) -> str:
        count = len(self.problems)
        head = f"{plural(count, 'problem')} in {self.source}:"
        return "\n".join([head, *(f"  {problem}" for problem in self.problems)])


@dataclass(frozen=True)
class _Issue:
    path: Path
    message: str
    line: int | None = None


def format_location(path: Path) -> str:
    """('schemes', 3, 'owner') -> 'schemes[3].owner' (indices count from 0)."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _line_for(path: Path, lines: Mapping[Path, int]) -> int | None:
    """The line of the path, or of its nearest written ancestor (a missing field has no line)."""
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return lines.get(())


def _to_problems(issues: list[_Issue], lines: Mapping[Path, int], source: str) -> list[Problem]:
    problems = [
        Problem(
            line=issue.line if issue.line is not None else _line_for(issue.path, lines),
            location=format_location(issue.path),
            message=issue.message,
            source=source,
        )
        for issue in issues
    ]
    unique = list(dict.fromkeys(problems))
    return sorted(unique, key=lambda p: (p.line is None, p.line or 0))


# Reading YAML -----------------------------------------------------------------------------


class _YamlReader(GuardedComposer, yaml.SafeLoader):
    """A SafeLoader that keeps numbers exact and reads 14:00 as a time, not 840, and refuses
    what would exhaust time or memory (bot.programme.programme_guard).

    PyYAML follows YAML 1.1: 1200000.50 becomes a float and 14:00 a base-60 integer.
    Here a decimal number becomes a Decimal made from the text as written, and anything
    with a colon stays text, for the time parser to read.
    """


def _exact_number(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    text = str(node.value)
    if ":" in text:
        return text
    try:
        value = Decimal(text.replace("_", ""))
    except InvalidOperation:
        return text
    return value if value.is_finite() else text


def _integer_or_text(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    if ":" in str(node.value):
        return str(node.value)
    return loader.construct_yaml_int(node)


def _date_or_text(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    """2027-02-30 looks like a date to YAML; keep it as text so the message can say why not."""
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:
        return str(node.value)


_YamlReader.add_constructor("tag:yaml.org,2002:float", _exact_number)
_YamlReader.add_constructor("tag:yaml.org,2002:int", _integer_or_text)
_YamlReader.add_constructor("tag:yaml.org,2002:timestamp", _date_or_text)

_MERGE = "tag:yaml.org,2002:merge"


def _walk(node: yaml.Node, path: Path, lines: dict[Path, int], issues: list[_Issue], stack: frozenset[int]) -> None:
    """Record the line of every path, and every mapping key given twice (PyYAML keeps the last)."""
    lines.setdefault(path, node.start_mark.line + 1)
    if id(node) in stack:
        return
    stack = stack | {id(node)}
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE or not isinstance(key_node, yaml.ScalarNode):
                continue
            key, line = key_node.value, key_node.start_mark.line + 1
            if key in seen:
                issues.append(
                    _Issue((*path, key), f"`{key}` is given twice (first on line {seen[key]}): keep one", line)
                )
            else:
                seen[key] = line
            lines[(*path, key)] = line
            _walk(value_node, (*path, key), lines, issues, stack)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), lines, issues, stack)


def _read_yaml(text: str) -> tuple[Any, dict[Path, int], list[_Issue]]:
    reader = _YamlReader(text)
    try:
        node = reader.get_single_node()
        lines: dict[Path, int] = {}
        issues: list[_Issue] = []
        if node is None:
            return None, lines, issues
        _walk(node, (), lines, issues, frozenset())
        return reader.construct_document(node), lines, issues
    finally:
        reader.dispose()


def _yaml_problem(error: yaml.YAMLError, source: str) -> Problem:
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error)
    context = getattr(error, "context", None) or ""
    started = getattr(error, "context_mark", None)
    if context and started and mark and started.line != mark.line:
        context += f" (started on line {started.line + 1})"
    message = f"this is not valid YAML: {context + ', ' if context else ''}{problem}"
    if "\t" in message or "'\\t'" in message:
        message += " (indent with spaces, not tabs)"
    else:
        message += " (check the indentation, and quote text that contains ': ', '#' or starts with a symbol)"
    return Problem(line=mark.line + 1 if mark else None, location="", message=message, source=source)


# Field types ------------------------------------------------------------------------------

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


def _measure_key(value: str) -> str:
    if not _MEASURE_KEY.match(value):
        raise ValueError(
            f"{value!r} is not a usable measure key: use lower-case letters, digits and underscores, "
            "starting with a letter (up to 48, no spaces), like 'hours_not_delivered'"
        )
    return value


def _word(value: Any) -> Any:
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


def _slack_user(value: str) -> str:
    if not _SLACK_USER.match(value):
        raise ValueError(
            f"{value!r} is not a Slack user id: it looks like U012AB3CD "
            "(in Slack: open the person's profile, then ⋮ More, then Copy member ID)"
        )
    return value


def _no_spaces(value: str) -> str:
    if not value or any(ch.isspace() for ch in value):
        raise ValueError(f"{value!r} must be one word with no spaces (an id, or a #channel-name)")
    return value


def _distinct(values: list[Service]) -> list[Service]:
    repeated = sorted({str(v) for v in values if values.count(v) > 1})
    if repeated:
        raise ValueError(f"{', '.join(repeated)} listed more than once")
    return values


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
TeamsUser = Annotated[str, Field(max_length=200), AfterValidator(_no_spaces)]
Kind = Annotated[OrganisationKind, BeforeValidator(_word)]
RoleName = Annotated[Role, BeforeValidator(_word)]
Source = Annotated[FundingSource, BeforeValidator(_word)]
SchemeKind = Annotated[SchemeType, BeforeValidator(_word)]
UnitName = Annotated[Unit, BeforeValidator(_word)]
ServiceName = Annotated[Service, BeforeValidator(_word)]
Services = Annotated[list[ServiceName], AfterValidator(_distinct)]
SeverityName = Annotated[Severity, BeforeValidator(_word)]
MeasureKey = Annotated[str, AfterValidator(_measure_key)]


# The file's shape -------------------------------------------------------------------------


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, coerce_numbers_to_str=True)


class Cadence(_Spec):
    """Local times in the programme's timezone, on working days."""

    checkin: Clock = time(9, 30)
    reminder: Clock = time(14, 0)
    brief: Clock = time(8, 30)
    digest: Weekly = (4, time(15, 0))

    @field_validator("reminder")
    @classmethod
    def _after_checkin(cls, reminder: time, info: ValidationInfo) -> time:
        checkin = info.data.get("checkin")
        if checkin is not None and reminder <= checkin:
            raise ValueError(f"the reminder ({reminder:%H:%M}) must come after the check-in prompt ({checkin:%H:%M})")
        return reminder


class Thresholds(_Spec):
    """Where the rules raise a risk; stored in Programme.settings["thresholds"]."""

    underspend_risk_percent: int = Field(90, ge=1, le=100)
    silent_after_working_days: int = Field(3, ge=1, le=30)
    capacity_alert_level: int = Field(3, ge=1, le=4)
    admin_cap_percent: int = Field(2, ge=0, le=100)
    worsening_over_working_days: int = Field(3, ge=1, le=20)
    discharges_rising_over_working_days: int = Field(3, ge=1, le=20)
    escalate_from: SeverityName = Severity.HIGH  # the lowest severity told to the leads at once


class ProgrammeSettings(_Spec):
    """The `programme` section without its tranches."""

    slug: Key
    name: Name
    timezone: Zone = "Europe/London"
    deadline: Day
    channel: Channel | None = None
    leads_channel: Channel | None = None
    teams_channel: Channel | None = None
    teams_leads_channel: Channel | None = None
    cadence: Cadence = Field(default_factory=Cadence)
    thresholds: Thresholds = Field(default_factory=Thresholds)

    @model_validator(mode="after")
    def _somewhere_to_post(self) -> ProgrammeSettings:
        if not self.channel and not self.teams_channel:
            raise ValueError(
                "give `channel:` (a Slack channel) or `teams_channel:` (a Teams channel id), or both: "
                "the weekly digest goes there"
            )
        return self


class TrancheSpec(_Spec):
    key: Key
    name: Name
    amount: PositiveMoney
    source: Source
    announced: Day
    available: Day

    @field_validator("available")
    @classmethod
    def _after_announced(cls, available: date, info: ValidationInfo) -> date:
        announced = info.data.get("announced")
        if announced is not None and available < announced:
            raise ValueError(f"available {available} is before it is announced ({announced})")
        return available


class ProgrammeSpec(ProgrammeSettings):
    tranches: list[TrancheSpec] = Field(min_length=1)


DEFAULT_SERVICES: dict[OrganisationKind, tuple[Service, ...]] = {
    OrganisationKind.LOCAL_AUTHORITY: (Service.REABLEMENT,),
    OrganisationKind.ACUTE_TRUST: (Service.ACUTE_DISCHARGE,),
    OrganisationKind.VCS: (Service.VCS,),
    OrganisationKind.HOME_CARE: (Service.HOME_CARE,),
    OrganisationKind.GP: (Service.GP,),
    OrganisationKind.COMMUNITY_NURSING: (Service.COMMUNITY_NURSING,),
    OrganisationKind.HOUSING: (Service.HOUSING,),
    OrganisationKind.CARE_HOME: (Service.CARE_HOME,),
    OrganisationKind.HOSPICE: (Service.HOSPICE,),
}


class OrganisationSpec(_Spec):
    key: Key
    name: Name
    kind: Kind
    services: Services | None = Field(None, description="omitted: the usual services of the kind")

    @model_validator(mode="after")
    def _default_services(self) -> OrganisationSpec:
        if self.services is None:
            self.services = list(DEFAULT_SERVICES.get(self.kind, ()))
        return self


class MemberSpec(_Spec):
    slack: SlackUser | None = None
    teams: TeamsUser | None = None
    name: Name
    organisation: Key
    role: RoleName
    timezone: Zone | None = None

    @model_validator(mode="after")
    def _one_platform(self) -> MemberSpec:
        problem = _platform_problem(self.model_dump())
        if problem:
            raise ValueError(problem)
        return self

    @property
    def platform(self) -> Platform:
        return Platform.SLACK if self.slack is not None else Platform.TEAMS

    @property
    def user_id(self) -> str:
        return self.slack if self.slack is not None else str(self.teams)


class SchemeSpec(_Spec):
    key: Key
    name: Name
    owner: Key
    type: SchemeKind
    source: Source
    budget: Money
    unit: UnitName
    planned: Quantity


class MeasureSpec(_Spec):
    """An optional number a service gives at check-in beside its level: blank means not reported."""

    key: MeasureKey
    label: Annotated[str, Field(min_length=1, max_length=MAX_MEASURE_LABEL)]
    unit: Annotated[str, Field(min_length=1, max_length=24)] | None = None


class ProgrammeFile(_Spec):
    programme: ProgrammeSpec
    organisations: list[OrganisationSpec] = Field(min_length=1)
    members: list[MemberSpec] = Field(default_factory=list)
    schemes: list[SchemeSpec] = Field(default_factory=list)
    measures: dict[ServiceName, list[MeasureSpec]] = Field(default_factory=dict)

    _source: str = PrivateAttr("<file>")
    _lines: dict[Path, int] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self) -> ProgrammeFile:
        """Also guards a ProgrammeFile built in code rather than parsed from a file."""
        parts = _Parts(
            settings=self.programme,
            tranches=list(enumerate(self.programme.tranches)),
            schemes=list(enumerate(self.schemes)),
        )
        for section, items in (
            (("programme", "tranches"), self.programme.tranches),
            (("organisations",), self.organisations),
            (("members",), self.members),
            (("schemes",), self.schemes),
        ):
            parts.written[section] = [(i, item.model_dump(exclude_none=True)) for i, item in enumerate(items)]
        for service, measures in self.measures.items():
            parts.written[("measures", service.value)] = [(i, m.model_dump()) for i, m in enumerate(measures)]
        issues = _cross_check(parts, {})
        if issues:
            raise ProgrammeFileError(_to_problems(issues, {}, "<ProgrammeFile>"), "<ProgrammeFile>")
        return self

    @property
    def source(self) -> str:
        return self._source

    @property
    def allocation(self) -> Decimal:
        return sum((t.amount for t in self.programme.tranches), Decimal("0"))

    @property
    def budgeted(self) -> Decimal:
        return sum((s.budget for s in self.schemes), Decimal("0"))

    def warnings(self) -> list[Problem]:
        """Things that load but are probably not what the admin meant."""
        return _to_problems(_advisories(self), self._lines, self._source)


# Checks across sections -------------------------------------------------------------------


@dataclass
class _Parts:
    """What the checks across sections look at: the items that passed validation (with their
    index in the file), every item as written, and the sections where some item failed."""

    settings: ProgrammeSettings | None = None
    tranches: list[tuple[int, TrancheSpec]] = field(default_factory=list)
    schemes: list[tuple[int, SchemeSpec]] = field(default_factory=list)
    written: dict[Path, list[tuple[int, Mapping[str, Any]]]] = field(default_factory=dict)
    incomplete: set[Path] = field(default_factory=set)
    measure_counts: dict[Path, int] = field(default_factory=dict)  # items as written, mappings or not

    def written_values(self, section: Path, name: str) -> list[tuple[Path, str]]:
        """Every item's `name` as written, valid or not, so one mistake cannot hide another."""
        values = []
        for index, item in self.written.get(section, []):
            value = item.get(name)
            if isinstance(value, (str, int)) and not isinstance(value, bool):
                values.append(((*section, index, name), str(value).strip()))
        return values


def _where(path: Path, lines: Mapping[Path, int]) -> str:
    return f"line {lines[path]}" if path in lines else format_location(path)


def _duplicates(items: list[tuple[Path, str]], what: str, lines: Mapping[Path, int]) -> list[_Issue]:
    first: dict[str, Path] = {}
    issues = []
    for path, ident in items:
        if ident in first:
            issues.append(_Issue(path, f"{what} {ident!r} is given twice (first at {_where(first[ident], lines)})"))
        else:
            first[ident] = path
    return issues


def _unique(parts: _Parts, lines: Mapping[Path, int]) -> list[_Issue]:
    return [
        *_duplicates(parts.written_values(("programme", "tranches"), "key"), "tranche key", lines),
        *_duplicates(parts.written_values(("organisations",), "key"), "organisation key", lines),
        *_duplicates(parts.written_values(("members",), "slack"), "Slack user", lines),
        *_duplicates(parts.written_values(("members",), "teams"), "Teams user", lines),
        *_duplicates(parts.written_values(("schemes",), "key"), "scheme key", lines),
    ]


def _platform_problem(member: Mapping[str, Any]) -> str | None:
    given = [name for name in ("slack", "teams") if member.get(name) is not None]
    if len(given) == 1:
        return None
    return f"give exactly one of `slack: <user id>` or `teams: <user id>` ({'both' if given else 'neither'} given)"


def _platforms(parts: _Parts) -> list[_Issue]:
    """Checked on the items as written, so a bad role does not hide a missing user id."""
    return [
        _Issue(("members", index), problem)
        for index, item in parts.written.get(("members",), [])
        if (problem := _platform_problem(item))
    ]


def _unknown_organisation(key: str, known: set[str]) -> str:
    close = difflib.get_close_matches(key, sorted(known), n=1)
    hint = f"did you mean {close[0]!r}?" if close else f"the keys are: {', '.join(sorted(known)) or 'none'}"
    return f"no organisation has the key {key!r} in `organisations`: {hint}"


def _references(parts: _Parts) -> list[_Issue]:
    known = {key for _, key in parts.written_values(("organisations",), "key")}
    references = [
        *parts.written_values(("members",), "organisation"),
        *parts.written_values(("schemes",), "owner"),
    ]
    return [_Issue(path, _unknown_organisation(key, known)) for path, key in references if key not in known]


def _tranche_dates(parts: _Parts) -> list[_Issue]:
    if parts.settings is None:
        return []
    deadline = parts.settings.deadline
    return [
        _Issue(
            ("programme", "tranches", i, "available"),
            f"available {t.available} is after the spend deadline {deadline}: the money could not be spent",
        )
        for i, t in parts.tranches
        if t.available > deadline
    ]


def _sum_by_source(pairs: list[tuple[FundingSource, Decimal]]) -> dict[FundingSource, Decimal]:
    totals: dict[FundingSource, Decimal] = {}
    for source, amount in pairs:
        totals[source] = totals.get(source, Decimal("0")) + amount
    return totals


def _funding(parts: _Parts) -> list[_Issue]:
    """Budgets per funding source may not exceed that source's tranches: an error, not a warning,
    because a plan that spends money the area has not got makes every forecast wrong.

    Needs every tranche; the schemes that passed are enough to show an overspend."""
    if ("programme", "tranches") in parts.incomplete or not parts.tranches:
        return []
    allocated = _sum_by_source([(t.source, t.amount) for _, t in parts.tranches])
    issues = [
        _Issue(
            ("schemes", i, "source"),
            f"no tranche is funded by {s.source.value}: add that tranche to `programme.tranches`, "
            f"or fund the scheme from {', '.join(src.value for src in allocated)}",
        )
        for i, s in parts.schemes
        if s.source not in allocated
    ]
    budgeted = _sum_by_source([(s.source, s.budget) for _, s in parts.schemes])
    for source, total in budgeted.items():
        available = allocated.get(source)
        if available is not None and total > available:
            label = FUNDING_SOURCE_LABELS[source]
            issues.append(
                _Issue(
                    ("schemes",),
                    f"schemes funded by {source.value} add up to {format_money(total, pence=True)}, more than "
                    f"the {format_money(available, pence=True)} of {label} tranches "
                    f"({format_money(total - available, pence=True)} over): reduce budgets or add a tranche",
                )
            )
    return issues


def _too_many_measures(path: Path, count: int) -> list[_Issue]:
    if count <= MAX_MEASURES:
        return []
    return [
        _Issue(path, f"{count} measures: give at most {MAX_MEASURES} a service (each is a box on the check-in form)")
    ]


def _measure_lists(parts: _Parts, lines: Mapping[Path, int]) -> list[_Issue]:
    """Keys unique within a service, and few enough to fit the check-in form."""
    issues = []
    for section, items in parts.written.items():
        if section[0] != "measures":
            continue
        issues += _duplicates(parts.written_values(section, "key"), "measure key", lines)
        issues += _too_many_measures(section, parts.measure_counts.get(section, len(items)))
    return issues


def _cross_check(parts: _Parts, lines: Mapping[Path, int]) -> list[_Issue]:
    return [
        *_unique(parts, lines),
        *_measure_lists(parts, lines),
        *_references(parts),
        *_platforms(parts),
        *_tranche_dates(parts),
        *_funding(parts),
    ]


def _advisories(spec: ProgrammeFile) -> list[_Issue]:
    issues = []
    cap = Decimal(spec.programme.thresholds.admin_cap_percent)
    admin = sum((s.budget for s in spec.schemes if s.type is SchemeType.ADMINISTRATION), Decimal("0"))
    if spec.allocation and admin * 100 > spec.allocation * cap:
        issues.append(
            _Issue(
                ("schemes",),
                f"administration schemes take {format_money(admin)}, more than {cap}% of the "
                f"{format_money(spec.allocation)} allocation (check the fund's conditions)",
            )
        )
    if spec.members and not any(m.role in (Role.ADMIN, Role.LEAD) for m in spec.members):
        issues.append(_Issue(("members",), "no member is a lead or admin: nobody will get the daily brief"))
    reported = {service for o in spec.organisations for service in o.services or []}
    issues += [
        _Issue(
            ("measures", service.value), f"no organisation reports {service.value}, so nobody is asked these measures"
        )
        for service in spec.measures
        if service not in reported
    ]
    staffed = {m.organisation for m in spec.members}
    issues += [
        _Issue(("schemes", i, "owner"), f"nobody at {s.owner!r} is in `members`, so nobody can report this scheme")
        for i, s in enumerate(spec.schemes)
        if spec.members and s.owner not in staffed
    ]
    return issues


# Pydantic's errors as an admin would want them --------------------------------------------

_ENUMS: dict[str, tuple[str, type[StrEnum]]] = {
    "kind": ("organisation kind", OrganisationKind),
    "role": ("role", Role),
    "source": ("funding source", FundingSource),
    "type": ("scheme type", SchemeType),
    "unit": ("unit", Unit),
    "services": ("service", Service),
    "escalate_from": ("severity", Severity),
}


def _model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel]:
    for part in loc:
        info = model.model_fields.get(part) if isinstance(part, str) else None
        nested = info.annotation if info else None
        if isinstance(nested, type) and issubclass(nested, BaseModel):
            model = nested
    return model


def _shown(value: Any) -> str:
    return repr(value) if isinstance(value, (str, int, Decimal)) else type(value).__name__


def _explain(error: Mapping[str, Any], model: type[BaseModel]) -> str:
    kind, loc, value = error["type"], tuple(error["loc"]), error.get("input")
    name = next((str(p) for p in reversed(loc) if isinstance(p, str)), "")
    if kind == "missing":
        return f"`{name}` is missing"
    if kind == "extra_forbidden":
        allowed = list(_model_at(model, loc[:-1]).model_fields)
        close = difflib.get_close_matches(name, allowed, n=1)
        guess = f": did you mean `{close[0]}`?" if close else ""
        return f"unknown field `{name}`{guess} (the fields here are: {', '.join(allowed)})"
    if kind == "enum" and name in _ENUMS:
        noun, enum = _ENUMS[name]
        values = [member.value for member in enum]
        close = difflib.get_close_matches(str(value), values, n=1)
        guess = f" (did you mean {close[0]}?)" if close else ""
        return f"unknown {noun} {value!r}{guess}: use one of {', '.join(values)}"
    if kind == "value_error":
        return str(error["ctx"]["error"])
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"should be a mapping of `field: value` lines, not {_shown(value)}"
    if kind == "list_type":
        return f"should be a list, one item per line starting with '- ', not {_shown(value)}"
    if kind == "too_short":
        return "needs at least one item"
    if kind == "string_too_long" and isinstance(value, str):
        return f"is too long: keep it to {error['ctx']['max_length']} characters (it has {len(value)})"
    if kind == "string_too_short":
        return "is empty: write something here"
    if kind == "string_type":
        return f"should be text, not {_shown(value)}"
    if kind.startswith("int_"):
        return f"should be a whole number, not {_shown(value)}"
    message = str(error["msg"])
    return message[:1].lower() + message[1:] + (f" (got {_shown(value)})" if value is not None else "")


def _validation_issues(error: ValidationError, model: type[BaseModel], prefix: Path) -> list[_Issue]:
    issues = []
    for e in error.errors(include_url=False):
        loc = tuple(p for p in e["loc"] if isinstance(p, (str, int)))
        if e["type"] == "invalid_key":
            # A stray non-text key is most often a number split at its commas in a { ... } item.
            issues.append(_Issue(prefix + loc[:-1], _STRAY_KEY))
        else:
            issues.append(_Issue(prefix + loc, _explain(e, model)))
    return issues


_STRAY_KEY = (
    "a number stands where a field name should be: in a one-line { ... } item a comma separates "
    'fields, so quote values that contain commas, like amount: "£1,234,567"'
)


# Section by section -----------------------------------------------------------------------


def _validate(model: type[_Spec], raw: Any, path: Path, issues: list[_Issue]) -> Any:
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        issues += _validation_issues(error, model, path)
        return None
    except ProgrammeFileError as error:
        issues += [_Issue(path, problem.message) for problem in error.problems]
        return None


def _items(
    parent: Mapping[str, Any],
    path: Path,
    model: type[_Spec],
    issues: list[_Issue],
    parts: _Parts,
    *,
    required: bool = False,
) -> list[tuple[int, Any]]:
    """Validate each item of a list section on its own, so every bad item is reported."""
    name = str(path[-1])
    raw = parent.get(name)
    if raw is None or raw == []:
        if required:
            issues.append(_Issue(path, f"`{name}` needs at least one item"))
        return []
    if not isinstance(raw, list):
        issues.append(_Issue(path, f"should be a list, one item per line starting with '- ', not {_shown(raw)}"))
        parts.incomplete.add(path)
        return []
    valid = []
    parts.written[path] = [(index, item) for index, item in enumerate(raw) if isinstance(item, dict)]
    for index, item in enumerate(raw):
        spec = _validate(model, item, (*path, index), issues)
        if spec is None:
            parts.incomplete.add(path)
        else:
            valid.append((index, spec))
    return valid


def _programme(raw: Any, issues: list[_Issue], parts: _Parts) -> None:
    path: Path = ("programme",)
    if not isinstance(raw, dict):
        issues.append(_Issue(path, "`programme` is missing or empty: give slug, name, deadline, channel and tranches"))
        parts.incomplete.add((*path, "tranches"))
        return
    settings = {k: v for k, v in raw.items() if k != "tranches"}
    parts.settings = _validate(ProgrammeSettings, settings, path, issues)
    parts.tranches = _items(raw, (*path, "tranches"), TrancheSpec, issues, parts, required=True)


def _service_problem(name: Any, seen: Mapping[Service, str]) -> str | None:
    values = [service.value for service in Service]
    try:
        service = Service(_word(name))
    except ValueError:
        close = difflib.get_close_matches(str(_word(name)), values, n=1)
        guess = f" (did you mean {close[0]}?)" if close else ""
        return f"unknown service {name!r}{guess}: use one of {', '.join(values)}"
    if service in seen:
        return f"{name!r} is the same service as {seen[service]!r}: list its measures once"
    return None


def _measure_items(raw: Any, path: Path, issues: list[_Issue], parts: _Parts) -> None:
    if raw is None or raw == []:
        issues.append(_Issue(path, "give at least one measure (key, label and unit), or leave the service out"))
        return
    if not isinstance(raw, list):
        issues.append(_Issue(path, f"should be a list, one measure per line starting with '- ', not {_shown(raw)}"))
        return
    parts.written[path] = [(index, item) for index, item in enumerate(raw) if isinstance(item, dict)]
    parts.measure_counts[path] = len(raw)
    for index, item in enumerate(raw):
        _validate(MeasureSpec, item, (*path, index), issues)


def _measures(raw: Any, issues: list[_Issue], parts: _Parts) -> None:
    """`measures:` maps a service to its list of measures; each is checked on its own."""
    path: Path = ("measures",)
    if raw is None:
        return
    if not isinstance(raw, dict):
        shape = "a mapping of `service:` lines, each with a list of measures"
        issues.append(_Issue(path, f"should be {shape}, not {_shown(raw)}"))
        return
    seen: dict[Service, str] = {}
    for name, items in raw.items():
        where = (*path, str(name))
        problem = _service_problem(name, seen)
        if problem:
            issues.append(_Issue(where, problem))
        else:
            seen[Service(_word(name))] = str(name)
        _measure_items(items, where, issues, parts)


def _sections(data: dict[Any, Any], issues: list[_Issue]) -> None:
    for key in data:
        if key not in SECTIONS:
            close = difflib.get_close_matches(str(key), SECTIONS, n=1)
            guess = f": did you mean `{close[0]}`?" if close else ""
            known = ", ".join(SECTIONS)
            issues.append(_Issue((str(key),), f"unknown section `{key}`{guess} (the sections are: {known})"))


def _check(data: Any) -> tuple[list[_Issue], _Parts]:
    issues: list[_Issue] = []
    parts = _Parts()
    if data is None:
        return [_Issue((), "the file is empty: start from the sample (`winterbot init FILE.yaml`)")], parts
    if not isinstance(data, dict):
        return [_Issue((), f"the file should have the sections {', '.join(SECTIONS)}, not {_shown(data)}")], parts
    _sections(data, issues)
    _programme(data.get("programme"), issues, parts)
    _items(data, ("organisations",), OrganisationSpec, issues, parts, required=True)
    _items(data, ("members",), MemberSpec, issues, parts)
    parts.schemes = _items(data, ("schemes",), SchemeSpec, issues, parts)
    _measures(data.get("measures"), issues, parts)
    return issues, parts


def _refusal(refused: Refused, source: str) -> Problem:
    return Problem(refused.line, "", refused.message, source, refused.column)


def parse_programme_file(text: str, source: str = "<file>") -> ProgrammeFile:
    """Read and check a programme file; raise ProgrammeFileError listing every problem in it."""
    if len(text) > MAX_FILE_BYTES:
        raise ProgrammeFileError([_refusal(too_large(), source)], source)
    hidden = hidden_characters(text)
    if hidden:
        raise ProgrammeFileError([_refusal(refused, source) for refused in hidden], source)
    try:
        data, lines, issues = _read_yaml(text)
    except yaml.reader.ReaderError as error:
        raise ProgrammeFileError([_refusal(unreadable_character(text, error.position), source)], source) from None
    except yaml.YAMLError as error:
        raise ProgrammeFileError([_yaml_problem(error, source)], source) from None
    except Refused as refused:
        raise ProgrammeFileError([_refusal(refused, source)], source) from None
    found, parts = _check(data)
    issues += found
    if isinstance(data, dict):
        flagged = {issue.path for issue in issues}
        issues += [issue for issue in _cross_check(parts, lines) if issue.path not in flagged]
    if issues:
        raise ProgrammeFileError(_to_problems(issues, lines, source), source)
    complete = {
        **data,
        "members": data.get("members") or [],
        "schemes": data.get("schemes") or [],
        "measures": data.get("measures") or {},
    }
    spec = _validate(ProgrammeFile, complete, (), issues)
    if spec is None:
        raise ProgrammeFileError(_to_problems(issues, lines, source), source)
    spec._source, spec._lines = source, lines
    return spec
