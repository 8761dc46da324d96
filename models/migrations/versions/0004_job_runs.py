"""job runs (what each job last finished, at which data version) and the indexes that find the
newest figures without reading the winter's history

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from alembic import op
import sqlalchemy as sa
import models.types


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('job_run',
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('job', sa.String(length=32), nullable=False),
    sa.Column('local_date', sa.Date(), nullable=False),
    sa.Column('version', sa.String(length=1000), nullable=False),
    sa.Column('watermark', sa.Integer(), nullable=True),
    sa.Column('finished_at', models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_job_run_programme_id_programme')),
    sa.PrimaryKeyConstraint('programme_id', 'job', name=op.f('pk_job_run'))
    )
    with op.batch_alter_table('capacity_report', schema=None) as batch_op:
        batch_op.create_index('ix_capacity_report_since', ['programme_id', 'id'], unique=False)
        batch_op.create_index('ix_capacity_report_latest', ['programme_id', 'organisation_id', 'service', 'local_date'], unique=False)
    with op.batch_alter_table('spend_report', schema=None) as batch_op:
        batch_op.create_index('ix_spend_report_latest', ['scheme_id', 'reported_at', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('spend_report', schema=None) as batch_op:
        batch_op.drop_index('ix_spend_report_latest')
    with op.batch_alter_table('capacity_report', schema=None) as batch_op:
        batch_op.drop_index('ix_capacity_report_latest')
        batch_op.drop_index('ix_capacity_report_since')
    op.drop_table('job_run')
