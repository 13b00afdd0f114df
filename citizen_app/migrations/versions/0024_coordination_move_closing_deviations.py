"""moving coordination, reports without a SIP, reports handled by both principals

Revision ID: 0024
Revises: 0020
Create Date: 2026-12-20 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

import citizen_app.models.base
from citizen_app.migrations.keep_data import refuse_to_lose

revision = "0024"
down_revision = "0020"
branch_labels = None
depends_on = None

# The report's version only guards changes that are under way.
NOTHING_LOST = {"problem_report.version": "it only guards changes that are under way"}

_STATUS = sa.Enum("RECEIVED", "INVESTIGATING", "ANSWERED", name="problemstatus", native_enum=False, length=20)


def upgrade() -> None:
    op.create_table(
        "coordination_move",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("from_unit_id", sa.Integer(), nullable=True),
        sa.Column("to_unit_id", sa.Integer(), nullable=False),
        sa.Column("proposed_by_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "PENDING",
                "ACCEPTED",
                "DECLINED",
                "WITHDRAWN",
                name="movestatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.Column("answer_reason", sa.Text(), nullable=True),
        sa.Column("created_at", citizen_app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("answered_at", citizen_app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["sip_case.id"], name=op.f("fk_coordination_move_case_id_sip_case")
        ),
        sa.ForeignKeyConstraint(
            ["from_unit_id"], ["unit.id"], name=op.f("fk_coordination_move_from_unit_id_unit")
        ),
        sa.ForeignKeyConstraint(
            ["to_unit_id"], ["unit.id"], name=op.f("fk_coordination_move_to_unit_id_unit")
        ),
        sa.ForeignKeyConstraint(
            ["proposed_by_id"], ["staff_user.id"], name=op.f("fk_coordination_move_proposed_by_id_staff_user")
        ),
        sa.ForeignKeyConstraint(
            ["answered_by_id"], ["staff_user.id"], name=op.f("fk_coordination_move_answered_by_id_staff_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coordination_move")),
        sa.UniqueConstraint("public_id", name=op.f("uq_coordination_move_public_id")),
    )
    with op.batch_alter_table("coordination_move", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_coordination_move_case_id"), ["case_id"], unique=False)
        batch_op.create_index("ix_coordination_move_to_status", ["to_unit_id", "status"], unique=False)
        batch_op.create_index(
            "uq_coordination_move_pending",
            ["case_id"],
            unique=True,
            sqlite_where=sa.text("status = 'PENDING'"),
            postgresql_where=sa.text("status = 'PENDING'"),
        )

    with op.batch_alter_table("problem_report", schema=None) as batch_op:
        batch_op.alter_column("case_id", existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column("unit_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))

    op.create_table(
        "problem_recipient",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"], ["problem_report.id"], name=op.f("fk_problem_recipient_report_id_problem_report")
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_problem_recipient_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_problem_recipient")),
        sa.UniqueConstraint("report_id", "unit_id", name="uq_problem_recipient_report_unit"),
    )
    with op.batch_alter_table("problem_recipient", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_problem_recipient_report_id"), ["report_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_problem_recipient_unit_id"), ["unit_id"], unique=False)
    # Every report so far went to its SIP's unit: that unit stays its recipient.
    op.execute("INSERT INTO problem_recipient (report_id, unit_id) SELECT id, unit_id FROM problem_report")

    op.create_table(
        "problem_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("at", citizen_app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", _STATUS, nullable=False),
        sa.Column("answered", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"], ["problem_report.id"], name=op.f("fk_problem_change_report_id_problem_report")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff_user.id"], name=op.f("fk_problem_change_staff_id_staff_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_problem_change")),
    )
    with op.batch_alter_table("problem_change", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_problem_change_report_id"), ["report_id"], unique=False)


def downgrade() -> None:
    refuse_to_lose(
        "0024",
        tables=("coordination_move", "problem_change", "problem_recipient"),
        rows_with_no_place=(
            ("problem_report", "case_id IS NULL", "problem reports made without a SIP"),
            ("problem_report", "unit_id IS NULL", "problem reports about no unit"),
        ),
    )
    with op.batch_alter_table("problem_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_problem_change_report_id"))
    op.drop_table("problem_change")
    with op.batch_alter_table("problem_recipient", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_problem_recipient_unit_id"))
        batch_op.drop_index(batch_op.f("ix_problem_recipient_report_id"))
    op.drop_table("problem_recipient")
    with op.batch_alter_table("problem_report", schema=None) as batch_op:
        batch_op.drop_column("version")
        batch_op.alter_column("unit_id", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("case_id", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("coordination_move", schema=None) as batch_op:
        batch_op.drop_index("uq_coordination_move_pending")
        batch_op.drop_index("ix_coordination_move_to_status")
        batch_op.drop_index(batch_op.f("ix_coordination_move_case_id"))
    op.drop_table("coordination_move")
