"""members reached by email or text message, and GOV.UK Notify's delivery receipts

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

import models.types

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("member") as batch:
        batch.add_column(sa.Column("email", sa.String(length=254), nullable=True))
        batch.add_column(sa.Column("mobile", sa.String(length=16), nullable=True))
    op.create_table(
        "notify_receipt",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("notification_id", sa.String(length=64), nullable=False, unique=True),
        sa.Column("reference", sa.String(length=300), nullable=True),
        sa.Column("notification_type", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("completed_at", models.types.UTCDateTime(), nullable=True),
        sa.Column("received_at", models.types.UTCDateTime(), nullable=False),
        sa.Column("reported_at", models.types.UTCDateTime(), nullable=True),
    )
    op.create_index("ix_notify_receipt_reference", "notify_receipt", ["reference"])


def downgrade() -> None:
    op.drop_index("ix_notify_receipt_reference", table_name="notify_receipt")
    op.drop_table("notify_receipt")
    with op.batch_alter_table("member") as batch:
        batch.drop_column("mobile")
        batch.drop_column("email")
