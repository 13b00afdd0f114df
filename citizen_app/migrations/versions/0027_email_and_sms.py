"""e-mail and SMS: the person's choice and the outbox of messages on their way

Revision ID: 0027
Revises: 0031
Create Date: 2026-12-06 12:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

import citizen_app.models.base
from citizen_app.migrations.keep_data import refuse_to_lose

revision = "0027"
down_revision = "0031"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contact_choice",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.Boolean(), nullable=False),
        sa.Column("sms", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_contact_choice_person_id_person")
        ),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_contact_choice")),
    )
    op.create_table(
        "message_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "channel",
            sa.Enum("EMAIL", "SMS", name="outreachchannel", native_enum=False, length=10),
            nullable=False,
        ),
        sa.Column(
            "purpose",
            sa.Enum(
                "NEW_MESSAGE",
                "RELATIVE_LINK",
                "CHILD_CODE",
                name="outreachpurpose",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("dedupe_key", sa.String(length=120), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "PENDING", "SENDING", "SENT", "FAILED", name="outreachstatus", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", citizen_app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.String(length=300), nullable=False),
        sa.Column("created_at", citizen_app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", citizen_app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_message_outbox_person_id_person"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_outbox")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_message_outbox_dedupe_key")),
    )
    with op.batch_alter_table("message_outbox", schema=None) as batch_op:
        batch_op.create_index("ix_message_outbox_status_next", ["status", "next_attempt_at"], unique=False)
        batch_op.create_index(
            "ix_message_outbox_person_channel", ["person_id", "channel", "created_at"], unique=False
        )


def downgrade() -> None:
    refuse_to_lose("0027", tables=("message_outbox", "contact_choice"))
    with op.batch_alter_table("message_outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_message_outbox_person_channel")
        batch_op.drop_index("ix_message_outbox_status_next")
    op.drop_table("message_outbox")
    op.drop_table("contact_choice")
