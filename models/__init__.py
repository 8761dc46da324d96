"""SQLModel tables, column types and the database session."""

from models import workspaces as _workspaces  # noqa: F401  (its tables join the metadata)
from models.db import make_engine, migrate, session_scope
from models.tables import (
    AuditEvent,
    CapacityReport,
    CheckIn,
    Decision,
    Delivery,
    Member,
    Organisation,
    Programme,
    Question,
    QuestionAnswer,
    Risk,
    RiskEvent,
    Scheme,
    SpendReport,
    Tranche,
)

__all__ = [
    "AuditEvent",
    "CapacityReport",
    "CheckIn",
    "Decision",
    "Delivery",
    "Member",
    "Organisation",
    "Programme",
    "Question",
    "QuestionAnswer",
    "Risk",
    "RiskEvent",
    "Scheme",
    "SpendReport",
    "Tranche",
    "make_engine",
    "migrate",
    "session_scope",
]
