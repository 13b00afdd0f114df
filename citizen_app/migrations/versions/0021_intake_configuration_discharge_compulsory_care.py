"""intake configuration (rules, defaults), fast vårdkontakt units, compulsory care on the case

Revision ID: 0021
Revises: 0022
Create Date: 2026-12-06 09:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

from citizen_app.migrations.keep_data import ACCEPT_ENV, DowngradeRefused, accepted, refuse_to_lose
from citizen_app.models.base import UTCDateTime

revision = "0021"
down_revision = "0022"
branch_labels = None
depends_on = None

# unit.is_fixed_care_contact is never NULL; while every unit is false, dropping it loses nothing. A unit
# marked true stops the downgrade (``downgrade`` counts them itself).
NOTHING_LOST = {"unit.is_fixed_care_contact"}


def upgrade() -> None:
    op.create_table(
        "intake_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "need",
            sa.Enum("DISCHARGE", "CHILD", "ADULT", name="intakeneed", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_intake_rule_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intake_rule")),
        sa.UniqueConstraint("need", name=op.f("uq_intake_rule_need")),
    )
    with op.batch_alter_table("intake_rule", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_intake_rule_unit_id"), ["unit_id"], unique=False)
    op.create_table(
        "intake_default",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("principal_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["principal_id"], ["principal.id"], name=op.f("fk_intake_default_principal_id_principal")
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_intake_default_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intake_default")),
        sa.UniqueConstraint("principal_id", name=op.f("uq_intake_default_principal_id")),
    )
    with op.batch_alter_table("intake_default", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_intake_default_unit_id"), ["unit_id"], unique=False)
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("is_fixed_care_contact", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("sip_case", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "compulsory_care",
                sa.Enum(
                    "LPT", "LRV", "OPEN_LPT", "OPEN_LRV", name="compulsorycare", native_enum=False, length=20
                ),
                nullable=True,
            )
        )


def downgrade() -> None:
    # ``unit.is_fixed_care_contact`` is never NULL: only a unit marked true is configuration that is lost.
    marked = int(
        op.get_bind().execute(sa.text("SELECT COUNT(*) FROM unit WHERE is_fixed_care_contact")).scalar() or 0
    )
    also = f" Also {marked} unit(s) in table unit marked fast vårdkontakt (unit.is_fixed_care_contact)."
    try:
        refuse_to_lose(
            "0021",
            tables=("intake_rule", "intake_default"),
            columns=(
                ("sip_case", "compulsory_care", "the kind of compulsory psychiatric care during a SIP"),
            ),
        )
    except DowngradeRefused as refused:
        raise DowngradeRefused(str(refused) + (also if marked else "")) from None
    if marked and not accepted("0021"):
        raise DowngradeRefused(
            "Downgrade of revision 0021 refused: the older schema has no place for" + also[5:] + " This step "
            f"changed nothing. To downgrade anyway, make a backup first, then set {ACCEPT_ENV}=0021 and run "
            "the downgrade again."
        )
    with op.batch_alter_table("sip_case", schema=None) as batch_op:
        batch_op.drop_column("compulsory_care")
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.drop_column("is_fixed_care_contact")
    with op.batch_alter_table("intake_default", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_intake_default_unit_id"))
    op.drop_table("intake_default")
    with op.batch_alter_table("intake_rule", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_intake_rule_unit_id"))
    op.drop_table("intake_rule")
