"""job runs (what each job last finished, at which data version), and the indexes that find the
newest figures and the data version without reading the winter's history

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

import models.types

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


_VERSION_INDEXES = [
    ("check_in", "ix_check_in_since", ["programme_id", "id"]),
    ("spend_report", "ix_spend_report_since", ["programme_id", "id"]),
    ("risk", "ix_risk_updated", ["programme_id", "updated_at"]),
    ("member", "ix_member_archived", ["programme_id", "archived_at"]),
    ("member", "ix_member_away", ["programme_id", "away_until"]),
    ("organisation", "ix_organisation_archived", ["programme_id", "archived_at"]),
    ("scheme", "ix_scheme_archived", ["programme_id", "archived_at"]),
    ("tranche", "ix_tranche_archived", ["programme_id", "archived_at"]),
]


def upgrade() -> None:
    op.create_table(
        "job_run",
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("job", sa.String(length=32), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("version", sa.String(length=1000), nullable=False),
        sa.Column("watermark", sa.Integer(), nullable=True),
        sa.Column("finished_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["programme_id"], ["programme.id"], name=op.f("fk_job_run_programme_id_programme")),
        sa.PrimaryKeyConstraint("programme_id", "job", name=op.f("pk_job_run")),
    )
    with op.batch_alter_table("capacity_report", schema=None) as batch_op:
        batch_op.create_index("ix_capacity_report_since", ["programme_id", "id"], unique=False)
        batch_op.create_index(
            "ix_capacity_report_latest", ["programme_id", "organisation_id", "service", "local_date"], unique=False
        )
    with op.batch_alter_table("spend_report", schema=None) as batch_op:
        batch_op.create_index("ix_spend_report_latest", ["scheme_id", "reported_at", "id"], unique=False)
    for table, name, columns in _VERSION_INDEXES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(name, columns, unique=False)


def downgrade() -> None:
    for table, name, _ in reversed(_VERSION_INDEXES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(name)
    with op.batch_alter_table("spend_report", schema=None) as batch_op:
        batch_op.drop_index("ix_spend_report_latest")
    with op.batch_alter_table("capacity_report", schema=None) as batch_op:
        batch_op.drop_index("ix_capacity_report_latest")
        batch_op.drop_index("ix_capacity_report_since")
    op.drop_table("job_run")
