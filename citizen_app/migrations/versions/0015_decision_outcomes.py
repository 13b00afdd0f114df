"""decision outcomes: what a pending decision came to, and when

Revision ID: 0015
Revises: 0012
Create Date: 2026-11-24 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

import citizen_app.models.base
from citizen_app.migrations.keep_data import refuse_to_lose

revision = "0015"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "decision_outcome",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pending_decision_id", sa.Integer(), nullable=False),
        sa.Column("decision", sa.Text(), nullable=False),
        sa.Column("decided_at", citizen_app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_staff_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["pending_decision_id"],
            ["pending_decision.id"],
            name=op.f("fk_decision_outcome_pending_decision_id_pending_decision"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_staff_id"],
            ["staff_user.id"],
            name=op.f("fk_decision_outcome_recorded_by_staff_id_staff_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decision_outcome")),
        sa.UniqueConstraint("pending_decision_id", name=op.f("uq_decision_outcome_pending_decision_id")),
    )


def downgrade() -> None:
    refuse_to_lose("0015", tables=("decision_outcome",))
    op.drop_table("decision_outcome")
