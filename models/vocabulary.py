"""The fixed words of the programme: kinds, roles, sources, services and states.

Stored as plain strings; these enums are the one list every layer checks against.
"""

from __future__ import annotations

from enum import StrEnum


class OrganisationKind(StrEnum):
    LOCAL_AUTHORITY = "local_authority"
    ACUTE_TRUST = "acute_trust"
    ICB = "icb"
    VCS = "vcs"
    HOME_CARE = "home_care"
    GP = "gp"
    COMMUNITY_NURSING = "community_nursing"
    HOUSING = "housing"
    CARE_HOME = "care_home"
    HOSPICE = "hospice"
    OTHER = "other"

    @property
    def statutory(self) -> bool:
        return self in STATUTORY_KINDS

    @property
    def sector(self) -> str:
        return "statutory" if self.statutory else "community"


STATUTORY_KINDS = frozenset({OrganisationKind.LOCAL_AUTHORITY, OrganisationKind.ACUTE_TRUST, OrganisationKind.ICB})

KIND_LABELS: dict[OrganisationKind, str] = {
    OrganisationKind.LOCAL_AUTHORITY: "Local authority",
    OrganisationKind.ACUTE_TRUST: "Acute trust",
    OrganisationKind.ICB: "Integrated care board",
    OrganisationKind.VCS: "Voluntary and community sector",
    OrganisationKind.HOME_CARE: "Home care",
    OrganisationKind.GP: "General practice",
    OrganisationKind.COMMUNITY_NURSING: "Community nursing",
    OrganisationKind.HOUSING: "Housing",
    OrganisationKind.CARE_HOME: "Care home",
    OrganisationKind.HOSPICE: "Hospice",
    OrganisationKind.OTHER: "Other",
}


class Role(StrEnum):
    ADMIN = "admin"
    LEAD = "lead"
    PARTNER = "partner"
    OBSERVER = "observer"


A_ROLE: dict[Role, str] = {
    Role.ADMIN: "an admin",
    Role.LEAD: "a lead",
    Role.PARTNER: "a partner",
    Role.OBSERVER: "an observer",
}


class Platform(StrEnum):
    """Where a member is reached: a chat platform, or GOV.UK Notify's email or text message."""

    SLACK = "slack"
    TEAMS = "teams"
    EMAIL = "email"
    SMS = "sms"


class FundingSource(StrEnum):
    LOCAL_AUTHORITY_GRANT = "local_authority_grant"
    ICB_ALLOCATION = "icb_allocation"
    OTHER = "other"


FUNDING_SOURCE_LABELS: dict[FundingSource, str] = {
    FundingSource.LOCAL_AUTHORITY_GRANT: "Local authority grant",
    FundingSource.ICB_ALLOCATION: "ICB allocation",
    FundingSource.OTHER: "Other",
}


class SchemeType(StrEnum):
    """The Better Care Fund scheme types, reused by the discharge funds."""

    HOME_CARE = "home_care"
    BED_BASED_INTERMEDIATE_CARE = "bed_based_intermediate_care"
    REABLEMENT = "reablement"
    RESIDENTIAL_PLACEMENTS = "residential_placements"
    WORKFORCE = "workforce"
    ASSISTIVE_TECHNOLOGY = "assistive_technology"
    CARE_ACT_DUTIES = "care_act_duties"
    CARE_PLANNING_NAVIGATION = "care_planning_navigation"
    HIGH_IMPACT_CHANGE = "high_impact_change"
    CARERS = "carers"
    HOUSING = "housing"
    ENABLERS = "enablers"
    ADMINISTRATION = "administration"
    OTHER = "other"


SCHEME_TYPE_LABELS: dict[SchemeType, str] = {
    SchemeType.HOME_CARE: "Home care or domiciliary care",
    SchemeType.BED_BASED_INTERMEDIATE_CARE: "Bed-based intermediate care (step-down beds)",
    SchemeType.REABLEMENT: "Home-based intermediate care / reablement",
    SchemeType.RESIDENTIAL_PLACEMENTS: "Residential placements",
    SchemeType.WORKFORCE: "Workforce recruitment and retention",
    SchemeType.ASSISTIVE_TECHNOLOGY: "Assistive technologies and equipment",
    SchemeType.CARE_ACT_DUTIES: "Care Act duties (assessments)",
    SchemeType.CARE_PLANNING_NAVIGATION: "Integrated care planning and navigation",
    SchemeType.HIGH_IMPACT_CHANGE: "High-impact change model for transfers of care",
    SchemeType.CARERS: "Carers' services",
    SchemeType.HOUSING: "Housing related",
    SchemeType.ENABLERS: "Enablers for integration",
    SchemeType.ADMINISTRATION: "Administration",
    SchemeType.OTHER: "Other",
}


class Unit(StrEnum):
    HOURS = "hours"
    BEDS = "beds"
    BED_WEEKS = "bed_weeks"
    PACKAGES = "packages"
    STAFF_WTE = "staff_wte"
    EQUIPMENT_ITEMS = "equipment_items"
    PEOPLE = "people"
    VISITS = "visits"
    SESSIONS = "sessions"
    ASSESSMENTS = "assessments"


UNIT_LABELS: dict[Unit, str] = {
    Unit.HOURS: "hours",
    Unit.BEDS: "beds",
    Unit.BED_WEEKS: "bed-weeks",
    Unit.PACKAGES: "packages of care",
    Unit.STAFF_WTE: "staff (WTE)",
    Unit.EQUIPMENT_ITEMS: "equipment items",
    Unit.PEOPLE: "people supported",
    Unit.VISITS: "visits",
    Unit.SESSIONS: "sessions",
    Unit.ASSESSMENTS: "assessments",
}


class Service(StrEnum):
    """Services whose capacity partners report on an OPEL-style 1-4 scale."""

    GP = "gp"
    HOME_CARE = "home_care"
    COMMUNITY_NURSING = "community_nursing"
    VCS = "vcs"
    CARE_HOME = "care_home"
    REABLEMENT = "reablement"
    HOUSING = "housing"
    HOSPICE = "hospice"
    ACUTE_DISCHARGE = "acute_discharge"


SERVICE_LABELS: dict[Service, str] = {
    Service.GP: "General practice",
    Service.HOME_CARE: "Home care",
    Service.COMMUNITY_NURSING: "Community nursing",
    Service.VCS: "Voluntary sector support",
    Service.CARE_HOME: "Care home beds",
    Service.REABLEMENT: "Reablement",
    Service.HOUSING: "Housing",
    Service.HOSPICE: "Hospice",
    Service.ACUTE_DISCHARGE: "Hospital discharge",
}


class RiskStatus(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    MITIGATED = "mitigated"
    CLOSED = "closed"


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class DeliveryState(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
