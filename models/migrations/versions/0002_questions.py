"""questions the leads ask on check-ins, and the partners' answers

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

import models.types

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "question",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("audience", sa.String(length=16), nullable=False),
        sa.Column("asked_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("closes_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], name=op.f("fk_question_member_id_member")),
        sa.ForeignKeyConstraint(["programme_id"], ["programme.id"], name=op.f("fk_question_programme_id_programme")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_question")),
    )
    with op.batch_alter_table("question", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_question_local_date"), ["local_date"], unique=False)
        batch_op.create_index(batch_op.f("ix_question_programme_id"), ["programme_id"], unique=False)

    op.create_table(
        "question_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("checkin_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("answered_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["checkin_id"], ["check_in.id"], name=op.f("fk_question_answer_checkin_id_check_in")),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"], name=op.f("fk_question_answer_member_id_member")),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"], name=op.f("fk_question_answer_organisation_id_organisation")
        ),
        sa.ForeignKeyConstraint(["question_id"], ["question.id"], name=op.f("fk_question_answer_question_id_question")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_question_answer")),
    )
    with op.batch_alter_table("question_answer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_question_answer_member_id"), ["member_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_question_answer_question_id"), ["question_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("question_answer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_question_answer_question_id"))
        batch_op.drop_index(batch_op.f("ix_question_answer_member_id"))

    op.drop_table("question_answer")
    with op.batch_alter_table("question", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_question_programme_id"))
        batch_op.drop_index(batch_op.f("ix_question_local_date"))

    op.drop_table("question")
