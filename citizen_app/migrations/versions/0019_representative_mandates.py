"""representative mandates and the person's ability to consent [issue 15]

A god man's or förvaltare's mandate (bevaka rätt / förvalta egendom / sörja för person) on the relationship;
existing rows get none, so they cannot open health information. And the coordinator's append-only record of
whether an adult can consent themself.

Revision ID: 0019
Revises: 0017
Create Date: 2026-12-08 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

import citizen_app.models.base
from citizen_app.migrations.keep_data import refuse_to_lose

revision = "0019"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("relationship", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mandate", sa.JSON(), nullable=True))
    op.create_table(
        "consent_ability",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("can_consent", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("recorded_by_staff_id", sa.Integer(), nullable=False),
        sa.Column("at", citizen_app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["sip_case.id"], name=op.f("fk_consent_ability_case_id_sip_case")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_consent_ability_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_staff_id"],
            ["staff_user.id"],
            name=op.f("fk_consent_ability_recorded_by_staff_id_staff_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_ability")),
        sa.UniqueConstraint("public_id", name=op.f("uq_consent_ability_public_id")),
    )
    with op.batch_alter_table("consent_ability", schema=None) as batch_op:
        batch_op.create_index("ix_consent_ability_case_at", ["case_id", "at"], unique=False)


def downgrade() -> None:
    refuse_to_lose(
        "0019",
        # The older app cannot read a menprövning (nor its expiry): someone must decide what becomes of them.
        rows_with_no_place=(
            ("consent_event", "kind = 'HARM_ASSESSED' OR method = 'ASSESSMENT'", "menprövning event(s)"),
        ),
        tables=("consent_ability",),
        columns=(("relationship", "mandate", "what each god man's or förvaltare's mandate covers"),),
    )
    with op.batch_alter_table("consent_ability", schema=None) as batch_op:
        batch_op.drop_index("ix_consent_ability_case_at")
    op.drop_table("consent_ability")
    with op.batch_alter_table("relationship", schema=None) as batch_op:
        batch_op.drop_column("mandate")
