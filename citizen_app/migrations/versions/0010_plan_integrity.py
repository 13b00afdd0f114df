"""plan version revision: the counter each staff plan form is based on

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-24 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing versions start at 1; a form rendered before the upgrade carries no revision and is refused
    # with "Någon annan har ändrat det här", the typed text kept.
    with op.batch_alter_table("plan_version", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revision", sa.Integer(), server_default="1", nullable=False))


# The counter only tells which page a save was based on: dropping it loses nothing the plan says.
NOTHING_LOST = {"plan_version.revision"}


def downgrade() -> None:
    # The counter only tells which page a save was based on; dropping it loses nothing the plan says.
    with op.batch_alter_table("plan_version", schema=None) as batch_op:
        batch_op.drop_column("revision")
