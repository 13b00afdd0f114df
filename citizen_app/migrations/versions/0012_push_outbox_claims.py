"""push outbox claims: a sender holds a row while it sends it

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

import citizen_app.models.base

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

# What the downgrade drops that is not data worth keeping (tests/unit/test_migrations.py reads this): a claim
# only matters while a send is under way. A row claimed by a sender that died is pending, and the older
# code's run_due sends it again.
NOTHING_LOST = {"push_outbox.claimed_until": "a claim matters only while a send is under way"}


def upgrade() -> None:
    with op.batch_alter_table("push_outbox", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("claimed_until", citizen_app.models.base.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("push_outbox", schema=None) as batch_op:
        batch_op.drop_column("claimed_until")
