"""mature minors: the coordinator's decision that a child consents themself, and what the child lets the
guardians see [issue 15]

Both tables are append-only histories. The downgrade refuses while either holds a row: a recorded
assessment of a child's maturity, or a child's choice, is not thrown away without being told to.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-10 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

import citizen_app.models.base
from citizen_app.migrations.keep_data import refuse_to_lose

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mature_minor_decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=32), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("consents_themself", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("recorded_by_staff_id", sa.Integer(), nullable=False),
        sa.Column("at", citizen_app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["sip_case.id"], name=op.f("fk_mature_minor_decision_case_id_sip_case")
        ),
        sa.ForeignKeyConstraint(
            ["child_id"], ["person.id"], name=op.f("fk_mature_minor_decision_child_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_staff_id"],
            ["staff_user.id"],
            name=op.f("fk_mature_minor_decision_recorded_by_staff_id_staff_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mature_minor_decision")),
        sa.UniqueConstraint("public_id", name=op.f("uq_mature_minor_decision_public_id")),
    )
    with op.batch_alter_table("mature_minor_decision", schema=None) as batch_op:
        batch_op.create_index("ix_mature_minor_decision_case_at", ["case_id", "at"], unique=False)

    op.create_table(
        "guardian_view_choice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=32), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("shows_plan", sa.Boolean(), nullable=False),
        sa.Column("shows_meetings", sa.Boolean(), nullable=False),
        sa.Column("shows_consent", sa.Boolean(), nullable=False),
        sa.Column("at", citizen_app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["sip_case.id"], name=op.f("fk_guardian_view_choice_case_id_sip_case")
        ),
        sa.ForeignKeyConstraint(
            ["child_id"], ["person.id"], name=op.f("fk_guardian_view_choice_child_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["mature_minor_decision.id"],
            name=op.f("fk_guardian_view_choice_decision_id_mature_minor_decision"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guardian_view_choice")),
        sa.UniqueConstraint("public_id", name=op.f("uq_guardian_view_choice_public_id")),
    )
    with op.batch_alter_table("guardian_view_choice", schema=None) as batch_op:
        batch_op.create_index("ix_guardian_view_choice_case_at", ["case_id", "at"], unique=False)


def downgrade() -> None:
    refuse_to_lose("0017", tables=("guardian_view_choice", "mature_minor_decision"))
    with op.batch_alter_table("guardian_view_choice", schema=None) as batch_op:
        batch_op.drop_index("ix_guardian_view_choice_case_at")
    op.drop_table("guardian_view_choice")
    with op.batch_alter_table("mature_minor_decision", schema=None) as batch_op:
        batch_op.drop_index("ix_mature_minor_decision_case_at")
    op.drop_table("mature_minor_decision")
