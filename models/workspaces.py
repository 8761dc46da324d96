"""Tables for a service that many workspaces install: Slack's installations, bots and OAuth
states (the schema slack_sdk's SQLAlchemy stores read and write, declared here so that the
migrations create them), and the slots of the send limits every process shares."""

from __future__ import annotations

from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import BigInteger, Column, Integer, PrimaryKeyConstraint, String, Table
from sqlmodel import SQLModel

from models import tables as _tables  # noqa: F401  (the metadata's naming convention first)

SLACK_INSTALLATIONS = "slack_installations"
SLACK_BOTS = "slack_bots"
SLACK_OAUTH_STATES = "slack_oauth_states"

slack_installations: Table = SQLAlchemyInstallationStore.build_installations_table(
    SQLModel.metadata, SLACK_INSTALLATIONS
)
slack_bots: Table = SQLAlchemyInstallationStore.build_bots_table(SQLModel.metadata, SLACK_BOTS)
slack_oauth_states: Table = SQLAlchemyOAuthStateStore.build_oauth_states_table(SQLModel.metadata, SLACK_OAUTH_STATES)

send_slot: Table = Table(
    "send_slot",
    SQLModel.metadata,
    Column("bucket", String(120), nullable=False),
    Column("slot", BigInteger, nullable=False),
    Column("used", Integer, nullable=False),
    PrimaryKeyConstraint("bucket", "slot"),
)
"""One row a limit (`bucket`: a Slack workspace, a Teams tenant, a Notify service) and short
window of time (`slot`: its number since 1970): how many sends it has let through."""
