"""the promises kept under attack: a delivery's lease owner (only the holder records the
outcome), the requests already seen (replays are not done twice), and the workspaces that
uninstalled the app or revoked its tokens

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

import models.types

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lease_owner", sa.String(length=64), nullable=True))
    op.create_table(
        "request_seen",
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("seen_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_request_seen")),
    )
    with op.batch_alter_table("request_seen", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_request_seen_seen_at"), ["seen_at"], unique=False)
    op.create_table(
        "workspace_state",
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("workspace_id", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column("changed_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("platform", "workspace_id", name=op.f("pk_workspace_state")),
    )


def downgrade() -> None:
    op.drop_table("workspace_state")
    with op.batch_alter_table("request_seen", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_request_seen_seen_at"))
    op.drop_table("request_seen")
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.drop_column("lease_owner")
