"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

import models.types

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "programme",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(length=100), nullable=False),
        sa.Column("leads_channel", sa.String(length=100), nullable=True),
        sa.Column("checkin_time", sa.Time(), nullable=False),
        sa.Column("reminder_time", sa.Time(), nullable=False),
        sa.Column("brief_time", sa.Time(), nullable=False),
        sa.Column("digest_weekday", sa.Integer(), nullable=False),
        sa.Column("digest_time", sa.Time(), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("created_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme")),
        sa.UniqueConstraint("slug", name=op.f("uq_programme_slug")),
    )
    op.create_table(
        "organisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("services", sa.JSON(), nullable=False),
        sa.Column("archived_at", models.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["programme_id"], ["programme.id"], name=op.f("fk_organisation_programme_id_programme")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation")),
        sa.UniqueConstraint("programme_id", "key", name=op.f("uq_organisation_programme_id_key")),
    )
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_organisation_programme_id"), ["programme_id"], unique=False)

    op.create_table(
        "tranche",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("amount", models.types.FixedPoint(), nullable=False),
        sa.Column("funding_source", sa.String(length=32), nullable=False),
        sa.Column("announced_on", sa.Date(), nullable=False),
        sa.Column("available_on", sa.Date(), nullable=False),
        sa.Column("archived_at", models.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["programme_id"], ["programme.id"], name=op.f("fk_tranche_programme_id_programme")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tranche")),
        sa.UniqueConstraint("programme_id", "key", name=op.f("uq_tranche_programme_id_key")),
    )
    with op.batch_alter_table("tranche", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tranche_programme_id"), ["programme_id"], unique=False)

    op.create_table(
        "member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("platform_user_id", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("away_until", sa.Date(), nullable=True),
        sa.Column("archived_at", models.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"], name=op.f("fk_member_organisation_id_organisation")
        ),
        sa.ForeignKeyConstraint(["programme_id"], ["programme.id"], name=op.f("fk_member_programme_id_programme")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member")),
        sa.UniqueConstraint(
            "programme_id",
            "platform",
            "platform_user_id",
            name=op.f("uq_member_programme_id_platform_platform_user_id"),
        ),
    )
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_member_organisation_id"), ["organisation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_member_platform_user_id"), ["platform_user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_member_programme_id"), ["programme_id"], unique=False)

    op.create_table(
        "risk",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=48), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("open_key", sa.String(length=300), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("detail", sa.String(), nullable=True),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("owner_organisation_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("raised_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", models.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["owner_organisation_id"], ["organisation.id"], name=op.f("fk_risk_owner_organisation_id_organisation")
        ),
        sa.ForeignKeyConstraint(["programme_id"], ["programme.id"], name=op.f("fk_risk_programme_id_programme")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk")),
        sa.UniqueConstraint("open_key", name=op.f("uq_risk_open_key")),
    )
    with op.batch_alter_table("risk", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_risk_programme_id"), ["programme_id"], unique=False)

    op.create_table(
        "scheme",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("owner_organisation_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("scheme_type", sa.String(length=48), nullable=False),
        sa.Column("funding_source", sa.String(length=32), nullable=False),
        sa.Column("budget", models.types.FixedPoint(), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("planned", models.types.FixedPoint(), nullable=False),
        sa.Column("archived_at", models.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["owner_organisation_id"], ["organisation.id"], name=op.f("fk_scheme_owner_organisation_id_organisation")
        ),
        sa.ForeignKeyConstraint(["programme_id"], ["programme.id"], name=op.f("fk_scheme_programme_id_programme")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheme")),
        sa.UniqueConstraint("programme_id", "key", name=op.f("uq_scheme_programme_id_key")),
    )
    with op.batch_alter_table("scheme", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_scheme_owner_organisation_id"), ["owner_organisation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_scheme_programme_id"), ["programme_id"], unique=False)

    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=True),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], name=op.f("fk_audit_event_member_id_member")),
        sa.ForeignKeyConstraint(["programme_id"], ["programme.id"], name=op.f("fk_audit_event_programme_id_programme")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_event_programme_id"), ["programme_id"], unique=False)

    op.create_table(
        "check_in",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("no_change", sa.Boolean(), nullable=False),
        sa.Column("blockers", sa.String(), nullable=True),
        sa.Column("comment", sa.String(), nullable=True),
        sa.Column("redactions", sa.Integer(), nullable=False),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column("submitted_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], name=op.f("fk_check_in_member_id_member")),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"], name=op.f("fk_check_in_organisation_id_organisation")
        ),
        sa.ForeignKeyConstraint(["programme_id"], ["programme.id"], name=op.f("fk_check_in_programme_id_programme")),
        sa.ForeignKeyConstraint(["supersedes_id"], ["check_in.id"], name=op.f("fk_check_in_supersedes_id_check_in")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_check_in")),
    )
    with op.batch_alter_table("check_in", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_check_in_local_date"), ["local_date"], unique=False)
        batch_op.create_index(batch_op.f("ix_check_in_member_id"), ["member_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_check_in_organisation_id"), ["organisation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_check_in_programme_id"), ["programme_id"], unique=False)

    op.create_table(
        "decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("decided_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], name=op.f("fk_decision_member_id_member")),
        sa.ForeignKeyConstraint(["programme_id"], ["programme.id"], name=op.f("fk_decision_programme_id_programme")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decision")),
    )
    with op.batch_alter_table("decision", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_decision_local_date"), ["local_date"], unique=False)
        batch_op.create_index(batch_op.f("ix_decision_programme_id"), ["programme_id"], unique=False)

    op.create_table(
        "delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("job", sa.String(length=32), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("target", sa.String(length=200), nullable=True),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(), nullable=True),
        sa.Column("next_attempt_at", models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("claimed_until", models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("platform_ref", sa.String(length=200), nullable=True),
        sa.Column("created_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", models.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], name=op.f("fk_delivery_member_id_member")),
        sa.ForeignKeyConstraint(["programme_id"], ["programme.id"], name=op.f("fk_delivery_programme_id_programme")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery")),
        sa.UniqueConstraint("key", name=op.f("uq_delivery_key")),
    )
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_delivery_programme_id"), ["programme_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_delivery_state"), ["state"], unique=False)

    op.create_table(
        "risk_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("risk_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=True),
        sa.Column("note", sa.String(), nullable=True),
        sa.Column("at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], name=op.f("fk_risk_event_member_id_member")),
        sa.ForeignKeyConstraint(["risk_id"], ["risk.id"], name=op.f("fk_risk_event_risk_id_risk")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_event")),
    )
    with op.batch_alter_table("risk_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_risk_event_risk_id"), ["risk_id"], unique=False)

    op.create_table(
        "capacity_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("checkin_id", sa.Integer(), nullable=True),
        sa.Column("service", sa.String(length=32), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("measures", sa.JSON(), nullable=False),
        sa.Column("reported_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["checkin_id"], ["check_in.id"], name=op.f("fk_capacity_report_checkin_id_check_in")),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], name=op.f("fk_capacity_report_member_id_member")),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"], name=op.f("fk_capacity_report_organisation_id_organisation")
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"], ["programme.id"], name=op.f("fk_capacity_report_programme_id_programme")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_capacity_report")),
    )
    with op.batch_alter_table("capacity_report", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_capacity_report_local_date"), ["local_date"], unique=False)
        batch_op.create_index(batch_op.f("ix_capacity_report_organisation_id"), ["organisation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_capacity_report_programme_id"), ["programme_id"], unique=False)

    op.create_table(
        "spend_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("scheme_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("checkin_id", sa.Integer(), nullable=True),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("actual", models.types.FixedPoint(), nullable=False),
        sa.Column("committed", models.types.FixedPoint(), nullable=False),
        sa.Column("activity", models.types.FixedPoint(), nullable=False),
        sa.Column("correction_reason", sa.String(), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("reported_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["checkin_id"], ["check_in.id"], name=op.f("fk_spend_report_checkin_id_check_in")),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], name=op.f("fk_spend_report_member_id_member")),
        sa.ForeignKeyConstraint(
            ["programme_id"], ["programme.id"], name=op.f("fk_spend_report_programme_id_programme")
        ),
        sa.ForeignKeyConstraint(["scheme_id"], ["scheme.id"], name=op.f("fk_spend_report_scheme_id_scheme")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spend_report")),
    )
    with op.batch_alter_table("spend_report", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_spend_report_local_date"), ["local_date"], unique=False)
        batch_op.create_index(batch_op.f("ix_spend_report_programme_id"), ["programme_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_spend_report_scheme_id"), ["scheme_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("spend_report", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_spend_report_scheme_id"))
        batch_op.drop_index(batch_op.f("ix_spend_report_programme_id"))
        batch_op.drop_index(batch_op.f("ix_spend_report_local_date"))

    op.drop_table("spend_report")
    with op.batch_alter_table("capacity_report", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_capacity_report_programme_id"))
        batch_op.drop_index(batch_op.f("ix_capacity_report_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_capacity_report_local_date"))

    op.drop_table("capacity_report")
    with op.batch_alter_table("risk_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_risk_event_risk_id"))

    op.drop_table("risk_event")
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_delivery_state"))
        batch_op.drop_index(batch_op.f("ix_delivery_programme_id"))

    op.drop_table("delivery")
    with op.batch_alter_table("decision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decision_programme_id"))
        batch_op.drop_index(batch_op.f("ix_decision_local_date"))

    op.drop_table("decision")
    with op.batch_alter_table("check_in", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_check_in_programme_id"))
        batch_op.drop_index(batch_op.f("ix_check_in_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_check_in_member_id"))
        batch_op.drop_index(batch_op.f("ix_check_in_local_date"))

    op.drop_table("check_in")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_event_programme_id"))

    op.drop_table("audit_event")
    with op.batch_alter_table("scheme", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scheme_programme_id"))
        batch_op.drop_index(batch_op.f("ix_scheme_owner_organisation_id"))

    op.drop_table("scheme")
    with op.batch_alter_table("risk", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_risk_programme_id"))

    op.drop_table("risk")
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_member_programme_id"))
        batch_op.drop_index(batch_op.f("ix_member_platform_user_id"))
        batch_op.drop_index(batch_op.f("ix_member_organisation_id"))

    op.drop_table("member")
    with op.batch_alter_table("tranche", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tranche_programme_id"))

    op.drop_table("tranche")
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organisation_programme_id"))

    op.drop_table("organisation")
    op.drop_table("programme")
