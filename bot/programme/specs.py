"""The programme file's shape: each section's items as pydantic models, checked one by one."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from bot.programme.cross_checks import Parts, advisories, cross_check, platform_problem
from bot.programme.fields import (
    BY_EMAIL,
    MAX_MEASURE_LABEL,
    Channel,
    Clock,
    Confidential,
    Day,
    EmailAddress,
    Key,
    Kind,
    MeasureKey,
    Mobile,
    Money,
    Name,
    Path,
    PositiveMoney,
    Quantity,
    RoleName,
    SchemeKind,
    ServiceName,
    Services,
    SeverityName,
    SlackUser,
    Source,
    TeamsUser,
    UnitName,
    Weekly,
    Zone,
)
from bot.programme.problems import Problem, ProgrammeFileError, to_problems
from bot.programme.return_spec import ReturnSpec
from models.vocabulary import (
    OrganisationKind,
    Platform,
    Service,
    Severity,
)


class Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, coerce_numbers_to_str=True)


class Cadence(Spec):
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


class Thresholds(Spec):
    """Where the rules raise a risk; stored in Programme.settings["thresholds"]."""

    underspend_risk_percent: int = Field(90, ge=1, le=100)
    underspend_after_working_days: int = Field(3, ge=1, le=20)
    silent_after_working_days: int = Field(3, ge=1, le=30)
    capacity_alert_level: int = Field(3, ge=1, le=4)
    admin_cap_percent: int = Field(2, ge=0, le=100)
    worsening_over_working_days: int = Field(3, ge=1, le=20)
    discharges_rising_over_working_days: int = Field(3, ge=1, le=20)
    blocker_unanswered_working_days: int = Field(3, ge=1, le=20)
    escalate_from: SeverityName = Severity.HIGH  # the lowest severity told to the leads at once


class ProgrammeSettings(Spec):
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
    fortnightly_return: ReturnSpec | None = None  # stored in Programme.settings["fortnightly_return"]

    @model_validator(mode="after")
    def _somewhere_to_post(self) -> ProgrammeSettings:
        if not self.channel and not self.teams_channel:
            raise ValueError(
                "give `channel:` (a Slack channel) or `teams_channel:` (a Teams channel id), or both: "
                "the weekly digest goes there"
            )
        return self


class TrancheSpec(Spec):
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


class OrganisationSpec(Spec):
    key: Key
    name: Name
    kind: Kind
    services: Services | None = Field(None, description="omitted: the usual services of the kind")
    confidential: Confidential = Field(False, description="true, or the services whose levels only the leads see")

    @model_validator(mode="after")
    def _default_services(self) -> OrganisationSpec:
        if self.services is None:
            self.services = list(DEFAULT_SERVICES.get(self.kind, ()))
        return self

    @model_validator(mode="after")
    def _confidential_services_run(self) -> OrganisationSpec:
        """A confidential service must be one the organisation reports on, or it hides nothing."""
        if isinstance(self.confidential, list):
            runs = self.services or []
            strays = [s.value for s in self.confidential if s not in runs]
            if strays:
                raise ValueError(
                    f"confidential lists {', '.join(strays)}, which {self.key!r} does not run "
                    f"(its services are: {', '.join(s.value for s in runs) or 'none'}): list only its services, "
                    "or write `confidential: true` for the whole organisation"
                )
        return self

    @property
    def confidential_setting(self) -> str | list[str] | None:
        """As Programme.settings["confidential"] keeps it (bot.people.confidential): "all", the
        services, or None when nothing of it is confidential."""
        if self.confidential is True:
            return "all"
        if isinstance(self.confidential, list) and self.confidential:
            return [service.value for service in self.confidential]
        return None


class UnresolvedMember(RuntimeError):
    """A member's account is still `by-email`: bot.programme.people_lookup.resolve finds it first."""


class MemberSpec(Spec):
    """Reached on the first of Slack, Teams, email and text message that is given; an email
    address or mobile number beside a chat account is kept as their contact.

    `slack: by-email` (or `teams: by-email`) asks for the account with their `email:` to be found
    when the file is loaded (bot.programme.people_lookup): parsing touches no network."""

    slack: SlackUser | None = None
    teams: TeamsUser | None = None
    email: EmailAddress | None = None
    mobile: Mobile | None = None
    name: Name
    organisation: Key
    role: RoleName
    timezone: Zone | None = None

    @model_validator(mode="after")
    def _one_platform(self) -> MemberSpec:
        problem = platform_problem(self.model_dump())
        if problem:
            raise ValueError(problem)
        return self

    @property
    def looked_up(self) -> Platform | None:
        """The platform whose account is to be found by the member's email address, if any."""
        if self.slack == BY_EMAIL:
            return Platform.SLACK
        if self.teams == BY_EMAIL:
            return Platform.TEAMS
        return None

    @property
    def platform(self) -> Platform:
        return self._reached_on()[0]

    @property
    def user_id(self) -> str:
        return self._reached_on()[1]

    def _reached_on(self) -> tuple[Platform, str]:
        ways = (
            (Platform.SLACK, self.slack),
            (Platform.TEAMS, self.teams),
            (Platform.EMAIL, self.email),
            (Platform.SMS, self.mobile),
        )
        platform, address = next((platform, address) for platform, address in ways if address is not None)
        if address == BY_EMAIL:
            raise UnresolvedMember(f"{self.name}'s {platform.value} account is still to be found by email")
        return platform, address


class SchemeSpec(Spec):
    key: Key
    name: Name
    owner: Key
    type: SchemeKind
    source: Source
    budget: Money
    unit: UnitName
    planned: Quantity


class MeasureSpec(Spec):
    """An optional number a service gives at check-in beside its level: blank means not reported."""

    key: MeasureKey
    label: Annotated[str, Field(min_length=1, max_length=MAX_MEASURE_LABEL)]
    unit: Annotated[str, Field(min_length=1, max_length=24)] | None = None


class ProgrammeFile(Spec):
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
        parts = Parts(
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
        issues = cross_check(parts, {})
        if issues:
            raise ProgrammeFileError(to_problems(issues, {}, "<ProgrammeFile>"), "<ProgrammeFile>")
        return self

    @property
    def source(self) -> str:
        return self._source

    @property
    def lines(self) -> dict[Path, int]:
        """The line each item and field was written on, for messages about the file."""
        return self._lines

    @property
    def allocation(self) -> Decimal:
        return sum((t.amount for t in self.programme.tranches), Decimal("0"))

    @property
    def budgeted(self) -> Decimal:
        return sum((s.budget for s in self.schemes), Decimal("0"))

    def warnings(self) -> list[Problem]:
        """Things that load but are probably not what the admin meant."""
        return to_problems(advisories(self), self._lines, self._source)
