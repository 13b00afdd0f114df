"""the plan is complete before approval, and its actions are followed

Adds to plan_version why there is no follow-up and until when the plan applies, and what the parties do not
agree on; to plan_action a key that follows the action from version to version; and the table
plan_action_mark (started / done / not done, with a date) [issue 16].

Revision ID: 0022
Revises: 0020
Create Date: 2026-12-06 09:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

from citizen_app.migrations.keep_data import refuse_to_lose

revision = "0022"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("plan_version", schema=None) as batch_op:
        batch_op.add_column(sa.Column("no_follow_up_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("applies_until", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("disagreements", sa.Text(), nullable=True))
    with op.batch_alter_table("plan_action", schema=None) as batch_op:
        batch_op.add_column(sa.Column("action_key", sa.String(length=32), nullable=True))
    # Every action so far starts its own line of versions (its public id is unique and fits).
    op.execute("UPDATE plan_action SET action_key = public_id")
    with op.batch_alter_table("plan_action", schema=None) as batch_op:
        batch_op.alter_column("action_key", existing_type=sa.String(length=32), nullable=False)
        batch_op.create_index(batch_op.f("ix_plan_action_action_key"), ["action_key"], unique=False)
    op.create_table(
        "plan_action_mark",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("action_key", sa.String(length=32), nullable=False),
        sa.Column(
            "progress",
            sa.Enum("STARTED", "DONE", "NOT_DONE", name="actionprogress", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("marked_on", sa.Date(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("marked_by_staff_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["sip_case.id"], name=op.f("fk_plan_action_mark_case_id_sip_case")
        ),
        sa.ForeignKeyConstraint(
            ["marked_by_staff_id"],
            ["staff_user.id"],
            name=op.f("fk_plan_action_mark_marked_by_staff_id_staff_user"),
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_plan_action_mark_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_action_mark")),
        sa.UniqueConstraint("public_id", name=op.f("uq_plan_action_mark_public_id")),
    )
    op.create_index(
        "ix_plan_action_mark_case_key", "plan_action_mark", ["case_id", "action_key"], unique=False
    )


def downgrade() -> None:
    refuse_to_lose(
        "0022",
        tables=("plan_action_mark",),
        columns=(
            ("plan_version", "no_follow_up_reason", "why a plan has no follow-up"),
            ("plan_version", "applies_until", "until when a plan without follow-up applies"),
            ("plan_version", "disagreements", "what the parties do not agree on"),
        ),
    )
    op.drop_index("ix_plan_action_mark_case_key", table_name="plan_action_mark")
    op.drop_table("plan_action_mark")
    # The action keys only tie the marks (dropped above) to the actions: nothing else is lost.
    with op.batch_alter_table("plan_action", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_action_action_key"))
        batch_op.drop_column("action_key")
    with op.batch_alter_table("plan_version", schema=None) as batch_op:
        batch_op.drop_column("disagreements")
        batch_op.drop_column("applies_until")
        batch_op.drop_column("no_follow_up_reason")
