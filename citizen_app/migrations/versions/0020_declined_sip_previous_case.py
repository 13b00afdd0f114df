"""declined SIP: a new request links to the SIP the person had said no to

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-10 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

from citizen_app.migrations.keep_data import refuse_to_lose

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sip_case", schema=None) as batch_op:
        batch_op.add_column(sa.Column("previous_case_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_sip_case_previous_case_id_sip_case"), "sip_case", ["previous_case_id"], ["id"]
        )


def downgrade() -> None:
    refuse_to_lose(
        "0020",
        columns=(("sip_case", "previous_case_id", "the SIP a new request was made from after a no"),),
    )
    with op.batch_alter_table("sip_case", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_sip_case_previous_case_id_sip_case"), type_="foreignkey")
        batch_op.drop_column("previous_case_id")
