"""The tables. One programme owns everything else; every row carries its programme id."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import JSON, Column, Index, PrimaryKeyConstraint, Table, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.types import Money, Quantity, UTCDateTime

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class _Stored(Protocol):
    @property
    def id(self) -> int | None: ...


def row_id(row: _Stored) -> int:
    """The id of a row read from the database. SQLModel types every id `int | None`, for a row
    not yet inserted; a row that was read has one."""
    if row.id is None:
        raise ValueError(f"{type(row).__name__} has no id: it was never stored")
    return row.id


def table_of(model: type[SQLModel]) -> Table:
    """The SQLAlchemy Table of a table model, for Core statements (bulk inserts, upserts):
    SQLModel sets `__table__` on the class without declaring it to type checkers."""
    return SQLModel.metadata.tables[str(model.__tablename__)]


def _instant(nullable: bool = False, **kw: Any) -> Any:
    return Field(sa_type=UTCDateTime, nullable=nullable, **kw)


def _money(nullable: bool = False, **kw: Any) -> Any:
    return Field(sa_type=Money, nullable=nullable, **kw)


def _quantity(nullable: bool = False, **kw: Any) -> Any:
    return Field(sa_type=Quantity, nullable=nullable, **kw)


def _json(**kw: Any) -> Any:
    return Field(sa_column=Column(JSON, nullable=False), **kw)


class Programme(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=200)
    timezone: str = Field(default="Europe/London", max_length=64)
    deadline: date
    channel: str = Field(max_length=100)
    leads_channel: str | None = Field(default=None, max_length=100)
    checkin_time: time
    reminder_time: time
    brief_time: time
    digest_weekday: int = Field(default=4, description="0 is Monday")
    digest_time: time
    # Whose programme it is: the Slack workspace (and Enterprise Grid organisation) and the Teams
    # tenant whose requests may read and change it. None: the one workspace of a single-token install.
    slack_team_id: str | None = Field(default=None, max_length=32, index=True)
    slack_enterprise_id: str | None = Field(default=None, max_length=32, index=True)
    teams_tenant_id: str | None = Field(default=None, max_length=64, index=True)
    settings: dict[str, Any] = _json(default_factory=dict)
    created_at: datetime = _instant(default_factory=utcnow)
    updated_at: datetime = _instant(default_factory=utcnow)


class Tranche(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("programme_id", "key"),
        Index("ix_tranche_archived", "programme_id", "archived_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programme.id", index=True)
    key: str = Field(max_length=64)
    name: str = Field(max_length=200)
    amount: Decimal = _money()
    funding_source: str = Field(max_length=32)
    announced_on: date
    available_on: date
    archived_at: datetime | None = _instant(nullable=True, default=None)


class Organisation(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("programme_id", "key"),
        Index("ix_organisation_archived", "programme_id", "archived_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programme.id", index=True)
    key: str = Field(max_length=64)
    name: str = Field(max_length=200)
    kind: str = Field(max_length=32)
    services: list[str] = _json(default_factory=list)
    archived_at: datetime | None = _instant(nullable=True, default=None)


class Member(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("programme_id", "platform", "platform_user_id"),
        Index("ix_member_archived", "programme_id", "archived_at"),
        Index("ix_member_away", "programme_id", "away_until"),
    )
    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programme.id", index=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    platform: str = Field(max_length=16)
    platform_user_id: str = Field(max_length=200, index=True)
    name: str = Field(max_length=200)
    role: str = Field(max_length=16)
    email: str | None = Field(default=None, max_length=254)  # beside a chat account, or where it is reached
    mobile: str | None = Field(default=None, max_length=16)  # +447…
    timezone: str | None = Field(default=None, max_length=64)
    away_until: date | None = None
    archived_at: datetime | None = _instant(nullable=True, default=None)


class Scheme(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("programme_id", "key"),
        Index("ix_scheme_archived", "programme_id", "archived_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programme.id", index=True)
    owner_organisation_id: int = Field(foreign_key="organisation.id", index=True)
    key: str = Field(max_length=64)
    name: str = Field(max_length=200)
    scheme_type: str = Field(max_length=48)
    funding_source: str = Field(max_length=32)
    budget: Decimal = _money()
    unit: str = Field(max_length=32)
    planned: Decimal = _quantity()
    archived_at: datetime | None = _instant(nullable=True, default=None)


class CheckIn(SQLModel, table=True):
    """One answer to the daily prompt. An amendment is a new row that supersedes the old."""

    __tablename__ = "check_in"
    __table_args__ = (Index("ix_check_in_since", "programme_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programme.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    local_date: date = Field(index=True)
    no_change: bool = False
    blockers: str | None = None
    comment: str | None = None
    redactions: int = 0
    supersedes_id: int | None = Field(default=None, foreign_key="check_in.id")
    submitted_at: datetime = _instant(default_factory=utcnow)


class SpendReport(SQLModel, table=True):
    """Append-only ledger of cumulative figures for a scheme; corrections carry a reason.
    The index finds a scheme's newest row without reading its history."""

    __tablename__ = "spend_report"
    __table_args__ = (
        Index("ix_spend_report_newest", "scheme_id", "local_date", "reported_at", "id"),
        Index("ix_spend_report_since", "programme_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programme.id", index=True)
    scheme_id: int = Field(foreign_key="scheme.id", index=True)
    member_id: int | None = Field(default=None, foreign_key="member.id")
    checkin_id: int | None = Field(default=None, foreign_key="check_in.id")
    local_date: date = Field(index=True)
    actual: Decimal = _money()
    committed: Decimal = _money()
    activity: Decimal = _quantity()
    correction_reason: str | None = None
    source: str = Field(default="checkin", max_length=16)
    reported_at: datetime = _instant(default_factory=utcnow)


class CapacityReport(SQLModel, table=True):
    """A service's level on a day. The indexes find an organisation's newest report per service,
    and the reports newer than a known id, without reading the winter's history."""

    __tablename__ = "capacity_report"
    __table_args__ = (
        Index("ix_capacity_report_latest", "programme_id", "organisation_id", "service", "local_date"),
        Index("ix_capacity_report_since", "programme_id", "id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programme.id", index=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    member_id: int | None = Field(default=None, foreign_key="member.id")
    checkin_id: int | None = Field(default=None, foreign_key="check_in.id")
    service: str = Field(max_length=32)
    local_date: date = Field(index=True)
    level: int
    measures: dict[str, Any] = _json(default_factory=dict)
    reported_at: datetime = _instant(default_factory=utcnow)


class Risk(SQLModel, table=True):
    """A register entry. `open_key` is set while the risk is not closed and is unique,
    so a rule raising the same subject again finds and updates the open risk."""

    __table_args__ = (Index("ix_risk_updated", "programme_id", "updated_at"),)

    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programme.id", index=True)
    rule: str = Field(max_length=48)
    subject: str = Field(max_length=200)
    open_key: str | None = Field(default=None, max_length=300, unique=True)
    title: str = Field(max_length=300)
    detail: str | None = None
    severity: str = Field(max_length=16)
    owner_organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    status: str = Field(default="open", max_length=16)
    raised_at: datetime = _instant(default_factory=utcnow)
    updated_at: datetime = _instant(default_factory=utcnow)
    closed_at: datetime | None = _instant(nullable=True, default=None)


class RiskEvent(SQLModel, table=True):
    __tablename__ = "risk_event"
    id: int | None = Field(default=None, primary_key=True)
    risk_id: int = Field(foreign_key="risk.id", index=True)
    member_id: int | None = Field(default=None, foreign_key="member.id")
    action: str = Field(max_length=32)
    from_status: str | None = Field(default=None, max_length=16)
    to_status: str | None = Field(default=None, max_length=16)
    note: str | None = None
    at: datetime = _instant(default_factory=utcnow)


class Decision(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programme.id", index=True)
    member_id: int | None = Field(default=None, foreign_key="member.id")
    text: str
    local_date: date = Field(index=True)
    decided_at: datetime = _instant(default_factory=utcnow)


class Question(SQLModel, table=True):
    """A question the leads put on partners' check-ins (`/winter ask`): to every partner
    ("all") or to one sector ("community" or "statutory"), until `closes_on` (included)."""

    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programme.id", index=True)
    member_id: int = Field(foreign_key="member.id")
    text: str
    audience: str = Field(default="all", max_length=16)
    asked_at: datetime = _instant(default_factory=utcnow)
    local_date: date = Field(index=True)
    closes_on: date


class QuestionAnswer(SQLModel, table=True):
    """A partner's answer, given in a check-in. Append-only: when they amend, the newest
    answer of a member to a question is the one that counts."""

    __tablename__ = "question_answer"
    id: int | None = Field(default=None, primary_key=True)
    question_id: int = Field(foreign_key="question.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    organisation_id: int = Field(foreign_key="organisation.id")
    checkin_id: int = Field(foreign_key="check_in.id")
    text: str
    answered_at: datetime = _instant(default_factory=utcnow)


class Blocker(SQLModel, table=True):
    """Something in a partner's way, raised at check-in: an item with a life (open, being worked
    on, resolved, won't fix) and a thread of replies (BlockerEvent), not a quote that repeats."""

    __table_args__ = (Index("ix_blocker_open", "programme_id", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programme.id", index=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    raised_by_member_id: int = Field(foreign_key="member.id")
    checkin_id: int = Field(foreign_key="check_in.id")
    text: str
    status: str = Field(default="open", max_length=16)
    owner_organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    raised_on: date
    raised_at: datetime = _instant(default_factory=utcnow)
    updated_at: datetime = _instant(default_factory=utcnow)


class BlockerEvent(SQLModel, table=True):
    """One step in a blocker's thread: raised, a reply, taken on, resolved, won't fix, reopened."""

    __tablename__ = "blocker_event"
    id: int | None = Field(default=None, primary_key=True)
    blocker_id: int = Field(foreign_key="blocker.id", index=True)
    member_id: int | None = Field(default=None, foreign_key="member.id")
    action: str = Field(max_length=16)
    note: str | None = None
    at: datetime = _instant(default_factory=utcnow)


class Delivery(SQLModel, table=True):
    """One scheduled send. The key (programme, job, recipient, local date) is written
    before the send, so no rerun, restart or second clock sends it twice."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=300, unique=True)
    programme_id: int = Field(foreign_key="programme.id", index=True)
    job: str = Field(max_length=32)
    member_id: int | None = Field(default=None, foreign_key="member.id")
    target: str | None = Field(default=None, max_length=200)
    local_date: date
    state: str = Field(default="pending", max_length=16, index=True)
    attempts: int = 0
    last_error: str | None = None
    next_attempt_at: datetime | None = _instant(nullable=True, default=None)
    claimed_until: datetime | None = _instant(nullable=True, default=None)
    lease_owner: str | None = Field(
        default=None, max_length=64, description="who holds the lease: only they may record the outcome"
    )
    platform_ref: str | None = Field(default=None, max_length=200)
    created_at: datetime = _instant(default_factory=utcnow)
    sent_at: datetime | None = _instant(nullable=True, default=None)


class NotifyReceipt(SQLModel, table=True):
    """GOV.UK Notify's word on a message it accepted (its delivery receipt callback). Keyed by
    Notify's notification id, so a callback sent twice is recorded once; `reference` is the
    delivery key the message went under. No address is kept: the delivery names the member."""

    __tablename__ = "notify_receipt"
    id: int | None = Field(default=None, primary_key=True)
    notification_id: str = Field(max_length=64, unique=True)
    reference: str | None = Field(default=None, max_length=300, index=True)
    notification_type: str = Field(max_length=8)
    status: str = Field(max_length=32)
    completed_at: datetime | None = _instant(nullable=True, default=None)
    received_at: datetime = _instant(default_factory=utcnow)
    reported_at: datetime | None = _instant(nullable=True, default=None)


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"
    id: int | None = Field(default=None, primary_key=True)
    programme_id: int | None = Field(default=None, foreign_key="programme.id", index=True)
    member_id: int | None = Field(default=None, foreign_key="member.id")
    actor: str = Field(max_length=200)
    action: str = Field(max_length=64)
    subject: str | None = Field(default=None, max_length=200)
    detail: dict[str, Any] = _json(default_factory=dict)
    at: datetime = _instant(default_factory=utcnow)


class ConversationRef(SQLModel, table=True):
    """Where a platform lets the bot write first: a Teams personal chat or channel, as Teams
    told us when the app was installed or someone wrote to it. Teams gives no way to open a
    chat with a user id alone, so proactive prompts need one of these."""

    __tablename__ = "conversation_ref"
    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    conversation_id: str = Field(max_length=400, unique=True)
    kind: str = Field(max_length=16, description="personal, channel or groupChat")
    user_id: str | None = Field(default=None, max_length=200, index=True)
    aad_object_id: str | None = Field(default=None, max_length=64, index=True)
    tenant_id: str | None = Field(default=None, max_length=64)
    team_id: str | None = Field(default=None, max_length=400)
    service_url: str = Field(max_length=400)
    bot_id: str | None = Field(default=None, max_length=200)
    removed_at: datetime | None = _instant(nullable=True, default=None)
    updated_at: datetime = _instant(default_factory=utcnow)


class JobRun(SQLModel, table=True):
    """The last time a job finished everything it had to do for a programme: on which local
    date and at which data version (bot.views.status_cache). A tick that finds the same date and
    version has nothing new to do and skips the work. `watermark` is the newest capacity
    report the risk scan has read, so the clock can see at once when a new level arrives."""

    __tablename__ = "job_run"
    __table_args__ = (PrimaryKeyConstraint("programme_id", "job"),)
    programme_id: int = Field(foreign_key="programme.id")
    job: str = Field(max_length=32)
    local_date: date
    version: str = Field(max_length=1000)
    watermark: int | None = None
    finished_at: datetime = _instant(default_factory=utcnow)


class RequestSeen(SQLModel, table=True):
    """A request or action that writes, by a key that a replay of it repeats (Slack's signature
    over timestamp and body, or the action's own id): seen once, it is not done again."""

    __tablename__ = "request_seen"
    key: str = Field(primary_key=True, max_length=128)
    platform: str = Field(max_length=16)
    seen_at: datetime = _instant(default_factory=utcnow, index=True)


class WorkspaceState(SQLModel, table=True):
    """A workspace (Slack team) or tenant that has uninstalled the app or revoked its tokens:
    nothing is sent there until it is installed again."""

    __tablename__ = "workspace_state"
    __table_args__ = (PrimaryKeyConstraint("platform", "workspace_id"),)
    platform: str = Field(max_length=16)
    workspace_id: str = Field(max_length=64)
    state: str = Field(max_length=16, description="uninstalled or revoked")
    reason: str | None = Field(default=None, max_length=200)
    changed_at: datetime = _instant(default_factory=utcnow)
