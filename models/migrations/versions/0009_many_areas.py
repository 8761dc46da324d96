"""one service for many areas: whose each programme is, Slack's installations, shared send limits

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
OWNERS = (("slack_team_id", 32), ("slack_enterprise_id", 32), ("teams_tenant_id", 64))


def _slack_tables() -> sa.MetaData:
    meta = sa.MetaData(naming_convention=NAMING)
    SQLAlchemyInstallationStore.build_installations_table(meta, "slack_installations")
    SQLAlchemyInstallationStore.build_bots_table(meta, "slack_bots")
    SQLAlchemyOAuthStateStore.build_oauth_states_table(meta, "slack_oauth_states")
    return meta


def upgrade() -> None:
    with op.batch_alter_table("programme") as batch:
        for name, length in OWNERS:
            batch.add_column(sa.Column(name, sa.String(length=length), nullable=True))
            batch.create_index(f"ix_programme_{name}", [name])
    _slack_tables().create_all(op.get_bind())
    op.create_table(
        "send_slot",
        sa.Column("bucket", sa.String(length=120), nullable=False),
        sa.Column("slot", sa.BigInteger(), nullable=False),
        sa.Column("used", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("bucket", "slot", name="pk_send_slot"),
    )


def downgrade() -> None:
    op.drop_table("send_slot")
    _slack_tables().drop_all(op.get_bind())
    with op.batch_alter_table("programme") as batch:
        for name, _ in reversed(OWNERS):
            batch.drop_index(f"ix_programme_{name}")
            batch.drop_column(name)
