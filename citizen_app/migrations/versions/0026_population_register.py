"""population register: when a person was last looked up; a representative's decision reference

Revision ID: 0026
Revises: 0027
Create Date: 2026-12-06 11:45:00.000000
"""

import sqlalchemy as sa
from alembic import op

from citizen_app.migrations.keep_data import refuse_to_lose
from citizen_app.models.base import UTCDateTime

revision = "0026"
down_revision = "0027"
branch_labels = None
depends_on = None

# When the register was last asked: dropping it only means the next refresh asks again.
NOTHING_LOST = {"person.register_checked_at"}


def upgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("register_checked_at", UTCDateTime(), nullable=True))
    with op.batch_alter_table("relationship", schema=None) as batch_op:
        batch_op.add_column(sa.Column("decision_reference", sa.String(length=60), nullable=True))


def downgrade() -> None:
    refuse_to_lose(
        "0026",
        columns=(
            (
                "relationship",
                "decision_reference",
                "the reference number of the decision a representative was registered from",
            ),
        ),
    )
    with op.batch_alter_table("relationship", schema=None) as batch_op:
        batch_op.drop_column("decision_reference")
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_column("register_checked_at")
