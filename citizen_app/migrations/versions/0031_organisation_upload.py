"""organisation import: the uploaded CSV file kept between the check and applying it [issue 18]

Revision ID: 0031
Revises: 0025
Create Date: 2026-12-06 12:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

import citizen_app.models.base
from citizen_app.migrations.keep_data import refuse_to_lose

revision = "0031"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "organisation_upload",
        sa.Column("uploaded_by_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("uploaded_at", citizen_app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("applied_at", citizen_app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("receipt", sa.JSON(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["staff_user.id"],
            name=op.f("fk_organisation_upload_uploaded_by_id_staff_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation_upload")),
        sa.UniqueConstraint("public_id", name=op.f("uq_organisation_upload_public_id")),
    )
    with op.batch_alter_table("organisation_upload", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_organisation_upload_uploaded_by_id"), ["uploaded_by_id"], unique=False
        )


def downgrade() -> None:
    refuse_to_lose("0031", tables=("organisation_upload",))
    with op.batch_alter_table("organisation_upload", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organisation_upload_uploaded_by_id"))
    op.drop_table("organisation_upload")
