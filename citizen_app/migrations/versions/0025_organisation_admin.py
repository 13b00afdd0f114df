"""organisation administration: HSA-ids, unit address, administrators, deactivated staff [issue 18]

Revision ID: 0025
Revises: 0021
Create Date: 2026-12-06 11:40:00.000000
"""

import sqlalchemy as sa
from alembic import op

from citizen_app.migrations.keep_data import refuse_to_lose
from citizen_app.models.base import UTCDateTime

revision = "0025"
down_revision = "0021"
branch_labels = None
depends_on = None

# staff_user.is_admin is never NULL; while nobody is an administrator, dropping it loses nothing.
NOTHING_LOST = {"staff_user.is_admin"}


def upgrade() -> None:
    with op.batch_alter_table("principal", schema=None) as batch_op:
        batch_op.add_column(sa.Column("hsa_id", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_principal_hsa_id"), ["hsa_id"])
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.add_column(sa.Column("hsa_id", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("address", sa.String(length=300), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_unit_hsa_id"), ["hsa_id"])
    with op.batch_alter_table("staff_user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("hsa_id", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("is_admin", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("deactivated_at", UTCDateTime(), nullable=True))
        batch_op.alter_column("identity_hash", existing_type=sa.String(length=64), nullable=True)
        batch_op.create_unique_constraint(batch_op.f("uq_staff_user_hsa_id"), ["hsa_id"])


def downgrade() -> None:
    refuse_to_lose(
        "0025",
        columns=(
            ("principal", "hsa_id", "the principals' HSA-ids"),
            ("unit", "hsa_id", "the units' HSA-ids"),
            ("unit", "address", "the units' addresses"),
            ("staff_user", "hsa_id", "the staff members' HSA-ids"),
            ("staff_user", "deactivated_at", "when a staff member was deactivated"),
        ),
        rows_with_no_place=(
            ("staff_user", "identity_hash IS NULL", "staff member(s) imported by HSA-id who never signed in"),
            ("staff_user", "is_admin", "administrator(s)"),
        ),
    )
    with op.batch_alter_table("staff_user", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_staff_user_hsa_id"), type_="unique")
        batch_op.alter_column("identity_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.drop_column("deactivated_at")
        batch_op.drop_column("is_admin")
        batch_op.drop_column("hsa_id")
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_unit_hsa_id"), type_="unique")
        batch_op.drop_column("address")
        batch_op.drop_column("hsa_id")
    with op.batch_alter_table("principal", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_principal_hsa_id"), type_="unique")
        batch_op.drop_column("hsa_id")
