"""a scheme's newest ledger row is found down (scheme, local date, reported at, id): the one
ordering of "newest" (bot.common.newest) for spend, capacity and check-ins alike

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("spend_report", schema=None) as batch_op:
        batch_op.drop_index("ix_spend_report_latest")
        batch_op.create_index("ix_spend_report_newest", ["scheme_id", "local_date", "reported_at", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("spend_report", schema=None) as batch_op:
        batch_op.drop_index("ix_spend_report_newest")
        batch_op.create_index("ix_spend_report_latest", ["scheme_id", "reported_at", "id"], unique=False)
