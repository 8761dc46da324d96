"""conversation references: where Teams lets the bot write first

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

import models.types

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conversation_ref",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("conversation_id", sa.String(length=400), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.String(length=200), nullable=True),
        sa.Column("aad_object_id", sa.String(length=64), nullable=True),
        sa.Column("tenant_id", sa.String(length=64), nullable=True),
        sa.Column("team_id", sa.String(length=400), nullable=True),
        sa.Column("service_url", sa.String(length=400), nullable=False),
        sa.Column("bot_id", sa.String(length=200), nullable=True),
        sa.Column("removed_at", models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation_ref")),
        sa.UniqueConstraint("conversation_id", name=op.f("uq_conversation_ref_conversation_id")),
    )
    with op.batch_alter_table("conversation_ref", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_conversation_ref_aad_object_id"), ["aad_object_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_conversation_ref_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("conversation_ref", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conversation_ref_user_id"))
        batch_op.drop_index(batch_op.f("ix_conversation_ref_aad_object_id"))

    op.drop_table("conversation_ref")
