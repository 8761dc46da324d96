"""blockers raised at check-in become items with a status and a thread of replies

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

import models.types

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "blocker",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("programme_id", sa.Integer(), sa.ForeignKey("programme.id"), nullable=False),
        sa.Column("organisation_id", sa.Integer(), sa.ForeignKey("organisation.id"), nullable=False),
        sa.Column("raised_by_member_id", sa.Integer(), sa.ForeignKey("member.id"), nullable=False),
        sa.Column("checkin_id", sa.Integer(), sa.ForeignKey("check_in.id"), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("owner_organisation_id", sa.Integer(), sa.ForeignKey("organisation.id"), nullable=True),
        sa.Column("raised_on", sa.Date(), nullable=False),
        sa.Column("raised_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", models.types.UTCDateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_blocker_programme_id", "blocker", ["programme_id"])
    op.create_index("ix_blocker_organisation_id", "blocker", ["organisation_id"])
    op.create_index("ix_blocker_open", "blocker", ["programme_id", "status"])
    op.create_table(
        "blocker_event",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("blocker_id", sa.Integer(), sa.ForeignKey("blocker.id"), nullable=False),
        sa.Column("member_id", sa.Integer(), sa.ForeignKey("member.id"), nullable=True),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("note", sa.String(), nullable=True),
        sa.Column("at", models.types.UTCDateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_blocker_event_blocker_id", "blocker_event", ["blocker_id"])


def downgrade() -> None:
    op.drop_index("ix_blocker_event_blocker_id", table_name="blocker_event")
    op.drop_table("blocker_event")
    op.drop_index("ix_blocker_open", table_name="blocker")
    op.drop_index("ix_blocker_organisation_id", table_name="blocker")
    op.drop_index("ix_blocker_programme_id", table_name="blocker")
    op.drop_table("blocker")
